"""Reading manifest bytes and turning one requirement string into a Declaration.

Every function here returns a FileError instead of raising: manifests come from repositories we
do not control.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name

from scanning.evidence import sources, toml11
from scanning.types import EXACT, RANGE, UNPINNED, Declaration, FileError, ManifestFile

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_REQUIREMENT_CHARS = 10_000
# Requirements (and their line errors) read from one manifest: the largest real locks hold a
# few thousand; a 2 MB file of one-letter names would cost half a minute of parsing.
MAX_ENTRIES = 20_000
TOO_LARGE = "skipped: too large"
TOO_MANY = f"skipped: more than {MAX_ENTRIES} requirements; not read"


class TooManyEntries(Exception):
    """A manifest holds more than ``MAX_ENTRIES`` requirements: it is not read at all."""


# Patterns are linear on hostile input: no two adjacent unbounded quantifiers can share text.
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_CREDENTIALS = re.compile(r"(?<=://)[^\s/]*@")
# A URL's query (up to its fragment or the end of the URL): signed and tokened links
# (``?token=``, ``X-Amz-Signature=``, ``sig=``) carry their secret there.
_URL_QUERY = re.compile(r"(?<=://)([^\s?#'\"]*\?)([^\s#'\"]*)")
_QUERY_VALUE = re.compile(r"=[^&;]*")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EGG = re.compile(r"(?:^|&)egg=([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
_VCS_REF = re.compile(r"@([^/@#]+)$")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")
_EDITABLE_PREFIX = re.compile(r"^(?:-e|--editable)(?:\s+|=)")
_PATH_SEPARATOR = re.compile(r"[/\\]")
# What PEP 508 puts after a name (version operators, ";", "@", extras) and a path's first part
# does not have.
_REQUIREMENT_PUNCTUATION = re.compile(r"[\s;@<>=!()\[\]]|~=")


@dataclass(slots=True)
class Source:
    """A manifest's decoded text; decoding problems are already in ``errors``."""

    path: str
    text: str
    content_hash: str
    errors: list[FileError] = field(default_factory=list)

    def manifest(self, kind: str, purpose: str) -> ManifestFile:
        return ManifestFile(self.path, kind, purpose, self.content_hash, errors=list(self.errors))


def redact(text: str) -> str:
    """Replace the user-info part of every URL (``https://user:token@host``) with ``***@``
    and every value of its query (``?token=abc`` -> ``?token=***``); the fragment
    (``#egg=name``) names the package and stays."""
    if "://" not in text:
        return text
    text = _CREDENTIALS.sub("***@", text)
    if "?" not in text:
        return text
    return _URL_QUERY.sub(lambda m: m[1] + _query_redacted(m[2]), text)


def _query_redacted(query: str) -> str:
    if "=" not in query:
        return "***" if query else ""  # a bare ``?SECRET``
    return _QUERY_VALUE.sub("=***", query)


def strip_comment(line: str) -> str:
    """Drop a ``#`` comment that starts the line or follows whitespace (``#egg=`` stays)."""
    return (_COMMENT.sub("", line) if "#" in line else line).strip()


def decode(data: bytes) -> tuple[str, bool]:
    """Return the text and whether it was valid UTF-8."""
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace").removeprefix("\ufeff"), False


def load(root: Path, path: str) -> Source | ManifestFile:
    """Read ``root/path``; an unreadable or huge file becomes a ManifestFile with its error."""
    try:
        data = sources.read_regular(root / path, MAX_FILE_BYTES)
    except ValueError as exc:  # a NUL in the path
        data = f"unreadable: {exc}"
    if isinstance(data, str):
        return ManifestFile(path, "", "", "", errors=[FileError(path, data)])
    text, valid = decode(data)
    source = Source(path, text, hashlib.sha256(data).hexdigest())
    if not valid:
        source.errors.append(FileError(path, "not valid UTF-8; undecodable bytes replaced"))
    return source


def add_result(manifest: ManifestFile, result: Declaration | FileError | None) -> None:
    """Add a parsed requirement or its error; raises ``TooManyEntries`` past the cap."""
    if len(manifest.declarations) + len(manifest.errors) >= MAX_ENTRIES:
        raise TooManyEntries(manifest.path)
    if isinstance(result, FileError):
        manifest.errors.append(result)
    elif result is not None:
        manifest.declarations.append(result)


def load_toml(source: Source) -> dict[str, object] | FileError:
    try:
        return toml11.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        return FileError(source.path, f"invalid TOML: {exc}")
    except RecursionError:
        return FileError(source.path, "invalid TOML: nested too deeply")


