"""Dev-only packages where runtime needs them, and runtime packages only tests need (DEP004).

Dev tools declared for runtime (pytest, black) are reported by ``dev_in_prod``; this rule is
about imports.
"""

from __future__ import annotations

from scanning.distributions import mapping
from scanning.distributions.provided import Providers, places, third_party
from scanning.rules.declared import direct_declarations
from scanning.rules.devtools import PACKAGING_TOOLS, is_dev_tool
from scanning.types import DEV, DOCS, RUNTIME, TEST, Declaration, Finding, Usage

# Modes whose code runs in production.
RUNTIME_MODES = frozenset({"web", "worker", "cron", "migration", "script"})
# Modes whose code never runs in production.
DEVELOPMENT_MODES = frozenset({"test", "docs", "ci"})
_DEV_PURPOSES = frozenset({DEV, TEST, DOCS})


def misplaced_dev(
    declarations: list[Declaration],
    usages: list[Usage],
    *,
    first_party: set[str],
    direct_kinds: dict[str, str],
    import_map: mapping.ImportMap = mapping.DEFAULT_MAP,
) -> list[Finding]:
    direct = direct_declarations(declarations, direct_kinds)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in direct:
        by_name.setdefault(declaration.name, []).append(declaration)
    purposes = {name: {d.purpose for d in found} for name, found in by_name.items()}
    dev_only = {name for name, groups in purposes.items() if groups <= _DEV_PURPOSES}
    runtime = {name for name, groups in purposes.items() if RUNTIME in groups}

    providers = Providers(by_name, import_map=import_map)
    runtime_uses: dict[str, list[Usage]] = {}
    for usage in third_party(usages, first_party):
        provided_by = providers.of(usage.name)
        if len(provided_by) == 1 and usage.mode in RUNTIME_MODES:
            (name,) = provided_by
            if name in dev_only:
                runtime_uses.setdefault(name, []).append(usage)
    modes_of = _modes_by_distribution(usages, providers, first_party)

    findings = [
        _runtime_imports_dev(name, found, by_name[name])
        for name, found in sorted(runtime_uses.items())
    ]
    for name in sorted(runtime):
        modes = modes_of.get(name, set())
        if (
            modes
            and modes <= DEVELOPMENT_MODES
            and not is_dev_tool(name)
            and (name not in PACKAGING_TOOLS)
        ):
            findings.append(_runtime_declares_dev(name, sorted(modes), by_name[name]))
    return findings


def _modes_by_distribution(
    usages: list[Usage], providers: Providers, first_party: set[str]
) -> dict[str, set[str]]:
    """Modes of every use (optional imports and commands included) of each declared package."""
    modes_of: dict[str, set[str]] = {}
    # Thousands of uses, a few dozen distinct (name, mode) pairs: look each pair up once.
    for module, is_distribution, mode in {(u.name, u.is_distribution, u.mode) for u in usages}:
        if is_distribution:
            names = {module} & providers.names
        elif module.split(".")[0] in first_party:
            continue
        else:
            names = providers.of(module)
        for name in names:
            modes_of.setdefault(name, set()).add(mode)
    return modes_of


def _runtime_imports_dev(name: str, found: list[Usage], declared: list[Declaration]) -> Finding:
    first = found[0]
    groups = ", ".join(sorted({f"{d.purpose} ({d.path}:{d.line})" for d in declared}))
    return Finding(
        kind="misplaced-dev",
        subject=name,
        summary=(
            f"{first.name} is imported by {first.mode} code at {places(found)} "
            f"but {name} is declared only for {groups}: production installs will lack it."
        ),
        evidence=(*found, *declared),
    )


def _runtime_declares_dev(name: str, modes: list[str], declared: list[Declaration]) -> Finding:
    where = ", ".join(f"{d.path}:{d.line}" for d in declared if d.purpose == RUNTIME)
    return Finding(
        kind="misplaced-dev",
        subject=name,
        summary=(
            f"{name} is a runtime requirement at {where} but only {', '.join(modes)} code "
            "imports it: it belongs in a dev or test group."
        ),
        evidence=tuple(declared),
    )
