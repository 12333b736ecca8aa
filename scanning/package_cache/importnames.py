"""What each declared distribution provides, for the rules to match imports against.

In order: the ``inventory.Package`` cache, filled from the release's wheel on the package
index (``scanning.index.wheels``: import names, Requires-Dist, entry points, licence, size);
Debtboard's knowledge table; else the names are assumed from the distribution's name, and
the findings say so. The scanning server's own installed packages are never asked. Each
distribution is looked up once per organisation: a success is trusted for
``DEBTBOARD_IMPORT_NAMES_TTL_DAYS``, a failure retried after
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

import dataclasses
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from inventory.models import ImportNamesSource, Package
from scanning.distributions import facts as sources
from scanning.distributions import mapping
from scanning.distributions.provided import OFFLINE
from scanning.index import lookups, wheels
from scanning.types import Declaration, ProvidedImports

logger = logging.getLogger(__name__)


# One lookup's outcome: what the wheel installs, or why the index could not say.
Outcome = wheels.WheelNames | wheels.LookupFailed


def lookup_limits() -> lookups.LookupLimits:
    """The ``DEBTBOARD_IMPORT_NAMES_*`` settings, read when a scan runs."""
    return lookups.LookupLimits(
        timeout_seconds=float(settings.DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS),
        budget_seconds=float(settings.DEBTBOARD_IMPORT_NAMES_BUDGET_SECONDS),
        max_wheel_bytes=int(settings.DEBTBOARD_IMPORT_NAMES_MAX_WHEEL_MB) * wheels.MB,
        threads=int(settings.DEBTBOARD_IMPORT_NAMES_THREADS),
    )


def provided_imports(
    declarations: Iterable[Declaration],
    *,
    read_cache: bool = True,
    write_cache: bool = True,
    now: datetime | None = None,
) -> dict[str, ProvidedImports]:
    """Distribution → what it provides, for every declared distribution.

    ``manage.py scan`` reads the cache but never writes it (``write_cache=False``); without a
    database it reads nothing either (``read_cache=False``).
    """
    now = now or timezone.now()
    index_url = settings.DEBTBOARD_PACKAGE_INDEX_URL.strip()
    facts: dict[str, ProvidedImports] = {}
    to_check: dict[str, str] = {}
    for name, (version, by_url) in lookups.declared(declarations).items():
        local = mapping.local_facts(name)
        if by_url:
            facts[name] = lookups.fallback(
                local, "declared by URL, so the package index was not asked"
            )
        else:
            to_check[name] = version
    cached = _fresh_rows(to_check, now) if read_cache and to_check else {}
    for name, row in cached.items():
        del to_check[name]
        if row.import_names_source == ImportNamesSource.INDEX:
            names = row.import_names if isinstance(row.import_names, list) else []
            base = ProvidedImports(
                name,
                tuple(n for n in names if isinstance(n, str)),
                mapping.INDEX,
                row.import_names_version,
            )
            facts[name] = sources.from_json(base, row.distribution_facts)
        else:
            facts[name] = lookups.fallback(mapping.local_facts(name), row.import_names_error)
    if not index_url:
        facts.update({n: lookups.fallback(mapping.local_facts(n), OFFLINE) for n in to_check})
        return facts
    outcomes = lookups.look_up(to_check, index_url=index_url, limits=lookup_limits())
    for name, outcome in outcomes.items():
        local = mapping.local_facts(name)
        if isinstance(outcome, wheels.WheelNames):
            found = outcome.facts or ProvidedImports(name, outcome.import_names, mapping.INDEX)
            facts[name] = dataclasses.replace(
                found, source=mapping.INDEX, version=outcome.version, reason=outcome.note
            )
        else:
            facts[name] = lookups.fallback(local, f"package index: {outcome}")
        if write_cache and not isinstance(outcome, wheels.IndexUnreachable):
            _store(name, outcome, local, now)
    return facts


def _fresh_rows(names: Iterable[str], now: datetime) -> dict[str, Package]:
    trusted = now - timedelta(days=settings.DEBTBOARD_IMPORT_NAMES_TTL_DAYS)
    retry = now - timedelta(hours=settings.DEBTBOARD_IMPORT_NAMES_RETRY_HOURS)
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
            "distribution_facts",
        )
        if row.import_names_checked_at
        >= (trusted if row.import_names_source == ImportNamesSource.INDEX else retry)
        # Facts an older reader took from a wheel are read again.
        and (
            row.import_names_source != ImportNamesSource.INDEX
            or sources.read_by_current_reader(row.distribution_facts)
        )
    }


def _store(name: str, outcome: Outcome, local: ProvidedImports, now: datetime) -> None:
    if isinstance(outcome, wheels.WheelNames):
        defaults = {
            "import_names": list(outcome.import_names),
            "import_names_source": ImportNamesSource.INDEX,
            "import_names_version": outcome.version[:64],
            "import_names_error": "",
            "distribution_facts": sources.as_json(outcome.facts) if outcome.facts else {},
        }
    else:
        defaults = {
            "import_names": list(local.import_names),
            "import_names_source": ImportNamesSource(local.source),
            "import_names_version": "",
            "import_names_error": f"package index: {outcome}"[:500],
            "distribution_facts": {},
        }
    Package.objects.update_or_create(
        name=name, defaults={**defaults, "import_names_checked_at": now}
    )
