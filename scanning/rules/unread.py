"""Which files a scan could not read, so that nothing they held is taken as gone.

A file the scan skipped (too large, unreadable, a crash of its parser, past the file cap) or
could not parse as a whole (invalid TOML, JSON, YAML, INI or Python) says nothing about what
it declares or imports this time, nor does a manifest with a section of declarations it could
not read (``dependencies = "requests"``, ``install_requires=read_requirements()``). A
line-level problem (one invalid requirement) leaves the rest of the file read, so it is not
listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scanning import manifests
from scanning.types import FileError, TreeScan

# Messages of FileErrors after which nothing of the file was read (each producer: the walk,
# scanning.engine.isolation, manifests.common.load, the manifest parsers, rules.weights).
WHOLE_FILE_PREFIXES = (
    "skipped:",  # walk (too many files, link, pipe, unreadable), isolation (crash, timeout)
    "unreadable",  # manifests.common.load
    "parser failed",  # manifests.parse_manifests: a parser bug
    "nested too deeply",
    "invalid TOML",
    "invalid JSON",
    "invalid YAML",
    "invalid Python",
    "invalid Pipfile.lock",
    "invalid INI",  # manifests.setupcfg, tox: configparser refused the whole file
    "invalid notebook",  # evidence.notebooks: not JSON, or no list of cells
    "could not list git objects",  # rules.weights: git history not read
)
# What a manifest parser says when a whole section of declarations was left out (a list or
# table of the wrong shape, arguments that are not literals): what it declares is not known.
SECTION_NOT_READ = (
    " should be a list of requirement strings",
    " should be a table",
    " should be an array of tables",
    " should be an object",
    " is not a literal list; not read",
    " is not literal",
)
# Kinds whose verdict needs every manifest: "nothing declares X" is unknown while one of them
# could not be read. The other kinds rest on their own evidence's files.
NEEDS_EVERY_MANIFEST = frozenset({"missing", "transitive", "misplaced-dev", "no-lock"})
# Kinds whose evidence is git's object listing rather than a file of the tree.
NEEDS_GIT_HISTORY = frozenset({"weight-file"})
GIT_HISTORY = ".git"


def is_whole_file(error: FileError) -> bool:
    """Whether ``error`` says the file, or a whole section of its declarations, was not read."""
    message = error.message
    return message.startswith(WHOLE_FILE_PREFIXES) or any(s in message for s in SECTION_NOT_READ)


@dataclass(frozen=True)
class Unread:
    """The files of one scan that were not read, each with why."""

    files: dict[str, str] = field(default_factory=dict)
    manifests: dict[str, str] = field(default_factory=dict)
    # The walk stopped early: files after this one were never listed (the error's message).
    listing_cut: tuple[str, str] | None = None
    listed: frozenset[str] = frozenset()

    def manifest_problem(self) -> tuple[str, str] | None:
        """(path, why) of the first manifest not read, or of the cut that hid later files."""
        if self.manifests:
            path = min(self.manifests)
            return path, self.manifests[path]
        return self.listing_cut

    def why_unchecked(self, kind: str, paths: Iterable[str]) -> str:
        """Why a candidate of ``kind`` whose evidence lies in ``paths`` was not re-checked;
        "" when it was."""
        problem: tuple[str, str] | None = None
        if kind in NEEDS_EVERY_MANIFEST:
            problem = self.manifest_problem()
        if problem is None and kind in NEEDS_GIT_HISTORY and GIT_HISTORY in self.files:
            problem = GIT_HISTORY, self.files[GIT_HISTORY]
        if problem is None:
            for path in sorted(set(paths)):
                if path in self.files:
                    problem = path, self.files[path]
                    break
                if self.listing_cut is not None and path not in self.listed:
                    problem = path, self.listing_cut[1]
                    break
        if problem is None:
            return ""
        return f"not re-checked: {problem[0]} could not be read ({problem[1]})"

    def gate_reasons(self) -> list[str]:
        """What keeps an audit of the declarations from being complete."""
        return [f"{path} could not be read ({why})" for path, why in self.manifests.items()]


def unread_of(tree: TreeScan) -> Unread:
    return unread_files(
        tree.errors, listed=tree.paths, manifest_paths=[m.path for m in tree.manifests]
    )


def unread_files(
    errors: Iterable[FileError], *, listed: Iterable[str] = (), manifest_paths: Iterable[str] = ()
) -> Unread:
    """The files ``errors`` say were not read.

    ``listed`` are the paths the walk listed; ``manifest_paths`` the manifests found, which
    include files reached only through ``-r``/``-c`` whatever their names.
    """
    known_manifests = set(manifest_paths)
    files: dict[str, str] = {}
    cut: tuple[str, str] | None = None
    for error in errors:
        if not is_whole_file(error):
            continue
        if " and later files not read" in error.message:
            cut = cut or (error.path, error.message)
        files.setdefault(error.path, error.message)
    unread_manifests = {
        path: why
        for path, why in sorted(files.items())
        if path in known_manifests
        or manifests.manifest_kind(path)
        or (cut is not None and path == cut[0])
    }
    return Unread(files, unread_manifests, cut, frozenset(listed))
