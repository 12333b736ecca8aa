"""Advisories for a scan without a server: an OSV folder or archive, read once, kept on disk.

``index_from_source`` reads every record of the source (a directory such as a clone of
pypa/advisory-database, or a .zip/.tar.gz of OSV records) and keeps them by package name in
one SQLite file under the cache folder. Later scans read only the declared packages' records
from it, until the source changes (its files' sizes and times, or the archive's).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from packaging.utils import canonicalize_name

from scanning.advisories import sources
from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.osv import OsvAdvisory

logger = logging.getLogger(__name__)
_FORMAT = 1


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
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            logger.warning("advisory cache ignored cache=%s error=%s", database, exc)
    advisories = _read_source(location)
    if database is not None:
        _write(database, advisories)
    wanted_set = set(wanted)
    return AdvisoryIndex(a for a in advisories if wanted_set & set(a.packages))


def _read_source(location: Path) -> list[OsvAdvisory]:
    report = sources.ReadReport()
    try:
        found = [advisory for _, advisory in sources.read_source(location, report=report)]
    except sources.UnreadableSource as exc:
        raise UnreadableAdvisories(str(exc)) from exc
    if report.incomplete:
        raise UnreadableAdvisories(f"{location}: {report.incomplete}")
    return found


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
            found += [a for (data,) in rows for a in pickle.loads(data)]  # noqa: S301
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
            connection.execute("CREATE TABLE advisories (name TEXT PRIMARY KEY, data BLOB)")
            connection.executemany(
                "INSERT INTO advisories VALUES (?, ?)",
                ((name, pickle.dumps(found)) for name, found in sorted(by_name.items())),
            )
        connection.close()
        os.replace(temporary, database)
        for stale in database.parent.glob("advisories-*.sqlite3"):
            if stale != database:
                stale.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        temporary.unlink(missing_ok=True)
        logger.warning("advisory cache not written cache=%s error=%s", database, exc)
