"""Execution modes by reachability: an entry point lends its mode to what it imports.

A file's own place says its mode (``tests/`` is test, ``tasks.py`` is worker), but a module
runs wherever something that runs imports it: ``crontab`` line 3 runs ``python -m
churn.report``, which imports ``churn/stats.py``, which imports statsmodels, so statsmodels is
needed by cron too. Each entry point (a command or module reference in a Procfile, crontab,
Dockerfile, CI file or Kubernetes manifest; a first-party file whose own mode is not the
default) lends its mode to every first-party module it imports, transitively. Pure: usages
in, extra usages out, each saying the chain that reached it (``crontab:3 → churn/report.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from scanning.types import COMMAND, DYNAMIC_IMPORT, STATIC_IMPORT, STRING_REFERENCE, Usage

MAX_DEPTH = 12  # import chains longer than this are not followed
MAX_LENT = 50_000  # usages lent in one scan, at most (a huge repository stays bounded)
_PYTHON_SUFFIXES = (".py", ".pyw")
_IMPORT_KINDS = frozenset({STATIC_IMPORT, DYNAMIC_IMPORT, STRING_REFERENCE})
# Modes an entry point lends. Python files lend only what runs apart from the web process
# (a test importing app code does not make the app code a test); files that start processes
# (Procfile, Dockerfile, crontab, Kubernetes manifests) lend the web mode too.
_LENT_BY_MODULES = frozenset({"worker", "cron", "migration"})
_LENT_BY_RUNNERS = _LENT_BY_MODULES | {"web"}


def module_files(paths: Sequence[str], first_party: set[str]) -> dict[str, str]:
    """Dotted module name → file, for the repository's own Python files.

    ``src/churn/report.py`` is ``churn.report`` (and ``src.churn.report``): a module is named
    from every folder below which its first part is a first-party root.
    """
    modules: dict[str, str] = {}
    for path in paths:
        if not path.endswith(_PYTHON_SUFFIXES):
            continue
        parts = path.removesuffix(".pyw").removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for start in range(len(parts)):
            dotted = parts[start:]
            if dotted and dotted[0] in first_party and all(p.isidentifier() for p in dotted):
                modules.setdefault(".".join(dotted), path)
    return modules


def _target(name: str, modules: dict[str, str]) -> str | None:
    """The file ``name`` (``churn.report.main`` or ``churn.report:app``) loads, if ours."""
    dotted = name.split(":", 1)[0]
    parts = dotted.split(".")
    for depth in range(len(parts), 0, -1):
        found = modules.get(".".join(parts[:depth]))
        if found is not None:
            return found
    return None


def lend_modes(usages: Sequence[Usage], paths: Sequence[str], first_party: set[str]) -> list[Usage]:
    """Usages of third-party modules again, under each mode that reaches their file.

    Returns only the new usages (the caller adds them); each has the lent mode and a detail
    naming the chain. A file is never lent its own mode twice.
    """
    modules = module_files(paths, first_party)
    if not modules:
        return []
    by_file: dict[str, list[Usage]] = {}
    for usage in usages:
        by_file.setdefault(usage.path, []).append(usage)
    own_mode = {path: found[0].mode for path, found in by_file.items() if found}
    imports: dict[str, set[str]] = {}
    for path, found in by_file.items():
        if not path.endswith(_PYTHON_SUFFIXES):
            continue
        for usage in found:
            if usage.kind in _IMPORT_KINDS and not usage.is_distribution:
                target = _target(usage.name, modules)
                if target is not None and target != path:
                    imports.setdefault(path, set()).add(target)
    lent: list[Usage] = []
    reached: set[tuple[str, str]] = set()
    for mode, chain, start in _entry_points(by_file, modules, own_mode):
        queue = deque([(start, chain, 0)])
        while queue and len(lent) < MAX_LENT:
            path, trail, depth = queue.popleft()
            if (path, mode) in reached:
                continue
            reached.add((path, mode))
            trail = (*trail, path)
            if own_mode.get(path) != mode:
                lent.extend(_lent(by_file.get(path, ()), first_party, mode, trail))
            if depth < MAX_DEPTH:
                for target in sorted(imports.get(path, ())):
                    queue.append((target, trail, depth + 1))
    return lent


def _entry_points(
    by_file: dict[str, list[Usage]], modules: dict[str, str], own_mode: dict[str, str]
) -> Iterable[tuple[str, tuple[str, ...], str]]:
    """(mode, chain so far, first file) for each place that runs first-party code."""
    for path, found in sorted(by_file.items()):
        python = path.endswith(_PYTHON_SUFFIXES)
        if python and own_mode.get(path) in _LENT_BY_MODULES:
            yield own_mode[path], (), path  # a worker, cron or migration module
        if python:
            continue
        for usage in found:
            if usage.kind in (STRING_REFERENCE, COMMAND) or not usage.is_distribution:
                target = _target(usage.name, modules)
                if target is not None and usage.mode in _LENT_BY_RUNNERS:
                    yield usage.mode, (f"{usage.path}:{usage.line}",), target


def _lent(
    found: Iterable[Usage], first_party: set[str], mode: str, trail: tuple[str, ...]
) -> list[Usage]:
    chain = " → ".join(trail)
    return [
        Usage(
            u.name,
            u.path,
            u.line,
            u.kind,
            mode,
            u.optional,
            u.is_distribution,
            # The usage's own detail stays, first (a long chain is cut): it may say which
            # extra provides the module.
            (f"{u.detail}; reached from {chain}" if u.detail else f"reached from {chain}")[:500],
        )
        for u in found
        if u.kind != COMMAND and (u.is_distribution or u.name.split(".")[0] not in first_party)
    ]
