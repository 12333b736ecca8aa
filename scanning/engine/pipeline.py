"""Scan one checkout: list files, parse manifests, collect evidence of use, run the rules.

The parse phase reads strangers' files, so it runs in child processes with memory, CPU and
time limits (``scanning.engine.isolation``); a file that crashes or hangs a parser becomes a
"skipped" FileError and everything else is still read. With a ``cache_key``,
``scanning.engine.cache`` gives back the evidence of every file whose content did not change
since the repository's last scan, and the manifests when neither they nor anything they include
changed; when nothing is left to parse, no parser process is started. The rules always run on
the whole result.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from scanning import evidence, manifests, rules
from scanning.distributions.provided import import_names_audit
from scanning.engine import cache, coverage, isolation, walk
from scanning.engine.gc_pause import collector_paused
from scanning.engine.options import ScanOptions
from scanning.evidence import commands, pytest_plugins, reachability
from scanning.evidence.first_party import foreign_prefixes, is_foreign
from scanning.manifests import toolsettings
from scanning.rules import similar, weights
from scanning.rules.unread import unread_of
from scanning.types import (
    Declaration,
    FileError,
    Finding,
    ManifestFile,
    ProvidedImports,
    TreeScan,
    Usage,
)

Progress = Callable[[int, str], None]
# Given the declarations read, what each declared distribution provides (the caller's sources:
# installed metadata, the package cache and index, the curated table).
ProvidedLoader = Callable[[list[Declaration]], dict[str, ProvidedImports]]
# Given the declarations read: vulnerability, licence and freshness findings, and the audit
# summary (gate, reasons, what was audited). The caller's advisory source.


class Auditor(Protocol):
    """(declarations, manifests that could not be read: path -> reason) -> (findings, audit)."""

    def __call__(
        self, declarations: list[Declaration], *, unread_manifests: dict[str, str]
    ) -> tuple[list[Finding], dict]: ...


Includes = dict[tuple[str, str], tuple[str, str]]
# What travels back from a parser child for one file: plain tuples pickle ~20x faster than
# the dataclasses. (manifests, usages as field tuples, errors as field tuples, SHA-256 or None,
# the include lookups of its manifest parse)
Packed = tuple[
    list[ManifestFile], list[tuple[Any, ...]], list[tuple[Any, ...]], str | None, Includes
]


def _quiet(percent: int, message: str) -> None:
    pass


@dataclass
class ParseContext:
    """What ``parse_file`` needs beyond one path; each child process gets its own copy."""

    venvs: tuple[str, ...]  # committed virtualenvs: their files are other people's evidence
    manifests: bool = True  # False when the manifests come from the scan cache
    manifests_read: set[str] = field(default_factory=set)  # including files reached by -r/-c


@dataclass
class FileParse:
    manifests: list[ManifestFile]
    usages: list[Usage]
    errors: list[FileError]
    includes: Includes = field(default_factory=dict)


def parse_file(root: Path, path: str, context: ParseContext) -> FileParse:
    """Manifests and evidence of use that ``path`` holds; runs inside the parser child."""
    found: list[ManifestFile] = []
    includes: Includes = {}
    if context.manifests and manifests.manifest_kind(path) and path not in context.manifests_read:
        found = [
            m
            for m in manifests.parse_manifests(root, [path], includes=includes)
            if m.path not in context.manifests_read
        ]
        context.manifests_read.update(m.path for m in found)
    if is_foreign(path, context.venvs):
        return FileParse(found, [], [], includes)
    usages, errors = evidence.collect_usages(root, [path])
    return FileParse(found, usages, errors, includes)


def _packed(
    parse: isolation.Worker[FileParse], hashing: bool, root: Path, path: str, context: Any
) -> Packed:
    """``parse`` in the child, its result as plain tuples (and the file's hash, for the cache).

    A file's syntax tree is a few hundred thousand acyclic nodes at most, freed by reference
    counting when the file is done: cycle collection waits meanwhile (it walked the child's
    whole heap again and again while a large file was parsed, 5-15% of the parse).
    """
    digest = cache.file_hash(root, path) if hashing else None  # before parsing: see cache.store
    with collector_paused():
        parsed = parse(root, path, context)
    return (
        parsed.manifests,
        [
            (u.name, u.path, u.line, u.kind, u.mode, u.optional, u.is_distribution, u.detail)
            for u in parsed.usages
        ],
        [(e.path, e.message, e.line) for e in parsed.errors],
        digest,
        parsed.includes,
    )


def scan_workers(configured: int = 0, *, load: float | None = None) -> int:
    """Parser children per scan: ``configured``, else (0) up to two of the CPUs we have, and
    one while the system's load (``os.getloadavg``, or ``load``) already fills those CPUs.

    A second child helps only when a CPU is idle; on a busy machine it competes with the
    first for the same CPUs and adds its start and its results' trip back (measured on a
    2-CPU machine at load 5-7: one child was 8-19% faster in wall time and used less CPU).
    The findings are the same with any number of children.
    """
    if configured:
        return max(1, int(configured))
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cpus = max(1, available or os.cpu_count() or 1)
    count = min(2, cpus)
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):
            load = 0.0
    return 1 if count > 1 and load >= cpus else count


def scan_checkout(
    root: Path,
    options: ScanOptions | None = None,
    *,
    provided: ProvidedLoader | None = None,
    audit: Auditor | None = None,
    progress: Progress = _quiet,
) -> TreeScan:
    """The whole scan of one checkout: files, rules (each once), weights, coverage, audit.

    Every caller (the worker, ``manage.py scan``, the command line) scans through here, so
    the same checkout and options give the same findings wherever it runs. ``provided`` and
    ``audit`` are the caller's sources of package knowledge and advisories; without
    ``audit`` nothing is audited and the gate is "unknown", never "pass".
    """
    options = options or ScanOptions()
    with _started(root, options, progress) as started:
        # While the parser children read the files, this process asks git for the history's
        # large objects and reads the job schedules: neither needs what the parse finds.
        found_weights, weight_errors = weights.weight_findings_for(
            root, threshold_bytes=options.weight_threshold_bytes, cache=_weights_cache(options)
        )
        job_interval = coverage.longest_job_interval_days(started.root, started.tree.paths)
        tree = _finished(started, options, progress, provided)
    tree.modes_seen, tree.modes_incomplete = coverage.mode_coverage(tree.paths, tree.errors)
    tree.longest_job_interval_days = job_interval
    tree.findings.extend(found_weights)
    tree.errors.extend(
        e for e in weight_errors if options.note_shallow_clone or "shallow clone" not in e.message
    )
    if audit is None:
        reason = "no advisory source given"
        tree.audit = {"gate": "unknown", "reasons": [reason], "audited": 0, "not_audited": []}
    else:
        progress(85, "Checking pinned versions against advisories, licences and releases")
        audited, tree.audit = audit(tree.declarations, unread_manifests=unread_of(tree).manifests)
        tree.findings.extend(audited)
    tree.audit["import_names"] = import_names_audit(tree.provided)
    return tree


def _weights_cache(options: ScanOptions) -> Path | None:
    """Where this repository's git weight listing is kept between scans, when caching."""
    if options.cache_key is None or options.cache_dir is None:
        return None
    digest = hashlib.sha256(f"debtboard-weights:{options.cache_key}".encode()).hexdigest()
    return options.cache_dir / f"weights-{digest[:32]}.json"


