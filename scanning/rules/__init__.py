"""Rules turn what the scanner read into candidates (findings)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable

from packaging.utils import canonicalize_name

from scanning.distributions import mapping
from scanning.evidence import patterns
from scanning.fixtures import is_test_fixture
from scanning.rules.devtools import dev_in_prod
from scanning.rules.hints import link_unknown_mappings
from scanning.rules.misplaced import misplaced_dev
from scanning.rules.missing import missing
from scanning.rules.pinning import no_lock, unpinned
from scanning.rules.transitive import transitive
from scanning.rules.typosquat import typosquats
from scanning.rules.unread import NEEDS_EVERY_MANIFEST, unread_of
from scanning.rules.unused import unused
from scanning.types import Finding, TreeScan

ALL_KINDS = frozenset(
    {
        "unused",
        "missing",
        "transitive",
        "misplaced-dev",
        "dev-in-prod",
        "typosquat",
        "unpinned",
        "no-lock",
    }
)
DEFAULT_KINDS = ALL_KINDS


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
    declarations = tree.declarations
    manifest_kinds = {m.path: m.kind for m in tree.manifests}
    first_party = tree.first_party | set(known_first_party)
    # Sample code in test fixtures shows a package in use but never makes one missing.
    fixtures = {path for path in {u.path for u in tree.usages} if is_test_fixture(path)}
    usages = tree.usages
    if fixtures:
        usages = [
            dataclasses.replace(u, optional=True) if not u.optional and u.path in fixtures else u
            for u in usages
        ]
    # What a declared extra installs is declared (celery[redis] declares what redis:// needs):
    # such a use keeps the package used but never makes it missing.
    declared_extras = {(d.name, canonicalize_name(e)) for d in declarations for e in d.extras}
    if declared_extras:
        usages = [
            dataclasses.replace(u, optional=True)
            if not u.optional and patterns.extras_in(u.detail) & declared_extras
            else u
            for u in usages
        ]
    import_map = mapping.ImportMap(tree.provided)
    unused_found = unused(declarations, usages, direct_kinds=manifest_kinds, import_map=import_map)
    scope = {"first_party": first_party, "direct_kinds": manifest_kinds, "import_map": import_map}
    findings = [
        *unused_found,
        *missing(declarations, usages, **scope),
        *transitive(declarations, usages, **scope),
        *misplaced_dev(declarations, usages, **scope),
        *dev_in_prod(
            declarations,
            direct_kinds=manifest_kinds,
            unused={f.subject for f in unused_found},
        ),
        *typosquats(declarations, tree.errors, direct_kinds=manifest_kinds, usages=usages),
        *unpinned(declarations, direct_kinds=manifest_kinds),
        *no_lock(declarations, direct_kinds=manifest_kinds),
    ]
    return link_unknown_mappings([f for f in findings if f.kind in kinds], import_map=import_map)
