"""Scan one checkout: list files, parse manifests, collect evidence of use, run the rules.

The parse phase reads strangers' files, so it runs in child processes with memory, CPU and
time limits (``scanning.isolation``); a file that crashes or hangs a parser becomes a "skipped"
FileError and everything else is still read. Manifests are parsed on every scan (an include can
change without the including file changing); with a ``cache_key`` the evidence of files whose
content did not change since the repository's last scan comes from ``scanning.cache``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from scanning import cache, evidence, isolation, limits, manifests, rules, walk
from scanning.evidence import commands
from scanning.evidence.first_party import foreign_prefixes, is_foreign
from scanning.rules import similar
from scanning.types import Declaration, FileError, ManifestFile, ProvidedImports, TreeScan, Usage

Progress = Callable[[int, str], None]
# Given the declarations read, what each declared distribution provides (the caller's sources:
# installed metadata, the package cache and index, the curated table).
ProvidedLoader = Callable[[list[Declaration]], dict[str, ProvidedImports]]
# What travels back from a parser child for one file: plain tuples pickle ~20x faster than
# the dataclasses. (manifests, usages as field tuples, errors as field tuples, SHA-256 or None)
Packed = tuple[list[ManifestFile], list[tuple[Any, ...]], list[tuple[Any, ...]], str | None]


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


def _packed(
    parse: isolation.Worker[FileParse], hashing: bool, root: Path, path: str, context: Any
) -> Packed:
    """``parse`` in the child, its result as plain tuples (and the file's hash, for the cache)."""
    digest = cache.file_hash(root, path) if hashing else None
    parsed = parse(root, path, context)
    return (
        parsed.manifests,
        [
            (u.name, u.path, u.line, u.kind, u.mode, u.optional, u.is_distribution, u.detail)
            for u in parsed.usages
        ],
        [(e.path, e.message, e.line) for e in parsed.errors],
        digest,
    )


def scan_workers() -> int:
    """Parser children per scan: ``DEBTBOARD_SCAN_WORKERS``, else up to two of the CPUs we have."""
    configured = getattr(settings, "DEBTBOARD_SCAN_WORKERS", None)
    if configured:
        return max(1, int(configured))
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return max(1, min(2, available or os.cpu_count() or 1))


def scan_tree(
    root: Path,
    *,
    progress: Progress = _quiet,
    cache_key: object | None = None,
    provided: ProvidedLoader | None = None,
) -> TreeScan:
    """Everything Debtboard learns from the files below ``root``; never executes them.

    ``cache_key`` names the repository (never shared between two) whose previous scan's
    per-file evidence may be reused; None reads every file. ``provided`` loads what the
    declared distributions provide before the rules run; without it the rules use only the
    installed metadata and the curated table.
    """
    progress(10, "Listing files")
    root = root.resolve()
    paths, errors = walk.list_files(
        root, max_files=limits.max_files(), max_bytes=limits.max_total_bytes()
    )
    tree = TreeScan(files_seen=len(paths), errors=errors)
    progress(25, f"Reading manifests and evidence of use among {len(paths)} files")
    venvs = foreign_prefixes(paths)
    store = cache.open_cache(cache_key) if cache_key is not None else None
    reused: dict[str, cache.Evidence] = {}
    seen: dict[str, tuple[cache.Stat | None, str | None]] = {}
    to_parse: list[str] = []
    for path in paths:
        if manifests.manifest_kind(path):
            to_parse.append(path)  # always: what a manifest includes may have changed
        elif is_foreign(path, venvs) or not evidence.reads(path):
            continue  # parse_file would find nothing here without opening the file
        elif store is None:
            to_parse.append(path)
        else:
            found, current, digest = store.lookup(root, path)
            if found is not None:
                reused[path] = found
            else:
                seen[path] = (current, digest)
                to_parse.append(path)
    outcome = isolation.run(
        functools.partial(_packed, parse_file, store is not None),
        root,
        to_parse,
        context=ParseContext(venvs),
        limits=limits.parser_limits(),
        workers=scan_workers(),
        pinned=manifests.manifest_kind,
    )
    results: dict[str, tuple[list[ManifestFile], list[Usage], list[FileError]]] = {}
    for path, (found_manifests, usage_rows, error_rows, digest) in outcome.results.items():
        usages = [Usage(*row) for row in usage_rows]
        file_errors = [FileError(*row) for row in error_rows]
        results[path] = (found_manifests, usages, file_errors)
        if store is not None and path in seen:
            current, known = seen[path]
            store.store(root, path, (usages, file_errors), current, known or digest)
    if store is not None:
        store.save()
    by_path: dict[str, ManifestFile] = {}
    for found_manifests, _, _ in results.values():
        for manifest in found_manifests:
            by_path.setdefault(manifest.path, manifest)
    tree.manifests = sorted(by_path.values(), key=lambda manifest: manifest.path)
    for manifest in tree.manifests:
        tree.errors.extend(manifest.errors)
    for path in paths:
        if path in results:
            _, usages, file_errors = results[path]
        elif path in reused:
            usages, file_errors = reused[path]
        else:
            continue
        tree.usages.extend(usages)
        tree.errors.extend(file_errors)
    tree.errors.extend(outcome.errors)
    declared = {d.name for manifest in tree.manifests for d in manifest.declarations}
    tree.usages = commands.keep_declared_commands(tree.usages, declared)
    tree.first_party = evidence.first_party_modules(paths)
    if provided is not None:
        progress(75, "Finding out what the declared packages provide")
        tree.provided = provided(tree.declarations)
    tree.provided = similar.with_similar_names(
        tree.provided, tree.declarations, tree.usages, tree.first_party
    )
    progress(80, "Applying rules")
    tree.findings = rules.run_rules(tree)
    return tree
