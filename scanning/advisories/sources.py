"""Read OSV records from a local directory tree, an OSV ``all.zip`` export, or a tarball.

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
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from scanning.advisories.osv import MalformedAdvisory, OsvAdvisory, parse_osv, parse_timestamp

# The archive modules are imported by the readers that open an archive: a scan reading the
# advisories' on-disk form, or a folder, never needs them.
if TYPE_CHECKING:
    import tarfile
    import zipfile

MAX_RECORD_BYTES = 5 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 250_000
MAX_ZIP_MEMBERS = MAX_ARCHIVE_MEMBERS
# Everything a tarball unpacks to, records or not: a stream is inflated even to skip a member.
MAX_TAR_BYTES = 2 * 1024 * 1024 * 1024
SUFFIXES = (".json", ".yaml", ".yml")

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Top-level ``modified:`` and ``id:`` lines, read before paying for a full YAML parse.
_YAML_MODIFIED = re.compile(r"^modified:[ \t]*['\"]?([0-9][0-9:.TZtz+\- ]*?)['\"]?[ \t]*$", re.M)
_YAML_ID = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9][A-Za-z0-9._:\-]*)['\"]?[ \t]*$", re.M)


class UnreadableSource(ValueError):
    """The location is not a directory or an archive that can be read to its end."""


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
    import tarfile
    import zipfile

    if location.is_file() and zipfile.is_zipfile(location):
        return read_zip(location, report=report, since=since)
    if location.is_file() and tarfile.is_tarfile(location):
        return read_tar(location, report=report, since=since)
    raise UnreadableSource(f"{location} is not a directory, a zip or a tar.gz archive")


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
    import zipfile

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
            if _unsafe_name(member.filename):
                report.errors.append(_unsafe(archive, member.filename))
                continue
            try:
                raw = _read_member(bundle, member, path, max_member_bytes)
            except MalformedAdvisory as exc:
                report.errors.append(exc)
                continue
            advisory = _record(path, raw, report=report, since=since)
            if advisory is not None:
                yield path, advisory


def read_tar(
    archive: Path,
    *,
    report: ReadReport,
    since: datetime | None = None,
    max_member_bytes: int = MAX_RECORD_BYTES,
    max_members: int = MAX_ARCHIVE_MEMBERS,
    max_total_bytes: int = MAX_TAR_BYTES,
) -> Iterator[tuple[str, OsvAdvisory]]:
    """Records inside a tarball (``.tar.gz``, as GitHub serves a repository's archive).

    Streamed member by member and never extracted: a member that is not a regular file (a
    symbolic or hard link, a device, a fifo) is reported and not followed, and so is one whose
    name is absolute or climbs out with ``..``. Hidden folders (``.github/``) are skipped, as
    in a directory. An archive over ``max_members`` or ``max_total_bytes``, or one that
    breaks off (a truncated download), raises ``UnreadableSource``: the sync fails rather
    than record a watermark past records it never read.
    """
    import tarfile

    since = _aware(since)
    members = unpacked = 0
    try:
        with tarfile.open(archive, mode="r:*") as bundle:
            for member in bundle:
                members += 1
                unpacked += max(member.size, 0)
                if members > max_members:
                    raise UnreadableSource(f"{archive} has over {max_members} members")
                if unpacked > max_total_bytes:
                    raise UnreadableSource(f"{archive} unpacks to over {max_total_bytes} bytes")
                name = member.name
                if member.isdir() or not name.lower().endswith(SUFFIXES):
                    continue
                if _unsafe_name(name):
                    report.records_seen += 1
                    report.errors.append(_unsafe(archive, name))
                    continue
                if _hidden(name):
                    continue
                path = f"{archive}!{name}"
                report.records_seen += 1
                try:
                    raw = _read_tar_member(bundle, member, path, max_member_bytes)
                except MalformedAdvisory as exc:
                    report.errors.append(exc)
                    continue
                advisory = _record(path, raw, report=report, since=since)
                if advisory is not None:
                    yield path, advisory
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise UnreadableSource(f"{archive} cannot be read to its end: {exc}") from exc


def _read_tar_member(
    bundle: tarfile.TarFile, member: tarfile.TarInfo, path: str, cap: int
) -> bytes:
    if not member.isreg():
        raise MalformedAdvisory(path, f"a {_tar_kind(member)}, not a file: not followed")
    if member.size > cap:
        raise MalformedAdvisory(path, _too_big(member.size, cap))
    stream = bundle.extractfile(member)
    if stream is None:  # pragma: no cover - isreg() members always have data
        raise MalformedAdvisory(path, "no data")
    with stream:
        raw = stream.read(cap + 1)
    if len(raw) > cap:
        raise MalformedAdvisory(path, _too_big(len(raw), cap))
    return raw


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "symbolic link"
    if member.islnk():
        return "hard link"
    if member.ischr() or member.isblk():
        return "device"
    return "fifo" if member.isfifo() else "special member"


def _hidden(name: str) -> bool:
    return any(part.startswith(".") for part in PurePosixPath(name).parts)


def _unsafe_name(name: str) -> bool:
    """An absolute name, one that climbs out with ``..``, or one with control characters."""
    return (
        name.startswith(("/", "\\"))
        or ".." in PurePosixPath(name.replace("\\", "/")).parts
        or any(ord(char) < 32 for char in name)
    )


def _unsafe(archive: Path, name: str) -> MalformedAdvisory:
    return MalformedAdvisory(f"{archive}!{name!r}", "unsafe member name: not read")


def _read_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, path: str, cap: int) -> bytes:
    import zipfile

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
