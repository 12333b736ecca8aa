"""Declared, never used: a candidate for removal."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from scanning.distributions import autoload, mapping, requires
from scanning.distributions.facts import HIGH, LOW
from scanning.distributions.provided import STDLIB
from scanning.evidence import entrypoints, pytest_plugins
from scanning.manifests import conda
from scanning.manifests.commands import DOCKERFILE
from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import compiled_paths, direct_declarations
from scanning.rules.devtools import (
    PACKAGING_TOOLS,
    SEEDED_TOOLS,
    TYPE_CHECKERS,
    is_dev_tool,
    is_tool_plugin,
    plugin_hosts,
    stub_targets,
)
from scanning.types import COMMAND, ENTRY_POINT_GROUP, RUNTIME, Declaration, Finding, Usage

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
    distributions |= entry_point_members(usages, import_map=import_map)
    modules = {u.name for u in usages if not u.is_distribution and u.kind != ENTRY_POINT_GROUP}
    for module in modules:
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


def _types_an_import(
    targets: tuple[str, ...], imports: set[str], *, import_map: mapping.ImportMap
) -> bool:
    for target in targets:
        names = {target.replace("-", "_").lower()}
        names |= {n.lower() for n in import_map.import_names_for(canonicalize_name(target))}
        if any(n in imports for n in names):
            return True
    return False


def entry_point_members(
    usages: list[Usage], *, import_map: mapping.ImportMap = mapping.DEFAULT_MAP
) -> set[str]:
    """Declared distributions that register an entry point the repository loads by its group:
    ``group:name`` (an MkDocs plugin, ``pytest -p NAME``) or ``group:*`` (every plugin of the
    group), per each distribution's own entry-point metadata."""
    wanted = {u.name.partition(":")[::2] for u in usages if u.kind == ENTRY_POINT_GROUP}
    if not wanted:
        return set()
    members = {
        fact.name
        for fact in import_map.provided.values()
        for point in fact.entry_points
        if (point.group, point.name) in wanted or (point.group, entrypoints.ANY) in wanted
    }
    # Without metadata, a plugin is known by the name its host gives its plugins: every
    # member of ``flaskbb_plugins`` loaded, flaskbb-plugin-portal is assumed one of them.
    # Likewise a project that loads a group of its own (``harlequin.adapter``, loaded from
    # src/harlequin/plugins.py) and names its plugins after itself: harlequin-postgres.
    own = {
        (u.name.partition(":")[0], u.path)
        for u in usages
        if u.kind == ENTRY_POINT_GROUP and u.name.partition(":")[2] == entrypoints.ANY
    }
    groups = {group for group, _ in own}  # every plugin of each loaded
    members |= {
        fact.name
        for fact in import_map.provided.values()
        if not fact.entry_points
        and fact.source in (mapping.UNKNOWN, mapping.NAMESPACE, mapping.SIMILAR)
        and not mapping.local_facts(fact.name).entry_points
        and (
            any(_named_for_group(fact.name, group) for group in groups)
            or any(_named_for_own_group(fact.name, group, path) for group, path in own)
        )
    }
    return members


def _named_for_own_group(distribution: str, group: str, path: str) -> bool:
    """Whether ``distribution`` is named ``HOST-x`` for a dotted ``HOST.kind`` group that
    code inside the package folder ``HOST`` loads: the repository is that host, and names its
    plugins after itself."""
    host, dot, _ = group.partition(".")
    if not dot or not host.isidentifier():
        return False
    if host.lower() not in [part.lower() for part in path.split("/")[:-1]]:
        return False
    prefix = host.lower().replace("_", "-") + "-"
    return distribution.startswith(prefix) and len(distribution) > len(prefix)


# Words a host's group name adds to its own: ``flaskbb_plugins``, ``myapp.extensions``.
_GROUP_WORDS = frozenset({"plugin", "plugins", "extension", "extensions", "ext", "addons"})


def _named_for_group(distribution: str, group: str) -> bool:
    """Whether ``distribution`` is named as its host names plugins of ``group``:
    ``flaskbb-plugin-portal`` for ``flaskbb_plugins`` (the host's name, then a plugin word)."""
    words = [w for w in re.split(r"[^a-z0-9]+", group.lower()) if w]
    host = [w for w in words if w not in _GROUP_WORDS]
    if not host or host == words:  # no plugin word in the group: no naming convention
        return False
    parts = distribution.split("-")
    return (
        parts[: len(host)] == host
        and len(parts) > len(host) + 1
        and (parts[len(host)] in _GROUP_WORDS)
    )


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
        # ``import google`` alone may be a use of google-cloud-storage: give it the benefit,
        # unless that prefix is known to be another distribution's own module (``dbt`` is
        # dbt-core's: importing it, or dbt.adapters.duckdb, does not use dbt-postgres).
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if prefix in imports and not _owned_by_another(prefix, name, import_map):
                return True
    return False


