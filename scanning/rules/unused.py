"""Declared, never used: a candidate for removal."""

from __future__ import annotations

from scanning.rules import mapping
from scanning.rules.declared import compiled_paths, direct_declarations
from scanning.rules.devtools import is_dev_tool
from scanning.rules.provided import STDLIB
from scanning.types import Declaration, Finding, Usage

__all__ = ["compiled_paths", "is_used", "unused", "used_names"]

# Installers and build tools: present in every environment, never imported by the product.
_PACKAGING_TOOLS = frozenset({"pip", "setuptools", "wheel", "uv", "pip-tools", "virtualenv"})


def used_names(usages: list[Usage]) -> tuple[set[str], set[str]]:
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
        if module.split(".")[0] in STDLIB:
            continue
        resolution = mapping.resolve(module)
        if resolution.source != mapping.AMBIGUOUS:
            distributions.add(resolution.distribution)
        parts = module.lower().split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if depth == len(parts) or not mapping.is_namespace_only(prefix):
                imports.add(prefix)
    return imports, distributions


def is_used(name: str, imports: set[str], distributions: set[str]) -> bool:
    if name in distributions:
        return True
    for alias in mapping.import_names_for(name):
        parts = alias.lower().split(".")
        if ".".join(parts) in imports:
            return True
        # ``import google`` alone may be a use of google-cloud-storage: give it the benefit.
        if any(".".join(parts[:depth]) in imports for depth in range(1, len(parts))):
            return True
    return False


def unused(
    declarations: list[Declaration], usages: list[Usage], *, direct_kinds: dict[str, str]
) -> list[Finding]:
    """Declarations whose distribution no code, command or configuration uses.

    ``direct_kinds`` maps a manifest path to its kind, so lock and constraints files (which
    list what other requirements pull in) never make a candidate on their own.
    """
    imports, distributions = used_names(usages)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in direct_declarations(declarations, direct_kinds):
        # Dev tools run from the command line; in runtime groups dev-in-prod reports them.
        if is_dev_tool(declaration.name) or declaration.name in _PACKAGING_TOOLS:
            continue
        by_name.setdefault(declaration.name, []).append(declaration)
    findings = []
    for name, found in sorted(by_name.items()):
        if is_used(name, imports, distributions):
            continue
        where = ", ".join(f"{d.path}:{d.line}" for d in found)
        summary = f"{name} is declared at {where} but nothing imports or runs it."
        shadowed = sorted(alias for alias in mapping.import_names_for(name) if alias in STDLIB)
        if shadowed:
            summary += f" Import {shadowed[0]} is the standard library's own module."
        elif not mapping.import_names_known(name):
            looked_for = ", ".join(sorted(mapping.import_names_for(name)))
            summary += (
                f" What {name} provides is not known here (no metadata or curated entry);"
                f" looked for import {looked_for}."
            )
        findings.append(
            Finding(kind="unused", subject=name, summary=summary, evidence=tuple(found))
        )
    return findings