def scan_tree(
    root: Path,
    options: ScanOptions | None = None,
    *,
    progress: Progress = _quiet,
    provided: ProvidedLoader | None = None,
) -> TreeScan:
    """Everything Debtboard learns from the files below ``root``; never executes them.

    ``provided`` loads what the declared distributions provide before the rules run; without
    it the rules use only the installed metadata and the curated table.
    """
    options = options or ScanOptions()
    with _started(root, options, progress) as started:
        return _finished(started, options, progress, provided)


@dataclass
class _Started:
    """A scan whose files are being parsed: what the walk found and the parse under way."""

    root: Path
    tree: TreeScan
    listing: walk.Listing
    store: cache.ScanCache | None
    venvs: tuple[str, ...]
    roots: list[str]  # the manifests among the files
    known_manifests: list[ManifestFile] | None  # from the scan cache, when none changed
    plan: _Plan
    pending: isolation.Pending[Packed]

    def __enter__(self) -> _Started:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.pending.__exit__(*exc_info)


def _started(root: Path, options: ScanOptions, progress: Progress) -> _Started:
    """List the files and start the parser children on those the cache cannot answer for."""
    progress(10, "Listing files")
    root = root.resolve()
    store = None  # opened before the walk: its opening time is the scan's start
    if options.cache_key is not None and options.cache_dir is not None:
        store = cache.open_cache(
            options.cache_key, options.cache_dir, limit_bytes=options.cache_limit_bytes
        )
    listing = walk.walk_files(
        root,
        max_files=options.max_files,
        max_bytes=options.max_total_bytes,
        tracked=walk.tracked_files(root),
    )
    paths = listing.paths
    tree = TreeScan(files_seen=len(paths), paths=paths, errors=listing.errors)
    tree.tool_settings = toolsettings.read(root)
    tree.errors.extend(tree.tool_settings.errors)
    progress(25, f"Reading manifests and evidence of use among {len(paths)} files")
    venvs = foreign_prefixes(paths)
    roots = [path for path in paths if manifests.manifest_kind(path)]
    known_manifests = None if store is None else store.reuse_manifests(root, roots, listing.stats)
    plan = _plan(root, listing, venvs, store, roots if known_manifests is None else [])
    pending = isolation.start(
        functools.partial(_packed, parse_file, store is not None),
        root,
        plan.to_parse,
        context=ParseContext(venvs, manifests=known_manifests is None),
        limits=options.parser_limits,
        workers=scan_workers(options.workers),
        in_process=options.parse_in_process,
        pinned=manifests.manifest_kind,
        sizes=[_size(listing.stats.get(path)) for path in plan.to_parse],
    )
    return _Started(root, tree, listing, store, venvs, roots, known_manifests, plan, pending)