def _owned_by_another(module: str, name: str, import_map: mapping.ImportMap) -> bool:
    resolution = import_map.resolve(module)
    known = resolution.source not in (mapping.CONVENTION, mapping.AMBIGUOUS)
    return known and resolution.distribution != name


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
    direct = direct_declarations(declarations, direct_kinds)
    installers = _installer_pins(direct, direct_kinds)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in direct:
        name = declaration.name
        if name not in PACKAGING_TOOLS or (name in SEEDED_TOOLS and declaration not in installers):
            by_name.setdefault(name, []).append(declaration)
    checkers = sorted(TYPE_CHECKERS & distributions)
    stubs = {
        name: targets
        for name in by_name
        if (targets := stub_targets(name, import_map.facts(name).import_names))
    }
    used = {
        name
        for name in by_name
        if name not in SEEDED_TOOLS and is_used(name, imports, distributions, import_map=import_map)
    }
    used |= {
        name
        for name, targets in stubs.items()
        if checkers and _types_an_import(targets, imports, import_map=import_map)
    }
    # pip, setuptools and wheel: the command of that name is the environment's seeded copy.
    seeded_imports, seeded_distributions = used_names(
        [u for u in usages if not (u.kind == COMMAND and u.name.split(".")[0] in SEEDED_TOOLS)],
        import_map=import_map,
    )
    used |= {
        name
        for name in by_name
        if name in SEEDED_TOOLS
        and is_used(name, seeded_imports, seeded_distributions, import_map=import_map)
    }
    # hiredis beside a used redis, httptools beside a used uvicorn: loaded without being named.
    used |= {
        name
        for name in by_name
        if any(p in used or p in distributions for p in autoload.parents_loading(name))
    }
    relations = _Relations(
        [d for name in sorted(used) for d in by_name[name]], import_map=import_map
    )
    used |= {
        name
        for name in by_name
        if name not in used
        and any(
            _feature_imported(parent, extra, imports, import_map=import_map)
            for parent, extra in relations.offered_by_extra(name)
        )
    }
    findings = []
    for name, found in sorted(by_name.items()):
        # The scan's facts (index, lock) and the shipped table's: a lock lists no entry points.
        points = (*import_map.facts(name).entry_points, *mapping.local_facts(name).entry_points)
        hosts = plugin_hosts(name, points)
        plugin = is_tool_plugin(name) or bool(hosts)
        dev_tool = is_dev_tool(name) or plugin
        for_development = all(d.purpose != RUNTIME for d in found)
        # Declared for runtime and for development: dev-in-prod says the runtime line goes. A
        # plugin in a dev group acts by being installed where its tool runs: no verdict here,
        # unless that tool is declared here too and nothing runs it.
        if dev_tool and not for_development and any(d.purpose != RUNTIME for d in found):
            continue
        # A plugin of a tool that runs (poetry-plugin-export where `poetry export` runs).
        if any(host in used or host in distributions for host in hosts):
            continue
        idle_hosts = sorted(hosts) if hosts and hosts <= by_name.keys() - used else []
        asked_only = name in pytest_plugins.ACTS_ONLY_WHEN_ASKED or name in stubs
        if dev_tool and for_development and plugin and not asked_only and not idle_hosts:
            continue
        if name in used:
            continue
        where = ", ".join(f"{d.path}:{d.line}" for d in found)
        offered = relations.offered_by_extra(name)
        if offered:
            findings.append(_optional_use(name, found, where, offered))
            continue
        summary = f"{name} is declared at {where} but nothing imports or runs it."
        if name in stubs:
            typed = ", ".join(stubs[name])
            why = (
                f"{' and '.join(checkers)} runs but nothing imports {typed}"
                if checkers
                else "no type checker (mypy, pyright...) runs or is configured"
            )
            summary = (
                f"Type stubs {name} (for {typed}) are declared at {where}, and {why}:"
                " stubs are read only by a type checker checking code that imports their module."
            )
        elif idle_hosts:
            summary = (
                f"{name} (declared at {where}) is a plugin of {' and '.join(idle_hosts)}, which"
                " is declared here too and which no task runner, CI step or hook runs: the"
                " plugin acts only where its tool runs."
            )
        elif asked_only and for_development:
            summary = (
                f"pytest plugin {name} is declared for development at {where}, and nothing"
                " passes its options or asks for its fixtures or markers: installed, it changes"
                f" nothing (per {pytest_plugins.ACTS_ONLY_WHEN_ASKED[name]})."
            )
        elif dev_tool and for_development:
            summary = (
                f"Development tool {name} is declared for development at {where}, and no task"
                " runner, CI step, hook or configuration runs or configures it. If developers"
                " run it by hand, keep it; otherwise the line can go."
            )
        elif dev_tool:
            summary = (
                f"Development tool {name} is a runtime requirement at {where}, and nothing"
                " imports, runs or configures it. If developers run it by hand, move it to a"
                " dev group instead of removing it."
            )
        if name in SEEDED_TOOLS:
            summary += (
                f" A {name} line beside the application's requirements is a version floor:"
                f" commands named {name} run the copy every environment is created with."
            )
        shadowed = stdlib_names_of(name, import_map=import_map)
        if shadowed:
            summary += f" Import {shadowed[0]} is the standard library's own module."
        elif not dev_tool:
            summary += f" {import_map.describe(name)}"
        summary += relations.installed_anyway(name)
        findings.append(
            Finding(
                kind=kinds.UNUSED,
                subject=name,
                summary=summary,
                evidence=tuple(found),
                confidence=HIGH if shadowed else import_map.confidence(name),
            )
        )
    return findings


