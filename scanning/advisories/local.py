"""Advisories for a scan without a server: an OSV folder or archive, read once, kept on disk.

``index_from_source`` reads every record of the source (a directory such as a clone of
pypa/advisory-database, or a .zip/.tar.gz of OSV records) and keeps them by package name in
one SQLite file under the cache folder. Later scans read only the declared packages' records
from it, until the source changes (its files' sizes and times, or the archive's).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from packaging.utils import canonicalize_name

from scanning.advisories import aliases as alias_groups
from scanning.advisories import sources
from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.osv import (
    AffectedPackage,
    OsvAdvisory,
    RangeEvent,
    Severity,
    VersionRange,
)

logger = logging.getLogger(__name__)
_FORMAT = 3  # 3: severities merged by alias before they are kept


class UnreadableAdvisories(ValueError):
    """The advisory source cannot be read: nothing can be audited against it."""


def fingerprint(location: Path) -> str:
    """Changes whenever a record of the source may have: every file's path, size and time."""
    digest = hashlib.sha256(f"{_FORMAT} {location.resolve()}".encode())
    if location.is_dir():
        for folder, dirs, files in os.walk(location):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name} {info.st_size} {info.st_mtime_ns}\n".encode())
    else:
        info = location.stat()
        digest.update(f"{info.st_size} {info.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def index_from_source(
    location: Path, *, names: Iterable[str], cache_dir: Path | None
) -> AdvisoryIndex:
    """The advisories about ``names`` in ``location``; raises UnreadableAdvisories."""
    wanted = sorted({canonicalize_name(n) for n in names})
    if not location.exists():
        raise UnreadableAdvisories(f"no advisory source at {location}")
    try:
        key = fingerprint(location)
    except OSError as exc:
        raise UnreadableAdvisories(f"cannot list {location}: {exc.strerror}") from exc
    database = cache_dir / f"advisories-{key}.sqlite3" if cache_dir else None
    if database is not None and database.exists():
        try:
            return AdvisoryIndex(_read(database, wanted))
        except (sqlite3.Error, ValueError, KeyError, TypeError, IndexError) as exc:
            logger.warning("advisory cache ignored cache=%s error=%s", database, exc)
    advisories = _read_source(location)
    if database is not None:
        _write(database, advisories)
    wanted_set = set(wanted)
    return AdvisoryIndex(a for a in advisories if wanted_set & set(a.packages))


def _read_source(location: Path) -> list[OsvAdvisory]:
    """Every record of the source, each with the severities of every record sharing an id or
    alias with it (GitHub's record of a PYSEC one, in the same folder), as the server's mirror
    gives them: merged over the whole source, before a package's records are kept apart."""
    report = sources.ReadReport()
    try:
        found = [advisory for _, advisory in sources.read_source(location, report=report)]
    except sources.UnreadableSource as exc:
        raise UnreadableAdvisories(str(exc)) from exc
    if report.incomplete:
        raise UnreadableAdvisories(f"{location}: {report.incomplete}")
    return alias_groups.merge_by_alias(found)


def _read(database: Path, wanted: list[str]) -> list[OsvAdvisory]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        found: list[OsvAdvisory] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = connection.execute(
                f"SELECT data FROM advisories WHERE name IN ({marks})",  # noqa: S608 - only ?s
                chunk,
            )
            found += [_advisory(row) for (data,) in rows for row in json.loads(data)]
        return found


def _write(database: Path, advisories: list[OsvAdvisory]) -> None:
    by_name: dict[str, list[OsvAdvisory]] = {}
    for advisory in advisories:
        for name in set(advisory.packages):
            by_name.setdefault(name, []).append(advisory)
    temporary = database.with_suffix(f".{os.getpid()}.tmp")
    try:
        database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with sqlite3.connect(temporary) as connection:
            connection.execute("CREATE TABLE advisories (name TEXT PRIMARY KEY, data TEXT)")
            connection.executemany(
                "INSERT INTO advisories VALUES (?, ?)",
                (
                    (name, json.dumps([_row(a) for a in found]))
                    for name, found in sorted(by_name.items())
                ),
            )
        connection.close()
        os.replace(temporary, database)
        for stale in database.parent.glob("advisories-*.sqlite3"):
            if stale != database:
                stale.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        temporary.unlink(missing_ok=True)
        logger.warning("advisory cache not written cache=%s error=%s", database, exc)


# Plain JSON, never pickle: a cache folder restored from elsewhere (a CI cache) is data, and
# reading it must not run anyone's code.
def _severities(found: tuple[Severity, ...]) -> list[list]:
    return [[s.kind, s.vector, s.score, s.label] for s in found]


def _row(advisory: OsvAdvisory) -> dict:
    return {
        "id": advisory.id,
        "modified": advisory.modified.isoformat(),
        "source": advisory.source,
        "aliases": list(advisory.aliases),
        "summary": advisory.summary,
        "details": advisory.details,
        "published": advisory.published.isoformat() if advisory.published else None,
        "withdrawn": advisory.withdrawn.isoformat() if advisory.withdrawn else None,
        "affected": [
            {
                "name": entry.name,
                "ranges": [[list(event) for event in r.events] for r in entry.ranges],
                "versions": list(entry.versions),
                "severity": _severities(entry.severity),
            }
            for entry in advisory.affected
        ],
        "severity": _severities(advisory.severity),
    }


def _time(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _severity(rows: list) -> tuple[Severity, ...]:
    return tuple(
        Severity(str(k), str(v), None if s is None else float(s), str(label))
        for k, v, s, label in rows
    )


def _advisory(row: dict) -> OsvAdvisory:
    """The advisory ``_row`` wrote; KeyError, TypeError or ValueError when it is not one."""
    modified = _time(row["modified"])
    if modified is None:
        raise ValueError("an advisory without its modification time")
    return OsvAdvisory(
        id=str(row["id"]),
        modified=modified,
        source=str(row["source"]),
        aliases=tuple(str(a) for a in row["aliases"]),
        summary=str(row["summary"]),
        details=str(row["details"]),
        published=_time(row["published"]),
        withdrawn=_time(row["withdrawn"]),
        affected=tuple(
            AffectedPackage(
                name=str(entry["name"]),
                ranges=tuple(
                    VersionRange(tuple(RangeEvent(str(k), str(v)) for k, v in events))
                    for events in entry["ranges"]
                ),
                versions=tuple(str(v) for v in entry["versions"]),
                severity=_severity(entry["severity"]),
            )
            for entry in row["affected"]
        ),
        severity=_severity(row["severity"]),
    )
