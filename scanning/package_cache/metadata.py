"""Licence and release facts per distribution: installed metadata, the package index, a cache.

The index is reached only when ``DEBTBOARD_PACKAGE_INDEX_URL`` is set (a simple index, JSON or
HTML, e.g. a local PyPI proxy); without it, or when it fails, the facts say why they are
missing and the scan goes on. Where the simple page lacks the licence (no PEP 658 metadata
file) or upload times (HTML), an index at ``…/simple`` is asked through Warehouse's JSON API
beside it, as PyPI and its proxies have it. Results from the index are cached in
``PackageMetadata``.
"""

from __future__ import annotations

import email.parser
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from packaging.version import InvalidVersion, Version

from scanning.distributions.metadata import license_from_fields
from scanning.index import pypi_json, simple_index, wheels
from scanning.models import PackageMetadata
from scanning.rules.licenses import PackageFacts

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 20 * 1024 * 1024
OFFLINE = "offline: no package index configured"
NO_METADATA_FILE = "no metadata file for the latest release on the index"
NO_UPLOAD_TIMES = "the index gives no upload times"

Fetch = Callable[[str, str], bytes]  # (url, accept) -> body; raises OSError on failure


def package_facts(
    names: Iterable[str],
    *,
    fetch: Fetch | None = None,
    now: datetime | None = None,
    write_cache: bool = True,
) -> dict[str, PackageFacts]:
    """Facts for each name: from the cache if fresh, else the index (never the server's own
    installed packages: a licence verdict must not depend on the server).

    After the first index failure the rest are not tried (one timeout per scan, not one per
    package); their facts say the index was unreachable. ``write_cache=False`` (``manage.py
    scan``) reads the cache but leaves it as it was.
    """
    now = now or timezone.now()
    index_url = settings.DEBTBOARD_PACKAGE_INDEX_URL.rstrip("/")
    ttl = timedelta(hours=settings.DEBTBOARD_PACKAGE_METADATA_TTL_HOURS)
    wanted = sorted(set(names))
    cached = {
        m.name: m
        for m in PackageMetadata.objects.filter(name__in=wanted, fetched_at__gte=now - ttl)
    }
    facts: dict[str, PackageFacts] = {}
    unreachable = ""
    json_api = _JsonApi(index_url, fetch or _fetch)
    for name in wanted:
        if name in cached:
            facts[name] = _from_cache(cached[name])
            continue
        if not index_url or unreachable:
            reason = unreachable or OFFLINE
            facts[name] = _unknown(name, "", reason)
            continue
        try:
            found = index_facts(name, index_url=index_url, fetch=fetch or _fetch, json_api=json_api)
        except ProjectUnreadable as exc:  # this project only: the others are still asked
            logger.info("package facts not found package=%s reason=%s", name, exc)
            facts[name] = _unknown(name, "", f"package index: {exc}"[:300])
            continue
        except (OSError, ValueError) as exc:
            unreachable = f"package index unreachable: {exc}"[:300]
            logger.warning("package index unreachable url=%s package=%s", index_url, name)
            facts[name] = _unknown(name, "", unreachable)
            continue
        if write_cache:
            _cache(found, now)
        facts[name] = found
    return facts


def license_from_metadata(metadata: Any) -> str:
    """Licence-Expression, else a short License field, else the licence classifiers."""
    return license_from_fields(
        metadata.get("License-Expression") or "",
        metadata.get("License") or "",
        metadata.get_all("Classifier") or [],
    )


class ProjectUnreadable(ValueError):
    """The index has no readable page for this project; other projects may be fine."""


def index_facts(
    name: str, *, index_url: str, fetch: Fetch, json_api: _JsonApi | None = None
) -> PackageFacts:
    """Latest version, last upload and licence (from PEP 658 metadata) of ``name``.

    ``json_api`` is asked for what the simple page lacks: the licence when the latest release
    has no metadata file, upload times when the page has none.
    """
    page_url = f"{index_url}/{name}/"
    try:
        page = simple_index.parse_project_page(fetch(page_url, simple_index.ACCEPT), page_url)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            raise ProjectUnreadable(f"no such project (HTTP {exc.code})") from exc
        raise
    except simple_index.NotASimplePage:
        raise  # every page will be like this one: the index is unusable
    except (simple_index.PageUnreadable, TooLarge) as exc:
        raise ProjectUnreadable(str(exc)) from exc
    files = [f for f in page.files if not f.yanked]
    latest = _latest_version(files, page.versions, name)
    latest_release_at = max((f.upload_time for f in files if f.upload_time), default=None)
    license_text, license_unknown = "", NO_METADATA_FILE
    for file in files:
        if latest and file.core_metadata and _file_version(file.filename, name) == latest:
            license_text, license_unknown = _metadata_license(fetch, f"{file.url}.metadata")
            break
    if json_api and (latest_release_at is None or license_unknown == NO_METADATA_FILE):
        project = json_api.project(name)
        if project and latest_release_at is None:
            latest_release_at = project.last_upload
        if project and license_unknown == NO_METADATA_FILE and _same(project.version, latest):
            license_text = license_from_fields(
                project.license_expression, project.license, project.classifiers
            )
            license_unknown = "" if license_text else "no licence in the release's metadata"
    return PackageFacts(
        name,
        license_text,
        license_unknown,
        latest,
        latest_release_at,
        "" if latest_release_at else NO_UPLOAD_TIMES,
    )


