"""What Debtboard knows about a distribution without scanning anything, for the other apps'
pages: the import names it provides, where that knowledge came from and how far to trust it
(``scanning.distributions`` holds it)."""

from __future__ import annotations

from scanning.distributions.facts import confidence
from scanning.distributions.mapping import SOURCE_LABELS, UNKNOWN, import_names_for, local_facts

__all__ = ["SOURCE_LABELS", "UNKNOWN", "confidence", "import_names_for", "local_facts"]
