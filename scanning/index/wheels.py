"""The import names a distribution's wheel installs, read from a simple package index.

Reads as little as it can, the way pip's lazy wheel does: the project's index page (JSON or
HTML: ``scanning.index.simple_index``), then HTTP Range requests for the end of the wheel (the zip's
central directory, where the .dist-info files usually also are) and for any member not yet
fetched. A server that ignores Range gets a full download, capped in size. Every request has
a timeout and the whole lookup a deadline; nothing from a wheel is executed or written to disk.
No ORM here: ``scanning.package_cache.importnames`` caches what this module finds.
"""

from __future__ import annotations

import dataclasses
import http.client
import io
import re
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from scanning.distributions import metadata, plugin_fixtures
from scanning.index import simple_index
from scanning.types import NOT_ON_INDEX, DistributionFacts

MB = 1024 * 1024
MAX_PAGE_BYTES = 20 * MB
TAIL_BYTES = 256 * 1024  # first Range request: usually the central directory and .dist-info
CHUNK_BYTES = 64 * 1024  # smallest later Range request
MAX_RANGE_BYTES = 16 * MB  # fetched by Range requests per wheel
MAX_TOP_LEVEL_BYTES = 64 * 1024  # uncompressed top_level.txt
MAX_RECORD_BYTES = 16 * MB  # uncompressed RECORD
MAX_METADATA_BYTES = 4 * MB  # uncompressed METADATA (long descriptions)
# What zipfile raises on a damaged or hostile archive (encrypted members: RuntimeError; an
# unknown compression: NotImplementedError; a bad seek: OSError; bad text: ValueError).
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
    ValueError,
)


class LookupFailed(Exception):
    """This distribution's names could not be read (not on the index, no wheel, malformed)."""


class NotFound(LookupFailed):
    """The server has nothing at this URL (HTTP 404 or 410)."""


class ProjectNotFound(LookupFailed):
    """The index has no project of this name: a typo, a removed package or an internal name."""


class IndexUnreachable(LookupFailed):
    """The index or its file host did not answer properly: other lookups would fail too."""


@dataclass(frozen=True, slots=True)
class WheelNames:
    import_names: tuple[str, ...]
    version: str  # the release whose wheel was read
    filename: str
    note: str = ""  # e.g. no wheel for the declared version, the latest was read
    facts: DistributionFacts | None = None  # everything the wheel's .dist-info says


@dataclass(frozen=True, slots=True)
class Http:
    """GET with a timeout per request, a deadline for the whole lookup and a size cap."""

    timeout: float
    deadline: float  # time.monotonic() value
    # One session for a scan's lookups: its connections are kept alive and shared by threads.
    session: requests.Session = field(default_factory=lambda: session())

    def get(
        self, url: str, *, limit: int, accept: str = "*/*", byte_range: str = ""
    ) -> tuple[int, Mapping[str, str], bytes]:
        """(status, headers, body).

        Raises LookupFailed when the answer concerns this file only (404, too large) and
        IndexUnreachable when other requests would most likely fail too (timeouts, refused
        connections, 5xx, 401/403/429, a broken HTTP answer).
        """
        if not url.startswith(("https://", "http://")):
            raise LookupFailed(f"not an http(s) URL: {url[:200]!r}")
        headers = {"Accept": accept, "Accept-Encoding": "identity"}
        if byte_range:
            headers["Range"] = f"bytes={byte_range}"
        try:
            with self.session.get(
                url, headers=headers, timeout=self._timeout(), stream=True
            ) as response:
                status = response.status_code
                if status in (401, 403, 407, 429) or status >= 500:
                    raise IndexUnreachable(f"answered HTTP {status}")
                if status in (404, 410):
                    raise NotFound(f"{_name(url)}: not found (HTTP {status})")
                if status >= 300:
                    raise LookupFailed(f"{_name(url)}: HTTP {status}")
                whole = bool(byte_range) and status == 200
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise LookupFailed(_too_large(url, limit, ignores_range=whole))
                body = self._read(response.raw, limit, url, ignores_range=whole)
                return status, response.headers, body
        except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL) as exc:
            raise LookupFailed(f"{_name(url)}: not an http(s) URL ({_reason(exc)})") from exc
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            http.client.HTTPException,
            OSError,
            ValueError,
        ) as exc:
            # Refused, reset, timed out, too many redirects, or not HTTP at all.
            raise IndexUnreachable(f"unreachable: {_reason(exc)}") from exc

    def _timeout(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise IndexUnreachable("out of time for this scan's lookups")
        return min(self.timeout, left)

    def _read(self, response: Any, limit: int, url: str, *, ignores_range: bool) -> bytes:
        parts: list[bytes] = []
        size = 0
        while chunk := response.read(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > limit:
                raise LookupFailed(_too_large(url, limit, ignores_range=ignores_range))
            if time.monotonic() > self.deadline:
                raise IndexUnreachable("out of time for this scan's lookups")
            parts.append(chunk)
        return b"".join(parts)


def session(connections: int = 8) -> requests.Session:
    """An HTTP session (environment proxies included) keeping ``connections`` alive per host.

    requests follows redirects to http(s) URLs only: any other scheme is an error.
    """
    opened = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=connections)
    opened.mount("https://", adapter)
    opened.mount("http://", adapter)
    opened.max_redirects = 5
    return opened


def opener() -> urllib.request.OpenerDirector:
    """A urllib opener (environment proxies included) that redirects to http(s) URLs only."""
    return urllib.request.build_opener(_HttpOnlyRedirects())


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if not newurl.startswith(("https://", "http://")):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-http URL", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def wheel_import_names(
    name: str, version: str, *, index_url: str, http: Http, max_download: int
) -> WheelNames:
    """What a wheel of ``name`` (release ``version`` if it has one, else the latest) installs.

    ``max_download`` caps a full download when the file server ignores Range requests.
    """
    page_url = f"{index_url.rstrip('/')}/{name}/"
    try:
        _, _, body = http.get(page_url, limit=MAX_PAGE_BYTES, accept=simple_index.ACCEPT)
    except NotFound as exc:
        raise ProjectNotFound(f"{NOT_ON_INDEX} ({str(exc).rpartition('(')[2]}") from exc
    try:
        page = simple_index.parse_project_page(body, page_url)
    except simple_index.NotASimplePage as exc:
        raise IndexUnreachable(str(exc)) from exc
    except simple_index.PageUnreadable as exc:
        raise LookupFailed(str(exc)) from exc
    wheels = _wheels(page.files, name)
    if not wheels:
        raise LookupFailed("no wheel (an sdist is never read)")
    chosen, note = _choose(wheels, version)
    archive = _open_wheel(chosen.url, http=http, max_download=max_download)
    try:
        facts = facts_in_wheel(archive, name, str(chosen.version), origin=chosen.filename)
    except _UNREADABLE as exc:
        raise LookupFailed(f"{chosen.filename} is not a readable wheel: {exc}"[:300]) from exc
    return WheelNames(facts.import_names, str(chosen.version), chosen.filename, note, facts)


