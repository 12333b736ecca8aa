"""Rules turn what the scanner read into candidates (findings)."""

from __future__ import annotations

from scanning.rules.devtools import dev_in_prod
from scanning.rules.missing import missing
from scanning.rules.unused import unused
from scanning.types import Finding, TreeScan


def run_rules(tree: TreeScan) -> list[Finding]:
    declarations = tree.declarations
    kinds = {m.path: m.kind for m in tree.manifests}
    return [
        *unused(declarations, tree.usages, direct_kinds=kinds),
        *missing(declarations, tree.usages, first_party=tree.first_party),
        *dev_in_prod(declarations),
    ]
