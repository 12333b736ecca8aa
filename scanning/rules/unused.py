"""Declared, never used: a candidate for removal."""

from __future__ import annotations

from scanning.rules import mapping
from scanning.rules.devtools import is_dev_tool
from scanning.types import Declaration, Finding, Usage

# Installers and build tools: present in every environment, never imported by the product.
_PACKAGING_TOOLS = frozenset({"pip", "setuptools", "wheel", "uv", "pip-tools", "virtualenv"})
# Manifests that pin or constrain but do not ask for a package to be installed for its own sake.
_NOT_DIRECT = frozenset({"constraints", "poetry-lock", "uv-lock", "pylock", "pipfile-lock"})


def compiled_paths(direct_kinds: dict[str, str]) -> set[str]:
    """``x.txt`` files compiled from an ``x.in`` beside them (pip-compile, uv): lock files."""
    return {
        path
        for path in direct_kinds
        if path.endswith(".txt") and path.removesuffix(".txt") + ".in" in direct_kinds
    }


def used_names(usages: list[Usage]) -> tuple[set[str], set[str]]:
    """(lowercased top-level import names, canonical distribution names) that the code uses."""
    imports: set[str] = set()
    distributions: set[str] = set()
    for usage in usages:
        if usage.is_distribution:
            distributions.add(usage.name)
        else:
            top = usage.name.split(".")[0]
            imports.add(top.lower())
            distributions.add(mapping.distribution_for_import(top))
    return imports, distributions


def is_used(name: str, imports: set[str], distributions: set[str]) -> bool:
    if name in distributions:
        return True
    return any(alias.lower() in imports for alias in mapping.import_names_for(name))


def unused(
    declarations: list[Declaration], usages: list[Usage], *, direct_kinds: dict[str, str]
) -> list[Finding]:
    """Declarations whose distribution no code, command or configuration uses.

    ``direct_kinds`` maps a manifest path to its kind, so lock and constraints files (which
    list what other requirements pull in) never make a candidate on their own.
    """
    imports, distributions = used_names(usages)
    compiled = compiled_paths(direct_kinds)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        if direct_kinds.get(declaration.path) in _NOT_DIRECT or declaration.path in compiled:
            continue
        # Dev tools run from the command line; in runtime groups dev-in-prod reports them.
        if is_dev_tool(declaration.name) or declaration.name in _PACKAGING_TOOLS:
            continue
        by_name.setdefault(declaration.name, []).append(declaration)
    findings = []
    for name, found in sorted(by_name.items()):
        if is_used(name, imports, distributions):
            continue
        where = ", ".join(f"{d.path}:{d.line}" for d in found)
        findings.append(
            Finding(
                kind="unused",
                subject=name,
                summary=f"{name} is declared at {where} but nothing imports or runs it.",
                evidence=tuple(found),
            )
        )
    return findings