@dataclass(frozen=True, slots=True)
class _Wheel:
    filename: str
    url: str
    version: Version
    pure: bool
    size: int


def _wheels(files: Iterable[simple_index.IndexFile], name: str) -> list[_Wheel]:
    found = []
    for file in files:
        if file.yanked:
            continue
        try:
            wheel_name, wheel_version, _, tags = parse_wheel_filename(file.filename)
        except (InvalidWheelFilename, InvalidVersion):
            continue  # sdists, and names that are not wheels
        if canonicalize_name(wheel_name) != name:
            continue
        found.append(
            _Wheel(
                file.filename,
                file.url,
                wheel_version,
                pure=any(tag.platform == "any" for tag in tags),
                size=file.size if file.size is not None else 1 << 62,
            )
        )
    return found


def _choose(wheels: list[_Wheel], version: str) -> tuple[_Wheel, str]:
    """A wheel of ``version`` if there is one, else of the latest (final) release.

    Among a release's wheels a pure-Python one first, then the smallest: what they install
    is the same module tree in all but exotic cases.
    """
    wanted = _version(version)
    note = ""
    candidates = [w for w in wheels if w.version == wanted] if wanted else []
    if not candidates:
        finals = [w for w in wheels if not w.version.is_prerelease] or wheels
        latest = max(w.version for w in finals)
        candidates = [w for w in finals if w.version == latest]
        if wanted:
            note = f"no wheel of {version} on the index; read {latest}"
    return min(candidates, key=lambda w: (not w.pure, w.size, w.filename)), note


def _open_wheel(url: str, *, http: Http, max_download: int) -> zipfile.ZipFile:
    status, headers, tail = http.get(
        url, limit=max(max_download, TAIL_BYTES), byte_range=f"-{TAIL_BYTES}"
    )
    try:
        if status == 206:
            total = _total_size(headers.get("Content-Range", ""))
            if total is None or len(tail) > total:
                raise LookupFailed("the file server sent a Range answer without a usable size")
            source: Any = _RemoteFile(http, url, total, tail)
        else:  # the server ignored Range and sent the whole wheel (within max_download)
            source = io.BytesIO(tail)
        return zipfile.ZipFile(source)
    except _UNREADABLE as exc:
        raise LookupFailed(f"{_name(url)} is not a readable wheel: {exc}"[:300]) from exc


def _version(text: str) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def _total_size(content_range: str) -> int | None:
    match = re.fullmatch(r"bytes \d+-\d+/(\d+)", content_range.strip())
    return int(match.group(1)) if match else None


