"""Which packages a declared package pulls in, per the metadata installed on this server.

Without a lock file the repository does not say what ``requests`` brings along; the server's
own installed metadata often does (``requests`` requires ``urllib3``). An import of such a
package is then transitive (DEP003), the way deptry decides it from its environment, and the
finding says where that knowledge came from.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from functools import lru_cache

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


@lru_cache(maxsize=4096)
def installed_requires(distribution: str) -> frozenset[str]:
    """Canonical names ``distribution`` requires unconditionally of extras, if installed here."""
    try:
        texts = importlib.metadata.requires(distribution) or []
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return frozenset()
    names = set()
    for text in texts:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        names.add(canonicalize_name(requirement.name))
    return frozenset(names)


def pulled_in_by(declared: Iterable[str]) -> dict[str, str]:
    """Each package the ``declared`` ones require, directly or not → the declared one."""
    parents: dict[str, str] = {}
    queue = [(name, name) for name in sorted(set(declared))]
    seen = {name for name, _ in queue}
    while queue:
        name, root = queue.pop(0)
        for required in sorted(installed_requires(name)):
            if required not in seen:
                seen.add(required)
                parents[required] = root
                queue.append((required, root))
    return parents
