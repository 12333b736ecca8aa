"""Which packages the declared ones pull in, per the scan's own facts about them.

What ``requests`` brings along comes from its metadata: the release's ``Requires-Dist`` read
from the package index, or the repository's lock file. Never from the scanning server's
installed packages: a verdict must not depend on what the server happens to have.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanning.distributions import mapping
from scanning.types import Declaration


def pulled_in_by(
    declarations: Iterable[Declaration], *, import_map: mapping.ImportMap
) -> dict[str, tuple[str, ...]]:
    """Each distribution the ``declarations`` install beside themselves → the chain from the
    declared one (``("celery", "kombu")``); extras asked for (``celery[redis]``) count."""
    roots: dict[str, set[str]] = {}
    for declaration in declarations:
        if declaration.name:
            roots.setdefault(declaration.name, set()).update(declaration.extras)
    return import_map.graph.installs(roots.items())


def source_of(chain: tuple[str, ...], *, import_map: mapping.ImportMap) -> str:
    """Where the first link of ``chain`` was read: "per requests' metadata on the package index"."""
    fact = import_map.provided.get(chain[0])
    if fact is None or not fact.requires_source:
        return "per what its metadata says"
    where = mapping.SOURCE_LABELS.get(fact.requires_source, fact.requires_source)
    if fact.requires_source == mapping.INDEX:
        where = f"the metadata of {chain[0]} on the package index"
    elif fact.requires_source == mapping.LOCK:
        where = f"the lock file {fact.origin}" if fact.origin else "the lock file"
    return f"per {where}"