def _size(info: os.stat_result | None) -> int:
    return info.st_size if info is not None else 0


def _finished(
    started: _Started,
    options: ScanOptions,
    progress: Progress,
    provided: ProvidedLoader | None,
) -> TreeScan:
    """The parse's results, and everything the rules conclude from them."""
    tree, listing, store, venvs = started.tree, started.listing, started.store, started.venvs
    roots, known_manifests, plan = started.roots, started.known_manifests, started.plan
    paths = listing.paths
    outcome = started.pending.result()
    parsed = _unpack(outcome.results, plan.hashed)
    if store is not None:
        for path, (_, usages, file_errors) in parsed.results.items():
            if not is_foreign(path, venvs) and evidence.reads(path):
                store.store(
                    path, (usages, file_errors), listing.stats.get(path), parsed.digests[path]
                )
    if known_manifests is not None:
        tree.manifests = known_manifests
    else:
        tree.manifests = parsed.manifests()
        if store is not None and not outcome.errors:  # a crash may have cost a manifest
            store.remember_manifests(
                roots, tree.manifests, parsed.digests, parsed.includes, listing.stats
            )
    if store is not None:
        store.save()
    for manifest in tree.manifests:
        tree.errors.extend(manifest.errors)
    for path in paths:
        if path in parsed.results:
            _, usages, file_errors = parsed.results[path]
        elif path in plan.reused:
            usages, file_errors = plan.reused[path]
        else:
            continue
        tree.usages.extend(usages)
        tree.errors.extend(file_errors)
    tree.errors.extend(outcome.errors)
    fixtures = [u for u in tree.usages if pytest_plugins.is_fixture_fact(u)]
    if fixtures:
        tree.usages = [u for u in tree.usages if not pytest_plugins.is_fixture_fact(u)]
    declared = {d.name for manifest in tree.manifests for d in manifest.declarations}
    unknown_programs = commands.undeclared_commands(tree.usages, declared)
    tree.usages = commands.keep_declared_commands(tree.usages, declared)
    tree.usages = toolsettings.without_excluded(tree.tool_settings, tree.usages)
    tree.first_party = evidence.first_party_modules(paths)
    # A module runs wherever an entry point that imports it runs (crontab -> report -> stats).
    tree.usages += reachability.lend_modes(tree.usages, paths, tree.first_party)
    if provided is not None:
        progress(75, "Finding out what the declared packages provide")
        tree.provided = provided(tree.declarations)
        scripts = commands.console_script_usages(unknown_programs, tree.provided)
        tree.usages += toolsettings.without_excluded(tree.tool_settings, scripts)
    known_first_party = set(options.known_first_party)
    tree.provided = toolsettings.with_module_map(tree.tool_settings, tree.provided)
    tree.usages += pytest_plugins.plugin_fixture_usages(fixtures, tree.provided)
    own = tree.first_party | known_first_party | tree.tool_settings.known_first_party
    tree.provided = similar.with_similar_names(tree.provided, tree.declarations, tree.usages, own)
    progress(80, "Applying rules")
    tree.findings = rules.run_rules(tree, known_first_party=known_first_party)
    return tree


