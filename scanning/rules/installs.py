"""Installs at run time (CI steps, notebook cells) as evidence that a package is used there."""

from __future__ import annotations

from scanning.rules.declared import run_time_installs
from scanning.types import COMMAND, Declaration, Usage

_MODES = {"ci": "ci", "notebook": "notebook"}


def as_usages(declarations: list[Declaration], kinds: dict[str, str]) -> list[Usage]:
    """One use per installed name, in the mode of the place that installs it.

    Optional: an install is why a package is there, never a reason to call it missing.
    """
    return [
        Usage(
            d.name,
            d.path,
            d.line,
            COMMAND,
            _MODES.get(kinds.get(d.path, ""), "script"),
            optional=True,
            is_distribution=True,
            detail=f"installed at run time: {d.raw}"[:200],
        )
        for d in run_time_installs(declarations, kinds)
    ]


def installed_only_at_run_time(
    declarations: list[Declaration], kinds: dict[str, str]
) -> dict[str, Declaration]:
    """Name → the first run-time install of it (by path and line)."""
    found: dict[str, Declaration] = {}
    for declaration in sorted(
        run_time_installs(declarations, kinds), key=lambda d: (d.path, d.line)
    ):
        found.setdefault(declaration.name, declaration)
    return found
