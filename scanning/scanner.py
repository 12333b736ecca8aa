"""Scan one checkout: list files, parse manifests, collect evidence of use, run the rules.

The parse phase reads strangers' files, so it runs file by file in a child process with memory,
CPU and time limits (``scanning.isolation``); a file that crashes or hangs a parser becomes a
"skipped" FileError and everything else is still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scanning import evidence, isolation, limits, manifests, rules, walk
from scanning.evidence.first_party import foreign_prefixes, is_foreign
from scanning.types import FileError, ManifestFile, TreeScan, Usage

Progress = Callable[[int, str], None]


def _quiet(percent: int, message: str) -> None:
    pass


@dataclass
class ParseContext:
    """What ``parse_file`` needs beyond one path; each child process gets its own copy."""

    venvs: tuple[str, ...]  # committed virtualenvs: their files are other people's evidence
    manifests_read: set[str] = field(default_factory=set)  # including files reached by -r/-c


@dataclass
class FileParse:
    manifests: list[ManifestFile]
    usages: list[Usage]
    errors: list[FileError]


def parse_file(root: Path, path: str, context: ParseContext) -> FileParse:
    """Manifests and evidence of use that ``path`` holds; runs inside the parser child."""
    found: list[ManifestFile] = []
    if manifests.manifest_kind(path) and path not in context.manifests_read:
        found = [
            m
            for m in manifests.parse_manifests(root, [path])
            if m.path not in context.manifests_read
        ]
        context.manifests_read.update(m.path for m in found)
    if is_foreign(path, context.venvs):
        return FileParse(found, [], [])
    usages, errors = evidence.collect_usages(root, [path])
    return FileParse(found, usages, errors)


def scan_tree(root: Path, *, progress: Progress = _quiet) -> TreeScan:
    """Everything Debtboard learns from the files below ``root``; never executes them."""
    progress(10, "Listing files")
    root = root.resolve()
    paths, errors = walk.list_files(
        root, max_files=limits.max_files(), max_bytes=limits.max_total_bytes()
    )
    tree = TreeScan(files_seen=len(paths), errors=errors)
    progress(25, f"Reading manifests and evidence of use among {len(paths)} files")
    outcome = isolation.run(
        parse_file,
        root,
        paths,
        context=ParseContext(foreign_prefixes(paths)),
        limits=limits.parser_limits(),
    )
    by_path: dict[str, ManifestFile] = {}
    for parsed in outcome.results.values():
        for manifest in parsed.manifests:
            by_path.setdefault(manifest.path, manifest)
    tree.manifests = sorted(by_path.values(), key=lambda manifest: manifest.path)
    for manifest in tree.manifests:
        tree.errors.extend(manifest.errors)
    for parsed in outcome.results.values():
        tree.usages.extend(parsed.usages)
        tree.errors.extend(parsed.errors)
    tree.errors.extend(outcome.errors)
    tree.first_party = evidence.first_party_modules(paths)
    progress(80, "Applying rules")
    tree.findings = rules.run_rules(tree)
    return tree
