"""Calls that load every plugin installed in an entry-point group.

``pluggy``'s ``load_setuptools_entrypoints("flaskbb_plugins")`` or
``importlib.metadata.entry_points(group="myapp.plugins")`` loads whatever installed
distribution registers an entry point in that group, so nothing imports those distributions.
Each call becomes an ``entry-point-group`` usage ``GROUP:*``; which declared distributions
register in the group is their own metadata's answer (their ``entry_points.txt``).
"""

from __future__ import annotations

import ast

from scanning.evidence.imports import str_value
from scanning.types import ENTRY_POINT_GROUP, Usage

ANY = "*"

# Loader call name → (position of the group argument, its keyword, documentation).
LOADERS: dict[str, tuple[int, str, str]] = {
    "entry_points": (-1, "group", "https://docs.python.org/3/library/importlib.metadata.html#entry-points"),
    "select": (-1, "group", "https://docs.python.org/3/library/importlib.metadata.html#entry-points"),
    "iter_entry_points": (0, "group", "https://setuptools.pypa.io/en/latest/pkg_resources.html#convenience-api"),
    "load_setuptools_entrypoints": (0, "group", "https://pluggy.readthedocs.io/en/stable/api_reference.html#pluggy.PluginManager.load_setuptools_entrypoints"),
    "ExtensionManager": (0, "namespace", "https://docs.openstack.org/stevedore/latest/reference/index.html"),
    "NamedExtensionManager": (0, "namespace", "https://docs.openstack.org/stevedore/latest/reference/index.html"),
    "EnabledExtensionManager": (0, "namespace", "https://docs.openstack.org/stevedore/latest/reference/index.html"),
}  # fmt: skip


def group_usages(call: ast.Call, path: str, mode: str) -> list[Usage]:
    """The entry-point group a loader call reads, as one possible use of its members."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    loader = LOADERS.get(called)
    if loader is None:
        return []
    position, keyword, source = loader
    group = next((str_value(k.value) for k in call.keywords if k.arg == keyword), None)
    if group is None and position >= 0 and len(call.args) > position:
        group = str_value(call.args[position])
    if not group or ":" in group or len(group) > 200:
        return []
    detail = f"{called}({group!r}) loads every installed {group} entry point (per {source})"
    return [
        Usage(f"{group}:{ANY}", path, call.lineno, ENTRY_POINT_GROUP, mode, True, False, detail)
    ]