def _feature_imported(
    parent: str, extra: str, imports: set[str], *, import_map: mapping.ImportMap
) -> bool:
    """True when the code imports a module of ``parent`` named like its ``extra``: the
    feature's own module (``lxml.cssselect`` for lxml[cssselect], ``sqlalchemy.ext.asyncio``
    for sqlalchemy[asyncio]) loads what the extra installs."""
    feature = canonicalize_name(extra).replace("-", "_")
    for alias in import_map.import_names_for(parent):
        prefix = f"{alias.lower()}."
        for module in imports:
            if module.startswith(prefix) and feature in module[len(prefix) :].split("."):
                return True
    return False


def _installer_pins(
    declarations: list[Declaration], direct_kinds: dict[str, str]
) -> set[Declaration]:
    """Declarations of packaging tools that pin the installers later commands run.

    A requirements file (or one Dockerfile line) that lists nothing but packaging tools, and
    conda's ``pip`` (it runs the file's own ``pip:`` section).
    """
    units: dict[tuple[str, int], list[Declaration]] = {}
    for declaration in declarations:
        per_line = direct_kinds.get(declaration.path) == DOCKERFILE
        units.setdefault((declaration.path, declaration.line if per_line else 0), []).append(
            declaration
        )
    pins = set()
    for unit in units.values():
        if all(d.name in PACKAGING_TOOLS for d in unit):
            pins.update(unit)
        pins.update(
            d
            for d in unit
            if d.name == conda.SECTION_INSTALLER and direct_kinds.get(d.path) == conda.KIND
        )
    return pins


class _Relations:
    """How an unused declaration relates to the used ones, per the packages' own metadata."""

    def __init__(self, used: list[Declaration], *, import_map: mapping.ImportMap) -> None:
        self.import_map = import_map
        self.used = {d.name for d in used}
        self.chains = requires.pulled_in_by(used, import_map=import_map)
        self.graph = import_map.graph

    def installed_anyway(self, name: str) -> str:
        chain = self.chains.get(name)
        if not chain:
            return ""
        source = requires.source_of(chain, import_map=self.import_map)
        return (
            f" {chain[0]} installs it anyway ({' → '.join(chain)}, {source}): dropping the"
            " line changes nothing installed unless its pin is a deliberate floor."
        )

    def offered_by_extra(self, name: str) -> list[tuple[str, str]]:
        return self.graph.offered_by_extra(name, self.used)


def _optional_use(
    name: str, found: list[Declaration], where: str, offered: list[tuple[str, str]]
) -> Finding:
    parent, extra = offered[0]
    summary = (
        f"{name} is declared at {where} and nothing imports it, but {parent}, which is used,"
        f" loads it for its optional {extra!r} feature ({parent}[{extra}] installs it). Is"
        f" that feature in use? If so, declare {parent}[{extra}] instead of the bare"
        f" {name}; if not, {name} can go."
    )
    return Finding(
        kind=kinds.OPTIONAL_USE,
        subject=name,
        summary=summary,
        evidence=tuple(found),
        confidence=LOW,
    )


def find(context: RuleContext) -> list[Finding]:
    return unused(
        context.declarations,
        context.usages,
        direct_kinds=context.direct_kinds,
        import_map=context.import_map,
    )
