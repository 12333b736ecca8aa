"""The advisory mirror in the database: sync it from a source, and load it for matching.

A sync reads only records modified since the last good sync of the same source (unless
``full``), writes them in batches of one transaction each, and is idempotent: reading a record
again that is not newer than the stored one changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from packaging.utils import canonicalize_name

from scanning.advisories import aliases as alias_groups
from scanning.advisories import cvss, download, retirement, sources
from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.osv import (
    AffectedPackage,
    OsvAdvisory,
    RangeEvent,
    Severity,
    VersionRange,
)
from scanning.engine.gc_pause import collector_paused
from scanning.models import Advisory, AdvisoryPackage, AdvisorySync

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
_MAX_STORED_ERRORS = 1000
_ADVISORY_FIELDS = [
    "aliases",
    "summary",
    "details",
    "severity",
    "severity_vector",
    "base_score",
    "severity_label",
    "published",
    "modified",
    "withdrawn",
    "source",
]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclasses.dataclass(slots=True)
class _Counts:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    ids: set[str] = dataclasses.field(default_factory=set)


def advisories_sync(
    *,
    source: str,
    full: bool = False,
    progress: Progress = _quiet,
    batch_size: int = BATCH_SIZE,
    allow_mass_retire: bool = False,
) -> AdvisorySync:
    """Mirror the OSV records of ``source``: a directory, a zip or a tar.gz, or an https://
    URL of either archive.

    Each batch commits on its own: a failure part-way keeps what was stored, and the next
    sync (whose watermark comes only from successful syncs) reads the rest again. After a
    read that got to the end, advisories the source no longer holds are retired (see
    ``retirement``); a failed read retires nothing.
    """
    since = None if full else _watermark(source)
    sync = AdvisorySync.objects.create(source=source[:1000], full=full, since=since)
    counts = _Counts()
    report = sources.ReadReport()
    max_modified = since
    try:
        with _local_copy(source) as location:
            records = sources.read_source(location, report=report, since=since)
            for batch in _batches(records, batch_size):
                advisories = [_relabel(a, str(location), source) for _, a in batch]
                _store_batch(advisories, counts)
                newest = max(a.modified for a in advisories)
                max_modified = newest if max_modified is None else max(max_modified, newest)
                progress(
                    f"{report.records_seen} records read: {counts.created} new, "
                    f"{counts.updated} updated, {counts.retired} withdrawn, "
                    f"{counts.unchanged + report.unchanged} unchanged, "
                    f"{len(report.errors)} malformed"
                )
            local, prefix = str(location), sources.record_prefix(location)
    except (download.DownloadError, sources.UnreadableSource, OSError) as exc:
        _finish(sync, counts, report, max_modified, error=str(exc))
        raise
    removal = retirement.advisories_retire_missing(
        source=source,
        prefix=_relabel_path(prefix, local, source),
        present={i: _relabel_path(p, local, source) for i, p in report.ids.items()},
        unreadable={_relabel_path(e.path, local, source) for e in report.errors},
        incomplete=report.incomplete,
        allow_mass_retire=allow_mass_retire,
    )
    _finish(sync, counts, report, max_modified, removal=removal)
    logger.info(
        "advisories synced source=%s new=%s updated=%s retired=%s removed=%s malformed=%s",
        source,
        sync.created,
        sync.updated,
        sync.retired,
        sync.removed,
        sync.malformed,
    )
    return sync


@collector_paused()
def index_from_database(*, names: Iterable[str] | None = None) -> AdvisoryIndex:
    """The live advisories (only those about ``names``, when given) as an ``AdvisoryIndex``.

    The index carries ``unavailable_reason`` when no sync ever succeeded or the last one is
    older than ``DEBTBOARD_ADVISORY_MAX_AGE_DAYS``: audits must then say "not audited".
    """
    rows = AdvisoryPackage.objects.filter(
        advisory__withdrawn__isnull=True, advisory__retired_at__isnull=True
    )
    if names is not None:
        rows = rows.filter(name__in={canonicalize_name(n) for n in names})
    entries: dict[int, list[AffectedPackage]] = {}
    for advisory_id, name, ranges, versions, severity in rows.order_by("id").values_list(
        "advisory_id", "name", "ranges", "versions", "severity"
    ):
        entries.setdefault(advisory_id, []).append(_entry(name, ranges, versions, severity))
    advisories = Advisory.objects.filter(pk__in=rows.values("advisory_id")).values_list(
        "pk", "osv_id", "modified", "source", "aliases", "summary", "published", "severity"
    )
    found = [
        OsvAdvisory(
            id=osv_id,
            modified=modified,
            source=source,
            aliases=tuple(aliases),
            summary=summary,
            published=published,
            affected=tuple(entries[pk]),
            severity=_severities(severity),
        )
        for pk, osv_id, modified, source, aliases, summary, published, severity in advisories
    ]
    return AdvisoryIndex(
        alias_groups.merge_by_alias(found, _related(found)),
        unavailable_reason=mirror_unavailable_reason(),
    )


def _related(found: list[OsvAdvisory]) -> list[alias_groups.Related]:
    """The other records the ``found`` advisories name among their aliases (any package, any
    source): their severities count for the same vulnerability."""
    known = {a.id for a in found}
    wanted = alias_groups.names_of(found) - known
    related = []
    rows = Advisory.objects.live().filter(osv_id__in=wanted)
    for osv_id, names, severity, vector, score in rows.values_list(
        "osv_id", "aliases", "severity", "severity_vector", "base_score"
    ):
        severities = _severities(severity)
        if vector:  # the highest, which may be one of its packages' own
            severities += (
                Severity(cvss.kind_of(vector), vector, score, cvss.severity_label(score)),
            )
        related.append((osv_id, tuple(names), severities))
    return related


def severities_by_id() -> dict[str, tuple[Severity, ...]]:
    """The highest severity the mirror knows for each advisory, by its id and each alias: its
    highest CVSS vector, else its severity word (GHSA's level).

    Live services answer without severities; this lets their answers be scored where the
    mirror has the same advisory under any of its names.
    """
    found: dict[str, tuple[Severity, ...]] = {}
    rows = Advisory.objects.live().values_list(
        "osv_id", "aliases", "severity_vector", "base_score", "severity"
    )
    for osv_id, aliases, vector, score, stored in rows:
        if vector:
            severity = (Severity(cvss.kind_of(vector), vector, score, cvss.severity_label(score)),)
        else:
            words = [s for s in _severities(stored) if s.kind == cvss.LABEL_KIND]
            known = [s for s in words if s.label != cvss.UNKNOWN]
            if not known:
                continue
            top = cvss.highest(s.label for s in known)
            severity = (next(s for s in known if s.label == top),)
        for name in (osv_id, *aliases):
            found.setdefault(name, severity)
    return found


@dataclasses.dataclass(frozen=True)
class Freshness:
    """How current the mirror is, by two clocks: when it was last synced, and the newest
    ``modified`` time of the records themselves (a fresh sync of an old snapshot is old)."""

    now: datetime
    synced_at: datetime | None
    newest_modified: datetime | None

    def text(self) -> str:
        if self.synced_at is None:
            return "no advisory data has been synced"
        synced = f"last synced {self.synced_at:%Y-%m-%d} ({self._days(self.synced_at)} days ago)"
        if self.newest_modified is None:
            return f"{synced}; no advisory record stored"
        newest = self.newest_modified
        return (
            f"{synced}; newest advisory modified {newest:%Y-%m-%d} ({self._days(newest)} days ago)"
        )

    def _days(self, when: datetime) -> int:
        return max((self.now - when).days, 0)

    def unavailable_reason(self, *, max_sync_days: int, max_data_days: int) -> str | None:
        if self.synced_at is None:
            return "no advisory data has been synced"
        if max_sync_days and self.now - self.synced_at > timedelta(days=max_sync_days):
            return f"advisory data is too old: {self.text()}"
        if (
            max_data_days
            and self.newest_modified is not None
            and self.now - self.newest_modified > timedelta(days=max_data_days)
        ):
            return f"advisory data is too old: {self.text()}; the source looks like an old snapshot"
        return None


def mirror_freshness(*, now: datetime | None = None) -> Freshness:
    last = AdvisorySync.objects.succeeded().order_by("-finished_at").first()
    newest = Advisory.objects.aggregate(newest=Max("modified"))["newest"]
    return Freshness(
        now=now or timezone.now(),
        synced_at=last.finished_at if last is not None else None,
        newest_modified=newest,
    )


def mirror_unavailable_reason(*, now: datetime | None = None) -> str | None:
    """Why the mirror cannot vouch for anything, or ``None`` when it can.

    Too old by either clock: the last successful sync (``DEBTBOARD_ADVISORY_MAX_AGE_DAYS``)
    or the newest record's ``modified`` time (``DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS``).
    """
    return mirror_freshness(now=now).unavailable_reason(
        max_sync_days=settings.DEBTBOARD_ADVISORY_MAX_AGE_DAYS,
        max_data_days=settings.DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS,
    )


def _watermark(source: str) -> datetime | None:
    last = (
        AdvisorySync.objects.succeeded()
        .filter(source=source[:1000], max_modified__isnull=False)
        .order_by("-finished_at")
        .first()
    )
    return None if last is None else last.max_modified


@contextmanager
def _local_copy(source: str) -> Iterator[Path]:
    if source.startswith(("https://", "http://")):
        with download.downloaded(
            source,
            max_bytes=settings.DEBTBOARD_ADVISORY_DOWNLOAD_MAX_BYTES,
            timeout=settings.DEBTBOARD_ADVISORY_DOWNLOAD_TIMEOUT,
        ) as path:
            yield path
    else:
        with nullcontext(Path(source).expanduser()) as path:
            yield path


def _batches(
    records: Iterator[tuple[str, OsvAdvisory]], size: int
) -> Iterator[list[tuple[str, OsvAdvisory]]]:
    while batch := list(islice(records, size)):
        yield batch


def _relabel(advisory: OsvAdvisory, local: str, source: str) -> OsvAdvisory:
    """Name a downloaded record by its URL, not by the temporary file it was read from."""
    relabelled = _relabel_path(advisory.source, local, source)
    if relabelled == advisory.source:
        return advisory
    return dataclasses.replace(advisory, source=relabelled)


def _relabel_path(path: str, local: str, source: str) -> str:
    if local == source or not path.startswith(local):
        return path
    return source + path[len(local) :]


def _store_batch(advisories: list[OsvAdvisory], counts: _Counts) -> None:
    newest: dict[str, OsvAdvisory] = {}
    for advisory in advisories:
        known = newest.get(advisory.id)
        if known is None or advisory.modified > known.modified:
            newest[advisory.id] = advisory
    with transaction.atomic():
        stored = {
            a.osv_id: a
            for a in Advisory.objects.select_for_update().filter(osv_id__in=list(newest))
        }
        created: list[OsvAdvisory] = []
        changed: list[Advisory] = []
        touched: list[OsvAdvisory] = []
        for advisory in newest.values():
            row = stored.get(advisory.id)
            if row is not None and row.modified >= advisory.modified:
                counts.unchanged += 1
                continue
            if advisory.withdrawn is not None and (row is None or row.withdrawn is None):
                counts.retired += 1
            if row is None:
                counts.created += 1
                created.append(advisory)
            else:
                counts.updated += 1
                for name, value in _advisory_fields(advisory).items():
                    setattr(row, name, value)
                changed.append(row)
            touched.append(advisory)
        Advisory.objects.bulk_create(
            [Advisory(osv_id=a.id, **_advisory_fields(a)) for a in created], batch_size=500
        )
        Advisory.objects.bulk_update(changed, _ADVISORY_FIELDS, batch_size=500)
        AdvisoryPackage.objects.filter(advisory__in=changed).delete()
        pks = dict(
            Advisory.objects.filter(osv_id__in=[a.id for a in touched]).values_list("osv_id", "pk")
        )
        AdvisoryPackage.objects.bulk_create(
            [_package_row(pks[a.id], entry) for a in touched for entry in a.affected],
            batch_size=1000,
        )


def _finish(
    sync: AdvisorySync,
    counts: _Counts,
    report: sources.ReadReport,
    max_modified: datetime | None,
    *,
    error: str = "",
    removal: retirement.Removal | None = None,
) -> None:
    sync.status = AdvisorySync.Status.FAILED if error else AdvisorySync.Status.SUCCEEDED
    sync.error = error[:5000]
    sync.records_seen = report.records_seen
    sync.created = counts.created
    sync.updated = counts.updated
    sync.retired = counts.retired
    if removal is not None:
        sync.removed, sync.restored = removal.removed, removal.restored
        sync.removal_note = removal.note
    sync.unchanged = counts.unchanged + report.unchanged
    sync.malformed = len(report.errors)
    sync.errors = [{"path": e.path, "reason": e.reason} for e in report.errors][:_MAX_STORED_ERRORS]
    sync.max_modified = max_modified
    sync.finished_at = timezone.now()
    sync.save()


def _advisory_fields(advisory: OsvAdvisory) -> dict[str, object]:
    every = advisory.severity + tuple(s for e in advisory.affected for s in e.severity)
    scored = [s for s in every if s.score is not None]
    highest = max(scored, key=lambda s: s.score or 0.0, default=None)
    return {
        "aliases": list(advisory.aliases),
        "summary": advisory.summary[:300],
        "details": advisory.details,
        "severity": [_severity_json(s) for s in advisory.severity],
        "severity_vector": highest.vector[:200] if highest else "",
        "base_score": advisory.base_score,
        "severity_label": advisory.severity_label,
        "published": advisory.published,
        "modified": advisory.modified,
        "withdrawn": advisory.withdrawn,
        "source": advisory.source[:1000],
    }


def _package_row(advisory_pk: int, entry: AffectedPackage) -> AdvisoryPackage:
    return AdvisoryPackage(
        advisory_id=advisory_pk,
        name=entry.name,
        ranges=[[list(event) for event in r.events] for r in entry.ranges],
        versions=list(entry.versions),
        fixed_versions=list(entry.fixed_versions),
        severity=[_severity_json(s) for s in entry.severity],
    )


def _entry(name: str, ranges: list, versions: list, severity: list) -> AffectedPackage:
    return AffectedPackage(
        name=name,
        ranges=tuple(VersionRange(tuple(RangeEvent(k, v) for k, v in r)) for r in ranges),
        versions=tuple(versions),
        severity=_severities(severity),
    )


def _severity_json(severity: Severity) -> dict[str, object]:
    return {"kind": severity.kind, "vector": severity.vector, "score": severity.score}


def _severities(raw: list) -> tuple[Severity, ...]:
    return tuple(
        Severity(
            s["kind"], s["vector"], s["score"], cvss.label_of(s["kind"], s["vector"], s["score"])
        )
        for s in raw
    )
