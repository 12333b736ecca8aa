"""Rules turn what the scanner read into candidates (findings).

Which rules run, and in what order, is ``kinds.KINDS``: each kind with a ``finder`` is found
by that function, given one ``RuleContext`` for the scan.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Collection, Iterable

from packaging.utils import canonicalize_name

from scanning.distributions import lockgraph, mapping
from scanning.evidence import patterns
from scanning.manifests import toolsettings
from scanning.manifests.fixtures import is_test_fixture
from scanning.rules import buildscripts, scopes
from scanning.rules import kinds as finding_kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import locked_declarations
from scanning.rules.hints import link_unknown_mappings
from scanning.rules.unread import NEEDS_EVERY_MANIFEST, unread_of
from scanning.types import Finding, TreeScan

ALL_KINDS = finding_kinds.RULE_KINDS
DEFAULT_KINDS = ALL_KINDS
Finder = Callable[[RuleContext], Iterable[Finding]]


@functools.cache
def finder(spec: str) -> Finder:
    """The function ``module:function`` (inside ``scanning.rules``) names."""
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(f"scanning.rules.{module}"), function)


def run_rules(
    tree: TreeScan,
    *,
    known_first_party: Iterable[str] = (),
    kinds: Collection[str] = DEFAULT_KINDS,
) -> list[Finding]:
    """Findings of the ``kinds`` asked for; ``known_first_party`` adds the repository's names.

    What the declared distributions provide comes from ``tree.provided`` (see ``ImportMap``).
    While a manifest could not be read, the kinds that need every manifest are not reported:
    the unread file may declare what looks missing.
    """
    if unread_of(tree).manifest_problem() is not None:
        kinds = [k for k in kinds if k not in NEEDS_EVERY_MANIFEST]
    roots = scopes.project_roots([*tree.paths, *(m.path for m in tree.manifests)])
    if len(roots) < 2:
        return _run_scope(tree, known_first_party=known_first_party, kinds=kinds)
    # Projects with environments of their own are judged apart: each with its own manifests
    # and code, plus the repository's shared commands and settings. What lies outside every
    # project is judged against the whole repository, as without projects.
    found: list[Finding] = []
    for scope in (*roots, scopes.WHOLE):
        part = tree
        if scope != scopes.WHOLE:
            part = dataclasses.replace(
                tree,
                manifests=[
                    m
                    for m in tree.manifests
                    if scopes.scope_of(m.path, roots) in (scope, scopes.WHOLE)
                ],
                usages=[u for u in tree.usages if scopes.serves(u, scope, roots)],
            )
        found += [
            f
            for f in _run_scope(part, known_first_party=known_first_party, kinds=kinds)
            if scopes.in_scope(f, scope, roots)
        ]
    return scopes.merged(found)


def _run_scope(
    tree: TreeScan, *, known_first_party: Iterable[str], kinds: Collection[str]
) -> list[Finding]:
    # Sample code in test fixtures shows a package in use but never makes one missing.
    # So does a build script's code: the build environment, not the project, provides it.
    paths = set(tree.paths)
    fixtures = {
        path
        for path in {u.path for u in tree.usages}
        if is_test_fixture(path) or buildscripts.is_build_script(path, paths)
    }
    usages = tree.usages
    if fixtures:
        usages = [
            dataclasses.replace(u, optional=True) if not u.optional and u.path in fixtures else u
            for u in usages
        ]
    manifest_kinds = {m.path: m.kind for m in tree.manifests}
    # What a declared extra installs is declared (celery[redis] declares what redis:// needs):
    # such a use keeps the package used but never makes it missing.
    declared_extras = {(d.name, canonicalize_name(e)) for d in tree.declarations for e in d.extras}
    if declared_extras:
        usages = [
            dataclasses.replace(u, optional=True)
            if not u.optional and patterns.extras_in(u.detail) & declared_extras
            else u
            for u in usages
        ]
    locked = locked_declarations(tree.declarations, manifest_kinds)
    import_map = mapping.ImportMap(
        lockgraph.with_lock_requires(tree.provided, lockgraph.facts_from_locks(locked))
    )
    context = RuleContext(
        declarations=tree.declarations,
        usages=usages,
        errors=tree.errors,
        first_party=tree.first_party
        | set(known_first_party)
        | tree.tool_settings.known_first_party,
        direct_kinds=manifest_kinds,
        import_map=import_map,
    )
    findings: list[Finding] = []
    for kind in finding_kinds.KINDS:
        if kind.finder:
            found = list(finder(kind.finder)(context))
            context.found[kind.value] = found
            findings += found
    linked = link_unknown_mappings([f for f in findings if f.kind in kinds], import_map=import_map)
    return toolsettings.mark_kept(tree.tool_settings, linked)
