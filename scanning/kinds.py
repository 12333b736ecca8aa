"""The registry of finding kinds, as the other apps read it (``scanning.rules.kinds`` holds it).

Decision records take their kind choices, starting scores and removal handling from here, so
no app above scanning reaches into the rules.
"""

from __future__ import annotations

from scanning.rules.kinds import (
    KINDS,
    REMOVAL_KINDS,
    VULNERABLE,
    FindingKind,
    choices,
    code_for,
)

__all__ = ["KINDS", "REMOVAL_KINDS", "VULNERABLE", "FindingKind", "choices", "code_for"]
