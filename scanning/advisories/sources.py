"""Read OSV records from a local directory tree or an OSV ``all.zip`` export.

Readers yield ``(path, advisory)`` and record every unreadable file in a ``ReadReport``
instead of raising: one bad file never stops a sync. The report also lists every record id
the source holds (read or skipped as unchanged) and whether the whole source was listed, so a
sync can tell which stored advisories the source no longer has. Nothing here touches the
network.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from scanning.advisories.osv import MalformedAdvisory, OsvAdvisory, parse_osv, parse_timestamp

MAX_RECORD_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 250_000
SUFFIXES = (".json", ".yaml", ".yml")

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Top-level ``modified:`` and ``id:`` lines, read before paying for a full YAML parse.
_YAML_MODIFIED = re.compile(r"^modified:[ \t]*['\"]?([0-9][0-9:.TZtz+\- ]*?)['\"]?[ \t]*$", re.M)
_YAML_ID = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9][A-Za-z0-9._:\-]*)['\"]?[ \t]*$", re.M)


class UnreadableSource(ValueError):
    """The location is neither a directory nor a zip archive."""


@dataclass(slots=True)
class ReadReport:
    errors: list[MalformedAdvisory] = field(default_factory=list)
    records_seen: int = 0
    unchanged: int = 0  # skipped because ``modified`` is older than ``since``
    not_pypi: int = 0  # valid records that affect no PyPI package
    ids: dict[str, str] = field(default_factory=dict)  # id -> path of every record it holds
    # Why the listing of the source itself is incomplete (a folder that could not be listed,
    # an archive over its member cap): its missing records cannot be told from deleted ones.
    incomplete: str = ""

    def mark_incomplete(self, reason: str) -> None:
        self.incomplete = self.incomplete or reason


def read_source(
    location: Path, *, report: ReadReport, since: datetime | None = None
) -> Iterator[tuple[str, OsvAdvisory]]:
    if location.is_dir():
        return read_directory(location, report=report, since=since)
    if location.is_file() and zipfile.is_zipfile(location):
        return read_zip(location, report=report, since=since)
    raise UnreadableSource(f"{location} is not a directory or a zip archive")


def read_directory(
    root: Path, *, report: ReadReport, since: datetime | None = None
) -> Iterator[tuple[str, OsvAdvisory]]:
    """Every ``.yaml``/``.yml``/``.json`` record under ``root`` (hidden entries skipped)."""
    since = _aware(since)

    def unlisted(error: OSError) -> None:
        report.errors.append(MalformedAdvisory(str(error.filename), f"cannot list: {error}"))
        report.mark_incomplete(f"{error.filename} could not be listed")

    for directory, subdirs, files in os.walk(root, onerror=unlisted):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(directory, name)
            if name.startswith(".") or not name.lower().endswith(SUFFIXES) or path.is_symlink():
                continue
            report.records_seen += 1
            try:
                size = path.stat().st_size
                if size > MAX_RECORD_BYTES:
                    raise MalformedAdvisory(str(path), _too_big(size, MAX_RECORD_BYTES))
                raw = path.read_bytes()
            except OSError as exc:
                report.errors.append(MalformedAdvisory(str(path), f"cannot read: {exc}"))
                continue
            except MalformedAdvisory as exc:
                report.errors.append(exc)
                continue
            advisory = _record(str(path), raw, report=report, since=since)
            if advisory is not None:
                yield str(path), advisory


def read_zip(
    archive: Path,
    *,
    report: ReadReport,
    since: datetime | None = None,
    max_member_bytes: int = MAX_RECORD_BYTES,
    max_members: int = MAX_ZIP_MEMBERS,
) -> Iterator[tuple[str, OsvAdvisory]]:
    """Records inside an OSV export, streamed member by member, never extracted to disk."""
    since = _aware(since)
    with zipfile.ZipFile(archive) as bundle:
        members = [m for m in bundle.infolist() if not m.is_dir()]
        if len(members) > max_members:
            report.errors.append(
                MalformedAdvisory(
                    str(archive),
                    f"{len(members)} members, over the cap of {max_members}: read the first only",
                )
            )
            report.mark_incomplete(f"{archive} has more members than the cap of {max_members}")
            members = members[:max_members]
        for member in members:
            if not member.filename.lower().endswith(SUFFIXES):
                continue
            path = f"{archive}!{member.filename}"
            report.records_seen += 1
            try:
                raw = _read_member(bundle, member, path, max_member_bytes)
            except MalformedAdvisory as exc:
                report.errors.append(exc)
                continue
            advisory = _record(path, raw, report=report, since=since)
            if advisory is not None:
                yield path, advisory


def _read_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, path: str, cap: int) -> bytes:
    if member.file_size > cap:
        raise MalformedAdvisory(path, _too_big(member.file_size, cap))
    try:
        with bundle.open(member) as stream:
            raw = stream.read(cap + 1)  # the header's size may lie: never inflate past the cap
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise MalformedAdvisory(path, f"cannot inflate: {exc}") from None
    if len(raw) > cap:
        raise MalformedAdvisory(path, _too_big(len(raw), cap))
    return raw


def _record(
    path: str, raw: bytes, *, report: ReadReport, since: datetime | None
) -> OsvAdvisory | None:
    """Decode and parse one record; ``None`` when it is skipped or reported."""
    is_yaml = not path.lower().endswith(".json")
    try:
        text = raw.decode("utf-8-sig")
        if since is not None and is_yaml and _modified_before(_peek_yaml_modified(text), since):
            peeked = _peek_yaml_id(text)
            if peeked is not None:  # without its id, parse it: the sync must know it is here
                report.ids.setdefault(peeked, path)
                report.unchanged += 1
                return None
        data = yaml.load(text, Loader=_YamlLoader) if is_yaml else json.loads(text)  # noqa: S506
        if (
            since is not None
            and _modified_before(_modified_of(data), since)
            and isinstance(record_id := data.get("id"), str)
            and record_id.strip()
        ):
            report.ids.setdefault(record_id.strip(), path)
            report.unchanged += 1
            return None
        advisory = parse_osv(data, source=path)
    except MalformedAdvisory as exc:
        report.errors.append(exc)
        return None
    except (ValueError, yaml.YAMLError, RecursionError) as exc:  # JSON errors are ValueErrors
        report.errors.append(MalformedAdvisory(path, f"cannot decode: {_first_line(exc)}"))
        return None
    except (TypeError, KeyError, AttributeError) as exc:  # shapes the reader did not foresee
        report.errors.append(MalformedAdvisory(path, f"unexpected record shape: {exc!r}"[:300]))
        return None
    if advisory is None:
        report.not_pypi += 1
        report.ids.setdefault(str(data["id"]).strip(), path)  # parse_osv checked it is there
        return None
    report.ids.setdefault(advisory.id, path)
    return advisory


def record_prefix(location: Path) -> str:
    """What the path of every record read from ``location`` starts with."""
    return f"{location}{os.sep}" if location.is_dir() else f"{location}!"


def _peek_yaml_modified(text: str) -> datetime | None:
    found = _YAML_MODIFIED.findall(text)
    return _timestamp_or_none(found[0]) if len(found) == 1 else None


def _peek_yaml_id(text: str) -> str | None:
    found = _YAML_ID.findall(text)
    return found[0] if len(found) == 1 else None


def _modified_of(data: object) -> datetime | None:
    return _timestamp_or_none(data.get("modified")) if isinstance(data, dict) else None


def _modified_before(modified: datetime | None, since: datetime) -> bool:
    # Records modified exactly at ``since`` are read again: the store's upsert makes that harmless.
    return modified is not None and modified < since


def _aware(since: datetime | None) -> datetime | None:
    return None if since is None else parse_timestamp(since)


def _timestamp_or_none(value: object) -> datetime | None:
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _too_big(size: int, cap: int) -> str:
    return f"record is {size} bytes, over the {cap}-byte cap"


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
