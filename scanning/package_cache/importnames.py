"""What each declared distribution provides, for the rules to match imports against.

In order: metadata installed on this server; the ``inventory.Package`` cache, filled from the
release's wheel on the package index (``scanning.index.wheels``); the curated table; else unknown,
and the findings say so. Each distribution is looked up once per organisation: a success is
trusted for ``DEBTBOARD_IMPORT_NAMES_TTL_DAYS``, a failure retried after
``DEBTBOARD_IMPORT_NAMES_RETRY_HOURS``. An unreachable index is not a fact about a
distribution: nothing is cached, the rest of the scan's lookups are skipped, and the next scan
tries again. Lookups never fail a scan.

Settings, read when a scan runs: ``DEBTBOARD_PACKAGE_INDEX_URL`` (a simple index, JSON or
HTML; empty: no lookups), ``DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS`` (per request, 10),
``DEBTBOARD_IMPORT_NAMES_BUDGET_SECONDS`` (all of a scan's lookups, 120),
``DEBTBOARD_IMPORT_NAMES_MAX_WHEEL_MB`` (full download when Range is ignored, 20),
``DEBTBOARD_IMPORT_NAMES_THREADS`` (lookups at once, 4).
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from packaging.version import InvalidVersion, Version

from inventory.models import ImportNamesSource, Package
from scanning.distributions import mapping
from scanning.index import wheels
from scanning.types import Declaration, ProvidedImports

logger = logging.getLogger(__name__)

OFFLINE = "no package index configured"
_MAX_AUDITED = 200

# One lookup's outcome: what the wheel installs, or why the index could not say.
Outcome = wheels.WheelNames | wheels.LookupFailed


def provided_imports(
    declarations: Iterable[Declaration],
    *,
    read_cache: bool = True,
    write_cache: bool = True,
    now: datetime | None = None,
    opener: urllib.request.OpenerDirector | None = None,
) -> dict[str, ProvidedImports]:
    """Distribution → what it provides, for every declared distribution.

    ``manage.py scan`` reads the cache but never writes it (``write_cache=False``); without a
    database it reads nothing either (``read_cache=False``).
    """
    now = now or timezone.now()
    index_url = getattr(settings, "DEBTBOARD_PACKAGE_INDEX_URL", "").strip()
    facts: dict[str, ProvidedImports] = {}
    to_check: dict[str, str] = {}
    for name, (version, by_url) in _declared(declarations).items():
        local = mapping.local_facts(name)
        if local.source == mapping.INSTALLED:
            facts[name] = local
        elif by_url:
            facts[name] = _fallback(local, "declared by URL, so the package index was not asked")
        else:
            to_check[name] = version
    cached = _fresh_rows(to_check, now) if read_cache and to_check else {}
    for name, row in cached.items():
        del to_check[name]
        if row.import_names_source == ImportNamesSource.INDEX:
            names = row.import_names if isinstance(row.import_names, list) else []
            facts[name] = ProvidedImports(
                name,
                tuple(n for n in names if isinstance(n, str)),
                mapping.INDEX,
                row.import_names_version,
            )
        else:
            facts[name] = _fallback(mapping.local_facts(name), row.import_names_error)
    if not index_url:
        facts.update({n: _fallback(mapping.local_facts(n), OFFLINE) for n in to_check})
        return facts
    outcomes = _look_up(to_check, index_url=index_url, opener=opener or wheels.opener())
    for name, outcome in outcomes.items():
        local = mapping.local_facts(name)
        if isinstance(outcome, wheels.WheelNames):
            facts[name] = ProvidedImports(
                name, outcome.import_names, mapping.INDEX, outcome.version, outcome.note
            )
        else:
            facts[name] = _fallback(local, f"package index: {outcome}")
        if write_cache and not isinstance(outcome, wheels.IndexUnreachable):
            _store(name, outcome, local, now)
    return facts


def import_names_audit(provided: dict[str, ProvidedImports]) -> dict:
    """For the scan run: how many distributions each source answered, and what went wrong."""
    sources: dict[str, int] = {}
    for fact in provided.values():
        sources[fact.source] = sources.get(fact.source, 0) + 1
    problems = [
        {"name": f.name, "source": f.source, "reason": f.reason}
        for f in sorted(provided.values(), key=lambda f: f.name)
        if f.reason and (f.source == mapping.UNKNOWN or f.reason != OFFLINE)
    ]
    return {"sources": sources, "problems": problems[:_MAX_AUDITED]}


def _declared(declarations: Iterable[Declaration]) -> dict[str, tuple[str, bool]]:
    """Name → (highest pinned version or "", whether some declaration is a URL)."""
    versions: dict[str, set[Version]] = {}
    by_url: dict[str, bool] = {}
    for declaration in declarations:
        if not declaration.name:
            continue
        by_url[declaration.name] = by_url.get(declaration.name, False) or bool(declaration.url)
        pinned = versions.setdefault(declaration.name, set())
        try:
            if declaration.pinned_version:
                pinned.add(Version(declaration.pinned_version))
        except InvalidVersion:
            pass
    return {
        name: (str(max(versions[name])) if versions[name] else "", by_url[name])
        for name in sorted(by_url)
    }


def _fallback(local: ProvidedImports, reason: str) -> ProvidedImports:
    """The local answer (curated, namespace rule or unknown), saying why the index did not."""
    if local.source != mapping.UNKNOWN and reason == OFFLINE:
        reason = ""  # the curated table is the expected answer without an index
    return ProvidedImports(local.name, local.import_names, local.source, reason=reason)


def _fresh_rows(names: Iterable[str], now: datetime) -> dict[str, Package]:
    trusted = now - timedelta(days=getattr(settings, "DEBTBOARD_IMPORT_NAMES_TTL_DAYS", 30))
    retry = now - timedelta(hours=getattr(settings, "DEBTBOARD_IMPORT_NAMES_RETRY_HOURS", 24))
    rows = Package.objects.filter(name__in=list(names), import_names_checked_at__isnull=False)
    return {
        row.name: row
        for row in rows.only(
            "name",
            "import_names",
            "import_names_source",
            "import_names_version",
            "import_names_error",
            "import_names_checked_at",
        )
        if row.import_names_checked_at
        >= (trusted if row.import_names_source == ImportNamesSource.INDEX else retry)
    }


def _look_up(
    wanted: dict[str, str], *, index_url: str, opener: urllib.request.OpenerDirector
) -> dict[str, Outcome]:
    """Each name's outcome; after the index proves unreachable, the rest are not tried."""
    if not wanted:
        return {}
    budget = getattr(settings, "DEBTBOARD_IMPORT_NAMES_BUDGET_SECONDS", 120)
    http = wheels.Http(
        timeout=float(getattr(settings, "DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS", 10)),
        deadline=time.monotonic() + budget,
        opener=opener,
    )
    max_download = getattr(settings, "DEBTBOARD_IMPORT_NAMES_MAX_WHEEL_MB", 20) * wheels.MB
    unreachable: list[str] = []
    lock = threading.Lock()

    def one(name: str) -> Outcome:
        with lock:
            if unreachable:
                return wheels.IndexUnreachable(f"{unreachable[0]}; not asked again this scan")
        try:
            return wheels.wheel_import_names(
                name, wanted[name], index_url=index_url, http=http, max_download=max_download
            )
        except wheels.IndexUnreachable as exc:
            with lock:
                unreachable.append(str(exc))
            logger.warning("package index unreachable url=%s package=%s", index_url, name)
            return exc
        except wheels.LookupFailed as exc:
            logger.info("import names not found package=%s reason=%s", name, exc)
            return exc
        except Exception as exc:  # a wheel or answer nobody foresaw must not fail the scan
            logger.exception("import names lookup broke package=%s", name)
            return wheels.LookupFailed(f"could not read the wheel ({type(exc).__name__})")

    threads = max(1, int(getattr(settings, "DEBTBOARD_IMPORT_NAMES_THREADS", 4)))
    with ThreadPoolExecutor(max_workers=min(threads, len(wanted))) as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))


def _store(name: str, outcome: Outcome, local: ProvidedImports, now: datetime) -> None:
    if isinstance(outcome, wheels.WheelNames):
        defaults = {
            "import_names": list(outcome.import_names),
            "import_names_source": ImportNamesSource.INDEX,
            "import_names_version": outcome.version[:64],
            "import_names_error": "",
        }
    else:
        defaults = {
            "import_names": list(local.import_names),
            "import_names_source": ImportNamesSource(local.source),
            "import_names_version": "",
            "import_names_error": f"package index: {outcome}"[:500],
        }
    Package.objects.update_or_create(
        name=name, defaults={**defaults, "import_names_checked_at": now}
    )
