"""A project page of a simple package index, JSON (PEP 691) or HTML (PEP 503), as a file list.

The format is read from the body, not the Content-Type header: some proxies send HTML labelled
as JSON. HTML goes through ``html.parser`` with limits, because the one in our Python (3.11)
takes quadratic time on unterminated markup and raises ``AssertionError`` on some malformed
declarations: the page is fed in chunks, ``close()`` (where the quadratic work happens) is
never called, markup left unterminated past a bound is refused, and so are pages with more
files or markup than any real project has. Pure: no network, no ORM.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

# JSON preferred; HTML accepted from indexes that have nothing else.
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
MAX_FILES = 100_000  # 20 MB of PyPI's anchors (about 370 bytes each) hold 57,000
MAX_MARKUP_EVENTS = 500_000  # tags, text runs, comments: five per file on PyPI's pages
MAX_PENDING_CHARS = 256 * 1024  # one unterminated tag, comment or declaration
# JSON values (about one per comma): PEP 691 files have about ten each. Bounds what json.loads
# builds from 20 MB of "{}," (half a gigabyte of empty dicts).
MAX_JSON_VALUES = 20 * MAX_FILES
_CHUNK_CHARS = 64 * 1024
_HASH_FRAGMENT = re.compile(r"(sha512|sha384|sha256|sha224|sha1|md5)=([0-9a-fA-F]+)")
# Characters a URL may carry as they are; anything else (spaces, controls, non-ASCII) is
# percent-encoded, as browsers and pip do, so a request is never refused for its URL.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


class PageUnreadable(ValueError):
    """This project page could not be read (malformed, hostile, too big)."""


class NotASimplePage(PageUnreadable):
    """The body is neither a JSON object nor HTML: the index does not speak the simple API."""


@dataclass(frozen=True, slots=True)
class IndexFile:
    filename: str
    url: str  # absolute, without its fragment
    hashes: Mapping[str, str] = field(default_factory=dict)
    requires_python: str = ""
    yanked: bool = False
    core_metadata: bool = False  # PEP 658/714: "{url}.metadata" holds the METADATA file
    upload_time: datetime | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    files: tuple[IndexFile, ...]
    versions: tuple[str, ...] = ()  # PEP 700, JSON pages only
    format: str = "json"  # or "html"


def parse_project_page(body: bytes, page_url: str) -> ProjectPage:
    """The files a project page lists; URLs resolved against ``page_url``.

    Raises NotASimplePage for a body that is neither JSON nor HTML, PageUnreadable for one that
    is malformed or over the limits.
    """
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        return _json_page(text, page_url)
    if text.startswith("<"):
        return _html_page(text, page_url)
    raise NotASimplePage("the index page is neither JSON nor HTML")


def release(filename: str) -> tuple[NormalizedName, Version] | None:
    """(project, version) of a wheel or sdist file name; None for any other file."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
            return name, version
        return parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def timestamp(value: object) -> datetime | None:
    """An ISO 8601 time with its zone (PEP 700's upload-time), else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _json_page(text: str, page_url: str) -> ProjectPage:
    if text.count(",") > MAX_JSON_VALUES:
        raise PageUnreadable("the index page has more JSON values than any project page")
    try:
        page = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting thousands deep
        raise PageUnreadable("the index page is not valid JSON") from exc
    entries = page.get("files") if isinstance(page, dict) else None
    if not isinstance(entries, list):
        raise PageUnreadable("the index page lists no files")
    if len(entries) > MAX_FILES:
        raise PageUnreadable(f"the index page lists over {MAX_FILES} files")
    files = [f for f in (_json_file(e, page_url) for e in entries) if f is not None]
    versions = page.get("versions")
    return ProjectPage(
        tuple(files),
        tuple(v for v in versions if isinstance(v, str)) if isinstance(versions, list) else (),
        "json",
    )


def _json_file(entry: object, page_url: str) -> IndexFile | None:
    if not isinstance(entry, dict):
        return None
    filename, href = entry.get("filename"), entry.get("url")
    if not isinstance(filename, str) or not isinstance(href, str) or not filename:
        return None
    url, from_fragment = _resolve(href, page_url)
    hashes = entry.get("hashes")
    if isinstance(hashes, dict):
        from_fragment.update({k: v for k, v in hashes.items() if isinstance(v, str)})
    requires_python = entry.get("requires-python")
    yanked = entry.get("yanked")
    size = entry.get("size")
    metadata = entry.get("core-metadata", entry.get("dist-info-metadata"))
    return IndexFile(
        filename,
        url,
        from_fragment,
        requires_python if isinstance(requires_python, str) else "",
        yanked=isinstance(yanked, bool | str) and bool(yanked),  # PEP 592: true, or the reason
        core_metadata=metadata is True or isinstance(metadata, dict),
        upload_time=timestamp(entry.get("upload-time")),
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
    )


def _html_page(text: str, page_url: str) -> ProjectPage:
    parser = _AnchorParser()
    try:
        for start in range(0, len(text), _CHUNK_CHARS):
            parser.feed(text[start : start + _CHUNK_CHARS])
            if len(parser.rawdata) > MAX_PENDING_CHARS:
                raise PageUnreadable("the index page has unterminated markup")
    except _TooMuchMarkup as exc:
        raise PageUnreadable(str(exc)) from exc
    except AssertionError as exc:  # html.parser on a malformed declaration ("<![<![")
        raise PageUnreadable("the index page has malformed markup") from exc
    base_url = urljoin(page_url, parser.base_href) if parser.base_href else page_url
    files = [f for f in (_html_file(a, base_url) for a in parser.anchors) if f is not None]
    return ProjectPage(tuple(files), (), "html")


def _html_file(attributes: dict[str, str | None], base_url: str) -> IndexFile | None:
    href = attributes.get("href")
    if not href:
        return None
    url, hashes = _resolve(href, base_url)
    # As pip does: the file is what the URL names; PEP 503's anchor text must say the same.
    path = url.partition("?")[0].partition("://")[2].partition("/")[2]
    filename = unquote(path.rpartition("/")[2])
    if not filename or "/" in filename:
        return None
    # A valueless attribute means "" in HTML: present, so the file is there (as pip reads "").
    metadata = attributes.get(
        "data-core-metadata", attributes.get("data-dist-info-metadata", "false")
    )
    return IndexFile(
        filename,
        url,
        hashes,
        attributes.get("data-requires-python") or "",
        yanked="data-yanked" in attributes,  # a reason, an empty one, or no value at all
        core_metadata=(metadata or "").strip().lower() != "false",
        # Not in PEP 503, but some indexes (PyPI's proxy here) add it; PEP 700's JSON name.
        upload_time=timestamp(attributes.get("data-upload-time")),
    )


def _resolve(href: str, base_url: str) -> tuple[str, dict[str, str]]:
    """The absolute URL without its fragment, and the hash the fragment names (PEP 503)."""
    url, _, fragment = quote(href.strip(), safe=_URL_SAFE).partition("#")
    if not url.startswith(("https://", "http://")):  # absolute ones, as on PyPI, need no join
        url = urljoin(base_url, url)
    found = _HASH_FRAGMENT.fullmatch(fragment)
    return url, ({found.group(1): found.group(2).lower()} if found else {})


class _TooMuchMarkup(Exception):
    pass


class _AnchorParser(HTMLParser):
    """Collects the attributes of every ``<a>`` and the first ``<base href>``; counts the rest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base_href = ""
        self.events = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count()
        if tag == "a":
            if len(self.anchors) >= MAX_FILES:
                raise _TooMuchMarkup(f"the index page lists over {MAX_FILES} files")
            first: dict[str, str | None] = {}
            for name, value in attrs:  # a repeated attribute: the first one counts, as in HTML
                first.setdefault(name, value)
            self.anchors.append(first)
        elif tag == "base" and not self.base_href:
            self.base_href = next((v for k, v in attrs if k == "href" and v), "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._count()

    def handle_data(self, data: str) -> None:
        self._count()

    def handle_comment(self, data: str) -> None:
        self._count()

    def handle_decl(self, decl: str) -> None:
        self._count()

    def handle_pi(self, data: str) -> None:
        self._count()

    def unknown_decl(self, data: str) -> None:
        self._count()

    def _count(self) -> None:
        self.events += 1
        if self.events > MAX_MARKUP_EVENTS:
            raise _TooMuchMarkup("the index page has more markup than any project page")
