"""Every kind of finding, once: its value, code, label, what acting on it means, its scores.

The report's codes, the decision records' kind choices, the starting scores of a new record
and which decided kinds take a package out of the repository are all read from ``KINDS``.
``finder`` names the function (``module:function`` inside ``scanning.rules``) that
``run_rules`` calls with a ``RuleContext``; kinds without one are found by other steps of the
engine (weights read git, vulnerabilities and licences come from the audit).

Adding a rule is a finder and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

UNUSED = "unused"
MISSING = "missing"
TRANSITIVE = "transitive"
MISPLACED_DEV = "misplaced-dev"
DEV_IN_PROD = "dev-in-prod"
UNPINNED = "unpinned"
NO_LOCK = "no-lock"
TYPOSQUAT = "typosquat"
WEIGHT_FILE = "weight-file"
VULNERABLE = "vulnerable"
LICENSE = "license"
CONFLICTING_PINS = "conflicting-pins"
UNKNOWN_PACKAGE = "unknown-package"
OPTIONAL_USE = "optional-use"
UNVERIFIED_MAPPING = "unverified-mapping"
ARTIFACT_VERSION = "artifact-version"

UNKNOWN_CODE = "DBT100"


@dataclass(frozen=True, slots=True)
class FindingKind:
    value: str  # stored on decision records: never change one
    name: str  # the constant's name, and the model choice's
    # deptry's code where deptry's check means the same thing (DEP001-DEP004), else ours (DBT1xx)
    code: str
    label: str
    removes_package: bool  # acting on it takes the package out of the repository
    impact: int  # starting scores of a new record (1-5): the cost of leaving it ...
    confidence: int  # ... and how sure the finding is right
    finder: str = ""
    # Found by run_rules though another finder or step makes it (unused makes optional-use,
    # the one-package merge makes unverified-mapping): the finder or step that does.
    made_by: str = ""
    # What the CI gate does with an unkept finding of this kind unless the organisation's
    # policy says otherwise (scanning.gate.policy): block, warn, monitor or ignore.
    gate_level: str = "warn"

    @property
    def deptry_code(self) -> str:
        return self.code if self.code.startswith("DEP") else ""


# In the order of the model's choices; the finders run in this order too.
KINDS: tuple[FindingKind, ...] = (
    FindingKind(
        UNUSED,
        name="UNUSED",
        code="DEP002",
        label="Unused",
        removes_package=True,
        impact=3,
        confidence=3,
        finder="unused:find",
    ),
    FindingKind(
        MISSING,
        name="MISSING",
        code="DEP001",
        label="Missing",
        removes_package=False,
        impact=4,
        confidence=4,
        finder="missing:find",
        gate_level="block",
    ),
    FindingKind(
        TRANSITIVE,
        name="TRANSITIVE",
        code="DEP003",
        label="Transitive",
        removes_package=False,
        impact=3,
        confidence=4,
        finder="transitive:find",
    ),
    FindingKind(
        MISPLACED_DEV,
        name="MISPLACED_DEV",
        code="DEP004",
        label="Misplaced dev",
        removes_package=True,
        impact=3,
        confidence=4,
        finder="misplaced:find",
    ),
    FindingKind(
        VULNERABLE,
        name="VULNERABLE",
        code="DBT106",
        label="Vulnerable",
        removes_package=False,
        impact=4,
        confidence=4,
        gate_level="block",
    ),
    FindingKind(
        UNPINNED,
        name="UNPINNED",
        code="DBT102",
        label="Unpinned",
        removes_package=False,
        impact=2,
        confidence=5,
        finder="pinning:find_unpinned",
        gate_level="monitor",
    ),
    FindingKind(
        NO_LOCK,
        name="NO_LOCK",
        code="DBT103",
        label="No lock",
        removes_package=False,
        impact=3,
        confidence=5,
        finder="pinning:find_no_lock",
        gate_level="monitor",
    ),
    FindingKind(
        DEV_IN_PROD,
        name="DEV_IN_PROD",
        code="DBT101",
        label="Dev tool in production",
        removes_package=True,
        impact=3,
        confidence=5,
        finder="devtools:find",
    ),
    FindingKind(
        TYPOSQUAT,
        name="TYPOSQUAT",
        code="DBT104",
        label="Typosquat suspect",
        removes_package=True,
        impact=5,
        confidence=2,
        finder="typosquat:find",
        gate_level="block",
    ),
    FindingKind(
        LICENSE,
        name="LICENSE",
        code="DBT107",
        label="Licence",
        removes_package=False,
        impact=4,
        confidence=3,
    ),
    FindingKind(
        WEIGHT_FILE,
        name="WEIGHT_FILE",
        code="DBT105",
        label="Weight file",
        removes_package=False,
        impact=3,
        confidence=4,
    ),
    FindingKind(
        CONFLICTING_PINS,
        name="CONFLICTING_PINS",
        code="DBT108",
        label="Conflicting pins",
        removes_package=False,
        impact=3,
        confidence=5,
        finder="conflicts:find",
    ),
    FindingKind(
        UNKNOWN_PACKAGE,
        name="UNKNOWN_PACKAGE",
        code="DBT109",
        label="Not on the package index",
        removes_package=False,
        impact=5,
        confidence=4,
        finder="unknown:find",
        gate_level="block",
    ),
    FindingKind(
        OPTIONAL_USE,
        name="OPTIONAL_USE",
        code="DBT110",
        label="Possibly used by an optional feature",
        removes_package=True,
        impact=2,
        confidence=2,
        made_by="unused:find",
        gate_level="monitor",
    ),
    FindingKind(
        UNVERIFIED_MAPPING,
        name="UNVERIFIED_MAPPING",
        code="DBT111",
        label="Unverified import mapping",
        removes_package=False,
        impact=3,
        confidence=2,
        made_by="hints:link_unknown_mappings",
        gate_level="monitor",
    ),
    # Found by the artifact-store inventory (deep mode), not by a scan of a checkout.
    FindingKind(
        ARTIFACT_VERSION,
        name="ARTIFACT_VERSION",
        code="DBT112",
        label="Artifact version",
        removes_package=False,
        impact=2,
        confidence=3,
    ),
)
BY_VALUE = {kind.value: kind for kind in KINDS}
# Found by run_rules (a finder may read the findings of those before it).
RULE_KINDS = frozenset(kind.value for kind in KINDS if kind.finder or kind.made_by)
REMOVAL_KINDS = frozenset(kind.value for kind in KINDS if kind.removes_package)


def code_for(kind: str) -> str:
    found = BY_VALUE.get(kind)
    return found.code if found else UNKNOWN_CODE


def choices() -> list[tuple[str, tuple[str, str]]]:
    """(name, (value, label)) for ``models.TextChoices``, in registry order."""
    return [(kind.name, (kind.value, kind.label)) for kind in KINDS]