class _RemoteFile:
    """A read-only, seekable file over HTTP Range requests, for ``zipfile``.

    Starts with the wheel's last bytes; whatever ``zipfile`` then reads outside what was
    fetched is fetched (at least ``CHUNK_BYTES`` at a time), up to ``MAX_RANGE_BYTES`` in all.
    """

    def __init__(self, http: Http, url: str, size: int, tail: bytes) -> None:
        self.http = http
        self.url = url
        self.size = size
        self.position = 0
        self.segments: list[tuple[int, bytes]] = [(size - len(tail), tail)]
        self.fetched = len(tail)

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of the wheel")
        self.position = base + offset
        return self.position

    def read(self, size: int | None = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self.position + size)
        if end <= self.position:
            return b""
        data = self._bytes(self.position, end)
        self.position = end
        return data

    def _bytes(self, start: int, end: int) -> bytes:
        for offset, data in self.segments:
            if offset <= start and end <= offset + len(data):
                return data[start - offset : end - offset]
        fetch_end = min(self.size, max(end, start + CHUNK_BYTES))
        if self.fetched + fetch_end - start > MAX_RANGE_BYTES:
            raise LookupFailed(f"reading {_name(self.url)} needs over {MAX_RANGE_BYTES} bytes")
        status, headers, data = self.http.get(
            self.url, limit=fetch_end - start, byte_range=f"{start}-{fetch_end - 1}"
        )
        expected = f"bytes {start}-{fetch_end - 1}/{self.size}"
        if status != 206 or headers.get("Content-Range", "").strip() != expected:
            raise LookupFailed("the file server answered a Range request with other bytes")
        if len(data) != fetch_end - start:
            raise LookupFailed("the file server sent a short Range answer")
        self.fetched += len(data)
        self.segments.append((start, data))
        return data[: end - start]


def facts_in_wheel(
    archive: zipfile.ZipFile, name: str, version: str, *, origin: str = ""
) -> DistributionFacts:
    """What a wheel's ``.dist-info`` says: import names (from ``RECORD``, which shows what a
    namespace package really installs, else ``top_level.txt``), ``Requires-Dist`` with its
    extras and markers, entry points and console scripts, licence and installed size."""
    members = archive.namelist()
    dist_info = _dist_info_dir(members, name)
    present = set(members)

    def text(member: str, limit: int) -> str:
        path = f"{dist_info}/{member}"
        return _member_text(archive, path, limit) if path in present else ""

    record = text("RECORD", MAX_RECORD_BYTES)
    top_level = text("top_level.txt", MAX_TOP_LEVEL_BYTES)
    if not record and not top_level:
        raise LookupFailed("the wheel has no RECORD")
    facts = metadata.facts_from_dist_info(
        name,
        version,
        metadata=text("METADATA", MAX_METADATA_BYTES),
        entry_points=text("entry_points.txt", MAX_TOP_LEVEL_BYTES),
        record=record,
        top_level=top_level,
        origin=origin,
    )
    plugins = plugin_fixtures.plugin_modules(
        point.value for point in facts.entry_points if point.group == PYTEST_PLUGINS
    )
    if plugins:
        fixtures = plugin_fixtures.fixtures_of(plugins, _module_reader(archive, present))
        facts = dataclasses.replace(facts, fixtures=fixtures)
    return facts


PYTEST_PLUGINS = "pytest11"
MAX_MODULE_BYTES = 1 * MB  # uncompressed source of one plugin module


def _module_reader(archive: zipfile.ZipFile, present: set[str]) -> plugin_fixtures.ReadModule:
    """Source of a module the wheel installs (``pkg/mod.py`` or ``pkg/mod/__init__.py``)."""

    def read(module: str) -> tuple[str, bool] | None:
        stem = module.replace(".", "/")
        for member, package in ((f"{stem}.py", False), (f"{stem}/__init__.py", True)):
            if member in present:
                try:
                    return _member_text(archive, member, MAX_MODULE_BYTES), package
                except (LookupFailed, *_UNREADABLE):
                    return None  # too large or unreadable: its fixtures stay unknown
        return None

    return read


def names_in_wheel(archive: zipfile.ZipFile, name: str) -> tuple[str, ...]:
    """The import names a wheel installs (see ``facts_in_wheel``)."""
    return facts_in_wheel(archive, name, "").import_names


def _dist_info_dir(members: list[str], name: str) -> str:
    found = {m.split("/", 1)[0] for m in members if m.split("/", 1)[0].endswith(".dist-info")}
    ours = [
        folder
        for folder in found
        if canonicalize_name(folder.removesuffix(".dist-info").rsplit("-", 1)[0]) == name
    ]
    if len(ours) == 1:
        return ours[0]
    if len(found) == 1:  # an old wheel spelling its name some other way
        return found.pop()
    raise LookupFailed(f"the wheel has {len(found)} .dist-info folders, not one for {name}")


def _member_text(archive: zipfile.ZipFile, member: str, limit: int) -> str:
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise LookupFailed(f"{member} is over {limit} bytes")
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise LookupFailed(f"{member} is over {limit} bytes")
    return data.decode("utf-8", errors="replace")


def import_names_from_paths(paths: Iterable[str]) -> list[str]:
    """Top-level modules and packages among installed file paths (a wheel's RECORD)."""
    return list(metadata.modules_from_record((path, 0) for path in paths))


def _too_large(url: str, limit: int, *, ignores_range: bool) -> str:
    if ignores_range:
        return f"the file server ignores Range requests and {_name(url)} is over {limit} bytes"
    return f"{_name(url)} is over {limit} bytes"


def _name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("#", 1)[0][:200]


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return (str(reason) or type(reason).__name__)[:200]
