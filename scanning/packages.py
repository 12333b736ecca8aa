"""Licence and release facts per distribution: installed metadata, the package index, a cache.

The index is reached only when ``DEBTBOARD_PACKAGE_INDEX_URL`` is set (a PEP 691 JSON simple
index, e.g. a local PyPI proxy); without it, or when it fails, the facts say why they are
missing and the scan goes on. Results from the index are cached in ``PackageMetadata``.
"""

from __future__ import annotations

import email.parser
import importlib.metadata
import json
import logging
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone
from packaging.version import InvalidVersion, Version

from scanning.models import PackageMetadata
from scanning.rules.licenses import PackageFacts

logger = logging.getLogger(__name__)

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
OFFLINE = "offline: no package index configured"

Fetch = Callable[[str, str], bytes]  # (url, accept) -> body; raises OSError on failure


def package_facts(
    names: Iterable[str],
    *,
    fetch: Fetch | None = None,
    now: datetime | None = None,
    write_cache: bool = True,
) -> dict[str, PackageFacts]:
    """Facts for each name: from the cache if fresh, else the index, plus installed licences.

    After the first index failure the rest are not tried (one timeout per scan, not one per
    package); their facts say the index was unreachable. ``write_cache=False`` (``manage.py
    scan``) reads the cache but leaves it as it was.
    """
    now = now or timezone.now()
    index_url = getattr(settings, "DEBTBOARD_PACKAGE_INDEX_URL", "").rstrip("/")
    ttl = timedelta(hours=getattr(settings, "DEBTBOARD_PACKAGE_METADATA_TTL_HOURS", 24))
    wanted = sorted(set(names))
    cached = {
        m.name: m
        for m in PackageMetadata.objects.filter(name__in=wanted, fetched_at__gte=now - ttl)
    }
    facts: dict[str, PackageFacts] = {}
    unreachable = ""
    for name in wanted:
        if name in cached:
            facts[name] = _from_cache(cached[name])
            continue
        installed = installed_license(name)
        if not index_url or unreachable:
            reason = unreachable or OFFLINE
            facts[name] = PackageFacts(
                name, installed, "" if installed else reason, release_unknown=reason
            )
            continue
        try:
            found = index_facts(name, index_url=index_url, fetch=fetch or _fetch)
        except (OSError, ValueError) as exc:
            unreachable = f"package index unreachable: {exc}"[:300]
            logger.warning("package index unreachable url=%s package=%s", index_url, name)
            facts[name] = PackageFacts(
                name, installed, "" if installed else unreachable, release_unknown=unreachable
            )
            continue
        if installed and not found.license:
            found = PackageFacts(name, installed, "", found.latest_version, found.latest_release_at)
        if write_cache:
            _cache(found, now)
        facts[name] = found
    return facts


def installed_license(name: str) -> str:
    """The licence the installed distribution declares here, or ""."""
    try:
        metadata = importlib.metadata.metadata(name)
    except importlib.metadata.PackageNotFoundError:
        return ""
    return license_from_metadata(metadata)


def license_from_metadata(metadata: Any) -> str:
    """Licence-Expression, else a short License field, else the licence classifiers."""
    expression = (metadata.get("License-Expression") or "").strip()
    if expression:
        return expression[:200]
    declared = (metadata.get("License") or "").strip()
    if declared and declared.upper() != "UNKNOWN" and "\n" not in declared and len(declared) < 100:
        return declared
    classifiers = [
        c.split("::")[-1].strip()
        for c in metadata.get_all("Classifier") or []
        if c.startswith("License ::") and c.count("::") >= 2
    ]
    return " OR ".join(classifiers)[:200]


def index_facts(name: str, *, index_url: str, fetch: Fetch) -> PackageFacts:
    """Latest version, last upload and licence (from PEP 658 metadata) of ``name``."""
    page_url = f"{index_url}/{name}/"
    page = json.loads(fetch(page_url, SIMPLE_JSON))
    files = [f for f in page.get("files", []) if isinstance(f, dict) and not f.get("yanked")]
    versions = _release_versions(page.get("versions") or [])
    latest = str(max(versions)) if versions else ""
    uploads = [_timestamp(f.get("upload-time")) for f in files]
    latest_release_at = max((u for u in uploads if u is not None), default=None)
    license_text, license_unknown = "", "no metadata file for the latest release on the index"
    for file in files:
        has_metadata = file.get("core-metadata") or file.get("data-dist-info-metadata")
        url = file.get("url")
        if latest and url and has_metadata and _file_version(file.get("filename", "")) == latest:
            raw = fetch(urljoin(page_url, f"{url}.metadata"), "*/*")
            headers = email.parser.BytesHeaderParser().parsebytes(raw)
            license_text = license_from_metadata(headers)
            license_unknown = "" if license_text else "no licence in the release's metadata"
            break
    return PackageFacts(
        name,
        license_text,
        license_unknown,
        latest,
        latest_release_at,
        "" if latest_release_at else "the index gives no upload times",
    )


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


def _file_version(filename: str) -> str:
    """The version part of a wheel or sdist file name (``name-1.0-py3-none-any.whl``)."""
    stem = filename.removesuffix(".whl").removesuffix(".tar.gz").removesuffix(".zip")
    parts = stem.split("-")
    try:
        return str(Version(parts[1])) if len(parts) > 1 else ""
    except InvalidVersion:
        return ""


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _from_cache(row: PackageMetadata) -> PackageFacts:
    return PackageFacts(
        row.name,
        row.license,
        "" if row.license else (row.error or "no licence in the release's metadata"),
        row.latest_version,
        row.latest_release_at,
        "" if row.latest_release_at else (row.error or "the index gives no upload times"),
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


def _fetch(url: str, accept: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    timeout = getattr(settings, "DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS", 10)
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 - checked
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - checked
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ValueError(f"{url} is over {MAX_RESPONSE_BYTES} bytes")
    return body