class _JsonApi:
    """Warehouse's JSON API beside an index at ``…/simple``; not asked again in a scan once it
    fails (an index without it, or one that stopped answering), but a record over the size
    limit (a project with thousands of releases) fails that project only."""

    def __init__(self, index_url: str, fetch: Fetch) -> None:
        self.index_url = index_url
        self.fetch = fetch
        self.failed = False

    def project(self, name: str) -> pypi_json.ProjectJson | None:
        url = pypi_json.api_url(self.index_url, name)
        if not url or self.failed:
            return None
        try:
            return pypi_json.parse_project_json(self.fetch(url, "application/json"))
        except TooLarge:
            return None
        except (OSError, ValueError) as exc:
            self.failed = True
            logger.info("package index JSON API not used url=%s reason=%s", url, exc)
            return None


def _metadata_license(fetch: Fetch, url: str) -> tuple[str, str]:
    """(licence, why it is unknown) from a PEP 658 metadata file."""
    if not url.startswith(("https://", "http://")):  # a hostile page: this project only
        return "", "the release's metadata file is not at an http(s) URL"
    try:
        raw = fetch(url, "*/*")
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):  # listed on the page but missing: this file only
            return "", f"the release's metadata file is missing (HTTP {exc.code})"
        raise
    license_text = license_from_metadata(email.parser.BytesHeaderParser().parsebytes(raw))
    return license_text, "" if license_text else "no licence in the release's metadata"


def _latest_version(files: list[simple_index.IndexFile], listed: Iterable[str], name: str) -> str:
    """The highest final release among the project's files, else among the page's versions."""
    on_files = [r[1] for f in files if (r := simple_index.release(f.filename)) and r[0] == name]
    versions = _release_versions(on_files) or _release_versions(list(listed))
    return str(max(versions)) if versions else ""


def _same(version: str, other: str) -> bool:
    try:
        return bool(version and other) and Version(version) == Version(other)
    except InvalidVersion:
        return False


def _unknown(name: str, installed: str, reason: str) -> PackageFacts:
    return PackageFacts(name, installed, "" if installed else reason, release_unknown=reason)


def _release_versions(raw: list[Any]) -> list[Version]:
    parsed = []
    for text in raw:
        try:
            version = Version(str(text))
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            parsed.append(version)
    return parsed


def _file_version(filename: str, name: str) -> str:
    """The version of a wheel or sdist of project ``name``, else ""."""
    found = simple_index.release(filename)
    return str(found[1]) if found and found[0] == name else ""


def _from_cache(row: PackageMetadata) -> PackageFacts:
    return PackageFacts(
        row.name,
        row.license,
        "" if row.license else (row.error or "no licence in the release's metadata"),
        row.latest_version,
        row.latest_release_at,
        "" if row.latest_release_at else (row.error or NO_UPLOAD_TIMES),
    )


def _cache(facts: PackageFacts, now: datetime) -> None:
    PackageMetadata.objects.update_or_create(
        name=facts.name,
        defaults={
            "license": facts.license[:200],
            "license_source": "index" if facts.license else "",
            "latest_version": facts.latest_version[:64],
            "latest_release_at": facts.latest_release_at,
            "error": (facts.license_unknown or facts.release_unknown)[:500],
            "fetched_at": now,
        },
    )


class TooLarge(ValueError):
    """An answer over ``MAX_RESPONSE_BYTES``."""


def _fetch(url: str, accept: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    timeout = settings.DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 - checked
    with wheels.opener().open(request, timeout=timeout) as response:  # redirects: http(s) only
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            raise TooLarge(f"{url} is over {MAX_RESPONSE_BYTES} bytes")
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise TooLarge(f"{url} is over {MAX_RESPONSE_BYTES} bytes")
    return body
