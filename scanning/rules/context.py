"""What every finder is given: one scan's declarations and usages, and what is known about them."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanning.distributions import mapping
from scanning.types import Declaration, FileError, Finding, Usage


@dataclass
class RuleContext:
    declarations: list[Declaration]
    usages: list[Usage]  # sample code in test fixtures already marked optional
    errors: list[FileError]
    first_party: set[str]  # the repository's own modules, with the names it was told
    direct_kinds: dict[str, str]  # manifest path -> manifest kind
    import_map: mapping.ImportMap
    # Findings of the finders that ran before, by kind (dev-in-prod reads unused).
    found: dict[str, list[Finding]] = field(default_factory=dict)
