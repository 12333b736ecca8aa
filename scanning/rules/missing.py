"""Imported, never declared: works by accident of the environment until it does not."""

from __future__ import annotations

import sys

from scanning.rules import mapping
from scanning.types import COMMAND, Declaration, Finding, Usage

_STDLIB = frozenset(sys.stdlib_module_names) | {"__main__", "__future__"}


def missing(
    declarations: list[Declaration], usages: list[Usage], *, first_party: set[str]
) -> list[Finding]:
    """Third-party imports that no manifest declares, grouped by distribution.

    Optional imports (guarded by try/except ImportError or a condition) are evidence of use
    but never make a package missing on their own.
    """
    declared = {d.name for d in declarations}
    declared_imports = {
        alias.lower() for name in declared for alias in mapping.import_names_for(name)
    }
    by_distribution: dict[str, list[Usage]] = {}
    for usage in usages:
        if usage.optional or usage.kind == COMMAND or usage.is_distribution:
            continue
        top = usage.name.split(".")[0]
        if not top or top in _STDLIB or top in first_party:
            continue
        distribution = mapping.distribution_for_import(top)
        if distribution in declared or top.lower() in declared_imports:
            continue
        by_distribution.setdefault(distribution, []).append(usage)
    findings = []
    for distribution, found in sorted(by_distribution.items()):
        first = found[0]
        more = f" and {len(found) - 1} more place(s)" if len(found) > 1 else ""
        findings.append(
            Finding(
                kind="missing",
                subject=distribution,
                summary=(
                    f"{first.name} is imported at {first.path}:{first.line}{more} "
                    f"but {distribution} is not declared."
                ),
                evidence=tuple(found),
            )
        )
    return findings
