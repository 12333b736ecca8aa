"""Declared, never used: a candidate for removal."""

from __future__ import annotations

from scanning.distributions import mapping
from scanning.distributions.provided import STDLIB
from scanning.rules.declared import compiled_paths, direct_declarations
from scanning.rules.devtools import PACKAGING_TOOLS, is_dev_tool
from scanning.types import RUNTIME, Declaration, Finding, Usage

__all__ = ["compiled_paths", "is_used", "stdlib_names_of", "unused", "used_names"]


# Data packages nobody imports by name: the modules that read them. zoneinfo (and Django and
# pandas through it) falls back to tzdata where the system has no time zone database.
IMPLIED_BY_IMPORT: dict[str, tuple[str, ...]] = {
    "zoneinfo": ("tzdata",),
    "django": ("tzdata",),
    "pandas": ("tzdata",),
}


def used_names(
    usages: list[Usage], *, import_map: mapping.ImportMap = mapping.DEFAULT_MAP
) -> tuple[set[str], set[str]]:
    """(lowercased module names the code loads, canonical distribution names) it uses.

    Module names are top-level names plus, below a namespace (``google.cloud.storage``), the
    dotted names and their prefixes. A bare namespace (``import google``) is kept as such, and
    counts as a use of every distribution below it: which one is meant cannot be known.
    Standard library imports are no one's evidence: ``import asyncio`` does not use the PyPI
    distribution of that name.
    """
    imports: set[str] = set()
    distributions = {usage.name for usage in usages if usage.is_distribution}
    for module in {usage.name for usage in usages if not usage.is_distribution}:
        top = module.split(".")[0]
        distributions.update(IMPLIED_BY_IMPORT.get(top, ()))
        if top in STDLIB:
            continue
        resolution = import_map.resolve(module)
        if resolution.source != mapping.AMBIGUOUS:
            distributions.add(resolution.distribution)
        parts = module.lower().split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if depth == len(parts) or not mapping.is_namespace_only(prefix):
                imports.add(prefix)
    return imports, distributions


def stdlib_names_of(
    distribution: str, *, import_map: mapping.ImportMap = mapping.DEFAULT_MAP
) -> list[str]:
    """Import names of ``distribution`` that the standard library owns (PyPI's ``asyncio``)."""
    return sorted(alias for alias in import_map.import_names_for(distribution) if alias in STDLIB)


def is_used(
    name: str,
    imports: set[str],
    distributions: set[str],
    *,
    import_map: mapping.ImportMap = mapping.DEFAULT_MAP,
) -> bool:
    if name in distributions:
        return True
    for alias in import_map.import_names_for(name):
        parts = alias.lower().split(".")
        if ".".join(parts) in imports:
            return True
        # ``import google`` alone may be a use of google-cloud-storage: give it the benefit.
        if any(".".join(parts[:depth]) in imports for depth in range(1, len(parts))):
            return True
    return False


def unused(
    declarations: list[Declaration],
    usages: list[Usage],
    *,
    direct_kinds: dict[str, str],
    import_map: mapping.ImportMap = mapping.DEFAULT_MAP,
) -> list[Finding]:
    """Declarations whose distribution no code, command or configuration uses.

    Development tools count only when every declaration of them is for runtime.
    ``direct_kinds`` maps a manifest path to its kind, so lock and constraints files (which
    list what other requirements pull in) never make a candidate on their own. The summary
    says which import names were looked for and where they come from.
    """
    imports, distributions = used_names(usages, import_map=import_map)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in direct_declarations(declarations, direct_kinds):
        if declaration.name not in PACKAGING_TOOLS:
            by_name.setdefault(declaration.name, []).append(declaration)
    findings = []
    for name, found in sorted(by_name.items()):
        dev_tool = is_dev_tool(name)
        # A dev tool in a dev group is run by hand as often as by a command; only when the
        # project declares it for runtime alone is "nothing runs it" worth a candidate.
        if dev_tool and any(d.purpose != RUNTIME for d in found):
            continue
        if is_used(name, imports, distributions, import_map=import_map):
            continue
        where = ", ".join(f"{d.path}:{d.line}" for d in found)
        summary = f"{name} is declared at {where} but nothing imports or runs it."
        if dev_tool:
            summary = (
                f"Development tool {name} is a runtime requirement at {where}, and nothing"
                " imports, runs or configures it. If developers run it by hand, move it to a"
                " dev group instead of removing it."
            )
        shadowed = stdlib_names_of(name, import_map=import_map)
        if shadowed:
            summary += f" Import {shadowed[0]} is the standard library's own module."
        elif not dev_tool:
            summary += f" {import_map.describe(name)}"
        findings.append(
            Finding(kind="unused", subject=name, summary=summary, evidence=tuple(found))
        )
    return findings