def table(data: object, *keys: str) -> dict[str, object]:
    """``data[k1][k2]...`` when every step is a table, else an empty dict."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def canonical_name(name: str) -> str | None:
    try:
        return canonicalize_name(name, validate=True)
    except InvalidName:
        return None


def pin_of(specifier: SpecifierSet) -> tuple[str, str]:
    """Return ``(pin_level, pinned_version)`` for a specifier set."""
    specs = list(specifier)
    for spec in specs:
        if spec.operator == "===" or (spec.operator == "==" and "*" not in spec.version):
            return EXACT, spec.version
    return (RANGE, "") if specs else (UNPINNED, "")


def parse_specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def is_local_path(text: str) -> bool:
    """True for first-party code: ``.``, ``./pkg``, ``../pkg``, ``/abs``, ``~/pkg``, ``file:…``,
    ``.[extra]``, ``pkg/sub``, ``pkg-1.0.tar.gz`` (also after ``-e``).

    A name followed by a version, marker, extras or ``@ url`` is a requirement even when a
    ``/`` comes later (``requests; platform_release == "5.4/x"``, ``pkg @ https://x/y``).
    """
    text = _EDITABLE_PREFIX.sub("", text.strip(), count=1)
    if text.startswith((".", "/", "~", "file:")):
        return True
    if _URL_SCHEME.match(text):
        return False
    head = _PATH_SEPARATOR.split(text, maxsplit=1)[0]
    if _REQUIREMENT_PUNCTUATION.search(head):
        return False
    return head != text or text.endswith((".whl", ".tar.gz", ".zip"))


def declaration(
    text: str, *, path: str, line: int, purpose: str, editable: bool = False
) -> Declaration | FileError | None:
    """Build a Declaration from a PEP 508 string, a bare URL or a VCS URL.

    Returns None for local paths (first-party code, not a dependency).
    """
    text = text.strip()
    if not text or is_local_path(text):
        return None
    if len(text) > MAX_REQUIREMENT_CHARS:
        return FileError(path, "requirement too long", line)
    if _URL_SCHEME.match(text) or text.startswith(("git+", "hg+", "svn+", "bzr+")):
        return _url_declaration(text, path=path, line=line, purpose=purpose, editable=editable)
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return FileError(path, f"invalid requirement: {redact(text)[:200]}", line)
    name = canonical_name(requirement.name)
    if name is None:
        return FileError(path, f"invalid name: {redact(requirement.name)[:200]}", line)
    if requirement.url:
        pin_level, pinned = url_pin(requirement.url)
    else:
        pin_level, pinned = pin_of(requirement.specifier)
    return Declaration(
        path=path,
        line=line,
        name=name,
        raw=redact(text),
        purpose=purpose,
        # ``x===git+https://user:token@host/...`` is a valid arbitrary-equality "version".
        specifier=redact(str(requirement.specifier)),
        extras=tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
        marker=str(requirement.marker) if requirement.marker else "",
        pinned_version=redact(pinned),
        pin_level=pin_level,
        url=redact(requirement.url or ""),
        editable=editable,
    )


def _url_declaration(
    url: str, *, path: str, line: int, purpose: str, editable: bool
) -> Declaration | FileError:
    _, _, fragment = url.partition("#")
    egg = _EGG.search(fragment)
    archive = archive_name_version(url)
    raw_name = egg.group(1) if egg else archive[0] if archive else ""
    name = canonical_name(raw_name) if raw_name else None
    if name is None:
        return FileError(path, f"cannot tell the package name of {redact(url)[:200]}", line)
    extras: tuple[str, ...] = ()
    if egg and egg.group(2):
        extras = tuple(sorted(canonicalize_name(e.strip()) for e in egg.group(2)[1:-1].split(",")))
    pin_level, pinned = url_pin(url)
    return Declaration(
        path=path,
        line=line,
        name=name,
        raw=redact(f"-e {url}" if editable else url),
        purpose=purpose,
        extras=extras,
        pinned_version=pinned,
        pin_level=pin_level,
        url=redact(url),
        editable=editable,
    )


def url_pin(url: str) -> tuple[str, str]:
    """An archive URL pins one version; a VCS URL with ``@ref`` pins a ref (a range at best)."""
    location = url.partition("#")[0].partition("?")[0]
    archive = archive_name_version(url)
    if archive:
        return EXACT, archive[1]
    if "+" in location.partition("://")[0]:
        after_host = location.partition("://")[2].partition("/")[2]
        return (RANGE, "") if _VCS_REF.search(after_host) else (UNPINNED, "")
    return RANGE, ""


def archive_name_version(url: str) -> tuple[str, str] | None:
    """``(name, version)`` from a wheel or sdist file name at the end of a URL."""
    filename = url.partition("#")[0].partition("?")[0].rpartition("/")[2]
    for suffix in _ARCHIVE_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename.removesuffix(suffix)
            parts = stem.split("-") if suffix == ".whl" else stem.rsplit("-", 1)
            if len(parts) >= 2 and parts[0] and parts[1][:1].isdigit():
                return parts[0], parts[1]
    return None
