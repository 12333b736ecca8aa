"""Advisories their source no longer holds: retired after a complete read, restored if back.

OSV sources normally withdraw a record (``withdrawn:``) rather than delete it, but records do
get deleted (duplicates merged, mistakes removed). An advisory stored from a source whose
record is gone would otherwise match pins forever. What is safe to retire:

- only after a read that listed the whole source (a folder that could not be listed, or an
  archive over its member cap, retires nothing: what was not seen may still be there);
- never an advisory that may be in a file that could not be read: the one last read from that
  path, and the one the file is named after (OSV exports and the PyPA database name every
  file after its record's id); and nothing at all when a file that could not be read is not
  named like a record id, since it could hold any of them;
- never more than a tenth of what the source held (and more than ``RETIRE_FLOOR``) in one
  sync, unless asked: a source read while it is being copied or checked out looks complete
  and half empty.

A retired advisory found again in any source (read or skipped as unchanged) is restored.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Collection, Mapping
from pathlib import PurePosixPath

from django.db import transaction
from django.utils import timezone

from scanning.models import Advisory

logger = logging.getLogger(__name__)

RETIRE_FLOOR = 25
RETIRE_SHARE = 0.10
_CHUNK = 500
# PYSEC-2021-7, GHSA-jh3w-4vvf-mjgr, CVE-2023-36053, OSV-2020-111, MAL-2022-1, ...
_ID_LIKE = re.compile(r"^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$")


@dataclasses.dataclass(frozen=True, slots=True)
class Removal:
    removed: int = 0
    restored: int = 0
    note: str = ""  # why advisories missing from the source were kept


def advisories_retire_missing(
    *,
    source: str,
    prefix: str,
    present: Mapping[str, str],
    unreadable: Collection[str] = (),
    incomplete: str = "",
    allow_mass_retire: bool = False,
) -> Removal:
    """Retire the advisories read from ``source`` that it no longer holds; restore the others.

    ``prefix`` starts the path of every record read from this source (``Advisory.source``);
    ``present`` maps every record id the read found to its path, ``unreadable`` lists the
    paths that could not be read, and ``incomplete`` says why the source could not be listed
    whole ("" when it was).
    """
    with transaction.atomic():
        restored = _restore(present)
        if incomplete:
            return Removal(restored=restored, note=f"nothing retired: {incomplete}"[:500])
        held = list(
            Advisory.objects.live()
            .filter(source__startswith=prefix)
            .values_list("pk", "osv_id", "source")
        )
        named = {_named_after(path) for path in unreadable}
        anonymous = [name for name in named if not _ID_LIKE.match(name)]
        if anonymous:
            note = f"nothing retired: {len(anonymous)} unreadable file(s) not named after an id"
            return Removal(restored=restored, note=note)
        missing = [(pk, osv_id, path) for pk, osv_id, path in held if osv_id not in present]
        kept = {pk for pk, osv_id, path in missing if path in unreadable or osv_id in named}
        retire = [pk for pk, _, _ in missing if pk not in kept]
        notes = []
        if kept:
            notes.append(f"{len(kept)} kept: may be in a file that could not be read")
        limit = max(RETIRE_FLOOR, int(RETIRE_SHARE * len(held)))
        if len(retire) > limit and not allow_mass_retire:
            notes.append(
                f"{len(retire)} of {len(held)} are no longer in the source, over the limit of "
                f"{limit} for one sync: none retired (a source read while being copied looks "
                "like this); sync again with --allow-mass-retire if they were really deleted"
            )
            logger.warning(
                "advisory retirement held back source=%s missing=%s held=%s",
                source,
                len(retire),
                len(held),
            )
            retire = []
        reason = f"no longer in {source}"[:300]
        now = timezone.now()
        for start in range(0, len(retire), _CHUNK):
            Advisory.objects.filter(pk__in=retire[start : start + _CHUNK]).update(
                retired_at=now, retired_reason=reason
            )
    return Removal(removed=len(retire), restored=restored, note="; ".join(notes)[:500])


def _restore(present: Mapping[str, str]) -> int:
    back = [
        (pk, osv_id)
        for pk, osv_id in Advisory.objects.filter(retired_at__isnull=False).values_list(
            "pk", "osv_id"
        )
        if osv_id in present
    ]
    for pk, osv_id in back:
        # The record now lives where it was found: that source owns it from here on.
        Advisory.objects.filter(pk=pk).update(
            retired_at=None, retired_reason="", source=present[osv_id][:1000]
        )
    return len(back)


def _named_after(path: str) -> str:
    """The record id a file is named after: ``…/PYSEC-2021-7.yaml`` or ``x.zip!GHSA-….json``."""
    return PurePosixPath(path.rpartition("!")[2]).stem
