"""Installs at run time (CI steps, notebook cells): where a package gets installed.

An install is evidence that a package is installed there, never that anything uses it: a CI
step's ``pip install keras`` keeps no declaration of keras from being unused. What it serves
is an import's missing finding, which says where the package is installed instead.
"""

from __future__ import annotations

from scanning.rules.declared import run_time_installs
from scanning.types import Declaration

_MODES = {"ci": "ci", "notebook": "notebook"}


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


def installed_where_used(
    declarations: list[Declaration], kinds: dict[str, str]
) -> set[tuple[str, str]]:
    """(CI file, distribution) pairs where a CI file installs what its own steps import.

    A workflow that runs ``pip install PyGithub`` and then inline Python importing ``github``
    declares, in the only place that code runs, what it needs: the repository's manifests are
    not where that job's requirements live. A notebook's install is different (issue 12): the
    notebook still runs in an environment the manifests should describe.
    """
    return {
        (d.path, d.name)
        for d in run_time_installs(declarations, kinds)
        if _MODES.get(kinds.get(d.path, "")) == "ci"
    }