@dataclass
class _Plan:
    to_parse: list[str] = field(default_factory=list)  # in walk order
    reused: dict[str, cache.Evidence] = field(default_factory=dict)  # evidence from the cache
    hashed: dict[str, str | None] = field(default_factory=dict)  # hashes taken to look it up


def _plan(
    root: Path,
    listing: walk.Listing,
    venvs: tuple[str, ...],
    store: cache.ScanCache | None,
    roots: list[str],
) -> _Plan:
    """What must be parsed: the manifest ``roots`` and the files whose evidence is not cached."""
    plan = _Plan()
    must_parse = set(roots)
    for path in listing.paths:
        if path in must_parse:
            plan.to_parse.append(path)  # its evidence is read again with it
        elif is_foreign(path, venvs) or not evidence.reads(path):
            continue  # parse_file would find nothing here without opening the file
        elif store is None:
            plan.to_parse.append(path)
        else:
            found, plan.hashed[path] = store.lookup(root, path, listing.stats.get(path))
            if found is not None:
                plan.reused[path] = found
            else:
                plan.to_parse.append(path)
    return plan


@dataclass
class _Parsed:
    results: dict[str, tuple[list[ManifestFile], list[Usage], list[FileError]]]
    digests: dict[str, str | None]  # hashes taken before each file was parsed
    includes: Includes

    def manifests(self) -> list[ManifestFile]:
        """The manifests found, each once (the first file to read it claims it), by path."""
        by_path: dict[str, ManifestFile] = {}
        for found, _, _ in self.results.values():
            for manifest in found:
                by_path.setdefault(manifest.path, manifest)
        return sorted(by_path.values(), key=lambda manifest: manifest.path)


def _unpack(packed: dict[str, Packed], hashed: dict[str, str | None]) -> _Parsed:
    parsed = _Parsed({}, {}, {})
    for path, (found, usage_rows, error_rows, digest, includes) in packed.items():
        usages = [Usage(*row) for row in usage_rows]
        parsed.results[path] = (found, usages, [FileError(*row) for row in error_rows])
        parsed.digests[path] = hashed.get(path) or digest
        parsed.includes.update(includes)
    return parsed
