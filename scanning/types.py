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
# A name looked up in an entry-point group (an MkDocs plugin, a Markdown extension): ``name`` is
# ``group:entry``; which distribution provides it is the entry-point metadata's answer.
ENTRY_POINT_GROUP = "entry-point-group"
# A pytest fixture a test asks for, and one the repository defines, by name: they never leave
# the engine, which turns the requests nobody in the repository answers into uses of the plugin
# whose wheel defines that fixture (``scanning.evidence.pytest_plugins.plugin_fixture_usages``).
FIXTURE_REQUEST = "fixture-request"
FIXTURE_DEFINITION = "fixture-definition"


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
    # How sure the rule is (high, medium, low), from where its knowledge came: a package's own
    # metadata, the knowledge table, or an assumption from a name. "" for rules that need none.
    confidence: str = ""
    # Why the repository's own tool configuration keeps it ("kept by repository configuration
    # (pyproject.toml [tool.deptry] per_rule_ignores DEP002)"); "" when nothing does.
    kept: str = ""


# How a lookup's reason says the configured package index has no project of that name (404):
# the ``unknown-package`` rule reads it, from a fresh lookup or from the cache alike.
NOT_ON_INDEX = "no such project"


@dataclass(frozen=True, slots=True)
class EntryPoint:
    group: str  # console_scripts, pytest11, mkdocs.plugins, ...
    name: str
    value: str = ""  # module:attr


@dataclass(frozen=True, slots=True)
class DistributionFacts:
    """One distribution's metadata as far as a scan knows it (``scanning.distributions``).

    ``import_names`` are the modules it installs: top-level names, or dotted names below a
    namespace it shares with other distributions (``google.cloud.storage``), never the bare
    namespace. ``source`` says where they came from: ``index`` (the release's wheel on the
    package index), ``table`` (Debtboard's knowledge table), ``similar`` (an unmapped import
    looks like its name) or ``assumed`` (nothing better than its name); never the scanning
    server's own environment. ``requires`` are its ``Requires-Dist`` lines, markers and extras
    included, from ``requires_source`` (``index`` or ``lock``; "" when nothing said).
    ``reason`` says why a better source did not answer.
    """

    name: str  # canonical distribution name
    import_names: tuple[str, ...] = ()  # sorted
    source: str = "assumed"
    version: str = ""  # the release whose metadata was read
    reason: str = ""
    requires: tuple[str, ...] = ()
    requires_source: str = ""
    extras: tuple[str, ...] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    license: str = ""
    installed_bytes: int = 0  # the sum of the sizes its RECORD lists
    origin: str = ""  # what the facts were read from (a wheel, a lock, a table entry)
    # Fixtures its pytest plugin modules (``pytest11`` entry points) define, read from its wheel.
    fixtures: tuple[str, ...] = ()

    @property
    def console_scripts(self) -> tuple[str, ...]:
        groups = ("console_scripts", "gui_scripts")
        return tuple(e.name for e in self.entry_points if e.group in groups)

    def entry_point_names(self, group: str) -> tuple[str, ...]:
        return tuple(e.name for e in self.entry_points if e.group == group)


# The name scans used before the facts grew beyond import names.
ProvidedImports = DistributionFacts


@dataclass(frozen=True, slots=True)
class KeptNames:
    """Names a tool setting of the repository silences, for some kinds of finding."""

    kinds: frozenset[str]
    names: frozenset[str]  # as written: distribution or module names
    reason: str  # the setting, e.g. "pyproject.toml [tool.deptry] ignore"


@dataclass(frozen=True, slots=True)
class ToolSettings:
    """What the repository configured for deptry or FawltyDeps (``manifests.toolsettings``)."""

    kept: tuple[KeptNames, ...] = ()
    exclude: tuple[str, ...] = ()  # regular expressions matched at the start of a path
    known_first_party: frozenset[str] = frozenset()
    module_map: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (distribution, its modules)
    errors: tuple[FileError, ...] = ()


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
    audit: dict = field(default_factory=dict)  # what was audited against what, and the gate
    tool_settings: ToolSettings = field(default_factory=ToolSettings)
    # Mentions of stored model artifacts (scanning.artifacts.references.Reference).
    artifact_references: list = field(default_factory=list)

    @property
    def declarations(self) -> list[Declaration]:
        return [d for m in self.manifests for d in m.declarations]
