"""The database's advisory mirror and import-name cache, as the scan commands' sources.

``manage.py scan`` and ``python -m scanning.cli`` (when it has no advisory folder) audit
and look up through these; both keep the database as it was, and say so when it is
unusable instead of failing.
"""

from __future__ import annotations

from django.db import DatabaseError

from scanning import services
from scanning.package_cache import importnames
from scanning.types import Declaration, Finding, ProvidedImports


def audit_findings(
    declarations: list[Declaration], *, unread_manifests: dict[str, str] | None = None
) -> tuple[list[Finding], dict]:
    """Vulnerability and licence findings from the advisory mirror in the configured database.

    Without a usable database (not migrated, unreachable) nothing is audited, and the audit
    says so: the gate is "unknown", never "pass".
    """
    try:
        return services.audit_declarations(
            declarations, write_cache=False, unread_manifests=unread_manifests
        )
    except DatabaseError as exc:
        reason = f"advisory database unavailable ({type(exc).__name__})"
        return [], {"gate": "unknown", "reasons": [reason], "audited": 0, "not_audited": []}


def provided_imports(declarations: list[Declaration]) -> dict[str, ProvidedImports]:
    """What the declared packages provide: the cache if there is a database, then the index."""
    try:
        return importnames.provided_imports(declarations, write_cache=False)
    except DatabaseError:
        return importnames.provided_imports(declarations, read_cache=False, write_cache=False)
