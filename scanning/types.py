"""Plain data passed between the scanner's parsers, rules and the store.

Parsers and rules only ever see these dataclasses (no ORM): they are fast to build in
tests and cheap to pickle into a worker's child process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Purpose groups a declaration can serve.
RUNTIME = "runtime"
DEV = "dev"
TEST = "test"
DOCS = "docs"
JOB = "job"
NOTEBOOK = "notebook"
PURPOSES = (RUNTIME, DEV, TEST, DOCS, JOB, NOTEBOOK)

# Pin levels of a declaration, weakest first.
UNPINNED = "unpinned"
RANGE = "range"
EXACT = "exact"
LOCKED = "locked"
PIN_LEVELS = (UNPINNED, RANGE, EXACT, LOCKED)

# Execution modes a piece of evidence belongs to.
MODES = ("web", "worker", "cron", "migration", "test", "notebook", "script", "ci", "docs")

# Kinds of evidence of use.
STATIC_IMPORT = "static-import"
DYNAMIC_IMPORT = "dynamic-import"
STRING_REFERENCE = "string-reference"
COMMAND = "command"
ENTRY_POINT = "entry-point"
CONFIG = "config"


@dataclass(frozen=True, slots=True)
class FileError:
    """A problem with one file (or one line of it); the scan goes on without it."""

    path: str
    message: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Declaration:
    """One declared requirement, e.g. ``requests[socks]>=2.31; python_version<"3.12"``."""

    path: str  # repository-relative POSIX path of the manifest holding it
    line: int  # 1-based; 0 when the format has no meaningful line
    name: str  # PEP 503 canonical distribution name
    raw: str  # the requirement text with credentials redacted
    purpose: str = RUNTIME
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    pinned_version: str = ""  # set when pin_level is exact or locked
    pin_level: str = UNPINNED
    url: str = ""  # direct/VCS/editable reference, credentials redacted
    editable: bool = False
    # In a compiled file (pip-compile, uv): its ``# via`` notes, what asked for the package
    # (``-r requirements.in``, ``shop (pyproject.toml)`` or the names of other packages).
    via: tuple[str, ...] = ()


@dataclass(slots=True)
class ManifestFile:
    """A file that declares or locks requirements."""

    path: str
    kind: str  # requirements, constraints, pyproject-pep621, poetry, ..., dockerfile, ci
    purpose: str
    content_hash: str
    declarations: list[Declaration] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Usage:
    """Evidence that the repository loads something.

    ``name`` is a top-level import name (``yaml``) unless ``is_distribution`` is set, in which
    case it is already a distribution name (a console script such as ``gunicorn`` maps to one).
    """

    name: str
    path: str
    line: int
    kind: str = STATIC_IMPORT
    mode: str = "script"
    optional: bool = False  # inside try/except ImportError or a conditional
    is_distribution: bool = False
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A candidate a rule produced: one per (subject, kind)."""

    kind: str  # unused, missing, dev-in-prod, ...
    subject: str  # canonical distribution name, or a repository path for file findings
    summary: str
    evidence: tuple[Usage | Declaration, ...] = ()
    severity: str = ""  # critical, high, medium or low, for vulnerable findings


@dataclass(frozen=True, slots=True)
class ProvidedImports:
    """The import names a distribution provides, and where that answer comes from.

    ``source`` is installed (metadata on this server), index (the release's wheel on the
    package index), curated (the table in ``distributions.known_imports``), namespace (the
    dotted-name rule for ``google-cloud-*`` and the like) or unknown. ``reason`` says why a
    better source did not answer (the index lookup failed, or no index is configured).
    """

    name: str  # canonical distribution name
    import_names: tuple[str, ...]  # top-level, or dotted below a namespace; sorted
    source: str
    version: str = ""  # the release whose wheel was read (index)
    reason: str = ""


@dataclass(slots=True)
class TreeScan:
    """Everything the scanner read from one checkout."""

    manifests: list[ManifestFile] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)
    first_party: set[str] = field(default_factory=set)
    files_seen: int = 0
    paths: list[str] = field(default_factory=list)  # the files listed, repository-relative
    errors: list[FileError] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    modes_seen: dict[str, int] = field(default_factory=dict)  # execution mode -> files read
    modes_incomplete: list[str] = field(default_factory=list)  # modes with unreadable files
    longest_job_interval_days: int = 0
    # What each declared distribution provides, loaded by the caller of the scanner (installed
    # metadata, the package index through its cache, the curated table); empty = rules alone.
    provided: dict[str, ProvidedImports] = field(default_factory=dict)
    # Mentions of stored model artifacts (scanning.artifacts.references.Reference).
    artifact_references: list = field(default_factory=list)

    @property
    def declarations(self) -> list[Declaration]:
        return [d for m in self.manifests for d in m.declarations]
