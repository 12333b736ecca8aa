"""What a finished scan says, for the app that acts on it (decisions reconciles its records).

Whether a package is still there, which files the scan could not read and which findings the
repository's own configuration keeps are questions about scanning's facts; they are answered
here, so reconciliation never re-implements (or imports) the rules.
"""

from __future__ import annotations

from collections.abc import Callable

from scanning.distributions.mapping import ImportMap
from scanning.manifests.toolsettings import KEPT
from scanning.rules.unread import Unread, unread_of
from scanning.rules.unused import is_used, used_names
from scanning.types import TreeScan

__all__ = ["KEPT", "Unread", "present_in", "unread_of"]


def present_in(tree: TreeScan) -> Callable[[str], bool]:
    """Whether a distribution is still declared or used anywhere in the scanned tree."""
    declared = {d.name for d in tree.declarations}
    import_map = ImportMap(tree.provided)
    imports, distributions = used_names(tree.usages, import_map=import_map)
    return lambda name: (
        name in declared or is_used(name, imports, distributions, import_map=import_map)
    )
