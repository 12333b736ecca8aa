"""Unused and missing verdicts on hand-labelled real repositories, beside deptry.

    python benchmarks/accuracy_bench.py [--repos-dir /work/corpus] [--only NAME ...]
        [--scan-cmd "python manage.py scan {path} --format json"] [--index-url URL | --no-index]
        [--no-deptry] [--deptry PATH] [--mirror-dir /work/.mirror] [--no-cache] [--verbose]

Labels are ``benchmarks/corpus/*.toml`` (schema and scoring rules: ``benchmarks/corpus/README.md``;
what the verdicts mean: ``LABELLING.md``). Each names a public repository and the commit that was
labelled. Checkouts are never part of this repository: the benchmark reads
``--repos-dir/<name>`` and, when it is absent, exports the commit from a local git mirror
(``--mirror-dir/<owner>+<name>/repo``, as the development machine's fetch tool leaves them). A
repository that is neither there nor in a mirror is skipped with a message, as is a checkout whose
recorded commit differs from the label's.

Three runs per repository, each scored against the labels:

* ``bare``: the scan command with ``DEBTBOARD_PACKAGE_INDEX_URL`` unset;
* ``index``: the same with ``DEBTBOARD_PACKAGE_INDEX_URL`` set (``--index-url``, PyPI's simple
  index by default); its output is cached under ``--cache-dir`` per repository, commit, command
  and scanner revision, so reruns do not query the index again (``--no-cache`` to redo);
* ``deptry``: ``deptry . -o FILE`` run in the checkout, with no options.

The scan command is a template (``{python}``, ``{path}``) so a faster CLI can replace
``manage.py scan``; it must print the JSON report of ``manage.py scan --format json``.

Scored: unused findings (Debtboard ``unused`` and ``optional-use``, deptry DEP002) against
``unused`` labels, and
undeclared-import findings (Debtboard ``missing`` or ``transitive``, deptry DEP001/DEP003) against
``missing`` labels, together. ``unsure`` labels are not scored. Labels cover every declared
distribution, so an unused finding for a package with no label is a false positive (a lock's pin
or a CI step's install read as a declaration). The last line is machine-readable:

    RESULT precision=P recall=R index_precision=P index_recall=R deptry_precision=P deptry_recall=R
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import code_dir  # the benchmarks folder, also when loaded by path

BASE_DIR = Path(__file__).resolve().parent.parent
CORPUS_DIR = BASE_DIR / "benchmarks" / "corpus"
DEFAULT_SCAN_CMD = "{python} manage.py scan {path} --format json"
DEFAULT_INDEX_URL = "https://pypi.org/simple"
VERDICTS = ("used", "unused", "unsure", "missing")
# optional-use (DBT110) is a removal candidate of low confidence ("is that feature in use? if
# not, X can go"; the kind registry marks it as removing a package): scored as unused, so it is
# right when nothing uses the package and wrong when something does.
UNUSED_KINDS = {"unused", "DEP002", "optional-use", "DBT110"}
UNDECLARED_KINDS = {"missing", "transitive", "DEP001", "DEP003"}
MODES = ("bare", "index", "deptry")


def normalise(name: str) -> str:
    """PEP 503 name: ``Flask_SQLAlchemy`` → ``flask-sqlalchemy``."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


@dataclass(frozen=True)
class Label:
    package: str
    verdict: str
    group: str
    manifest: str
    evidence: str
    module: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        return normalise(self.package)

    @property
    def manifest_path(self) -> str:
        return self.manifest.rpartition(":")[0] if ":" in self.manifest else self.manifest

    @property
    def module_root(self) -> str:
        return self.module.split(".")[0] if self.module else ""

    def describe(self) -> str:
        where = f" [{self.group}] {self.manifest}" if self.manifest else f" [{self.group}]"
        return f"{self.package} ({self.verdict}){where}: {self.evidence}"


@dataclass(frozen=True)
class Repository:
    name: str
    url: str
    commit: str
    shape: str
    labels: tuple[Label, ...]
    source: Path


class LabelError(ValueError):
    """A label file that does not follow benchmarks/corpus/README.md."""


def load_labels(path: Path) -> Repository:
    """One label file, checked against the schema; a broken file is an error, never skipped."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LabelError(f"{path.name}: unreadable ({exc})") from exc
    for key in ("name", "repository", "commit"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise LabelError(f"{path.name}: missing {key}")
    if not re.fullmatch(r"[0-9a-f]{40}", data["commit"]):
        raise LabelError(f"{path.name}: commit must be a full 40-hex SHA")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", data["name"]):
        raise LabelError(f"{path.name}: name must be a plain folder name")
    labels = []
    for number, raw in enumerate(data.get("label", []), 1):
        verdict = raw.get("verdict")
        if verdict not in VERDICTS or not raw.get("package"):
            raise LabelError(f"{path.name}: label {number} needs a package and a verdict")
        labels.append(
            Label(
                package=raw["package"],
                verdict=verdict,
                group=raw.get("group", ""),
                manifest=raw.get("manifest", ""),
                evidence=raw.get("evidence", ""),
                module=raw.get("module", ""),
                note=raw.get("note", ""),
            )
        )
    return Repository(
        name=data["name"],
        url=data["repository"],
        commit=data["commit"],
        shape=data.get("shape", ""),
        labels=tuple(labels),
        source=path,
    )


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # unused | undeclared
    name: str  # what the tool named: a distribution, or (deptry DEP001/DEP003) a module
    paths: frozenset[str]  # locations' paths, for matching a manifest
    where: str  # first location, for the error list
    code: str
    lines: frozenset[str] = frozenset()  # locations as path:line, for matching a declaration


def debtboard_findings(report: dict) -> list[Finding]:
    found = []
    for item in report.get("findings", []):
        kind = item.get("kind", "")
        code = item.get("code", "")
        if kind in UNUSED_KINDS or code in UNUSED_KINDS:
            category = "unused"
        elif kind in UNDECLARED_KINDS or code in UNDECLARED_KINDS:
            category = "undeclared"
        else:
            continue
        locations = item.get("locations") or []
        paths = frozenset(str(loc.get("path", "")) for loc in locations)
        where = _where(locations[0]) if locations else ""
        lines = frozenset(f"{loc.get('path', '')}:{loc.get('line', 0)}" for loc in locations)
        subject = str(item.get("subject", ""))
        found.append(Finding(category, subject, paths, where, code or kind, lines))
    return found


def deptry_findings(report: list) -> list[Finding]:
    found = []
    for item in report:
        code = item.get("error", {}).get("code", "")
        if code in UNUSED_KINDS:
            category = "unused"
        elif code in UNDECLARED_KINDS:
            category = "undeclared"
        else:
            continue
        location = item.get("location") or {}
        path = str(location.get("file") or "")
        path = path[2:] if path.startswith("./") else path
        where = f"{path}:{location['line']}" if location.get("line") else path
        found.append(Finding(category, str(item.get("module", "")), frozenset({path}), where, code))
    return found


def _where(location: dict) -> str:
    line = location.get("line")
    return f"{location.get('path', '')}:{line}" if line else str(location.get("path", ""))


def other_counts(report: dict | list) -> dict[str, int]:
    """Findings not scored (DEP004, misplaced-dev...), counted for reading only."""
    counts: dict[str, int] = {}
    items = report.get("findings", []) if isinstance(report, dict) else report
    for item in items:
        code = item.get("code") or item.get("error", {}).get("code", "")
        if code == "DEP004" or item.get("kind") == "misplaced-dev":
            counts["DEP004"] = counts.get("DEP004", 0) + 1
    return counts


# --- scoring ----------------------------------------------------------------------------------


@dataclass
class Score:
    tp: list[tuple[Label, Finding]] = field(default_factory=list)
    fp: list[tuple[Finding, Label | None]] = field(default_factory=list)
    fn: list[Label] = field(default_factory=list)
    unscored: list[tuple[Finding, str]] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.unscored += other.unscored

    @property
    def precision(self) -> float | None:
        total = len(self.tp) + len(self.fp)
        return len(self.tp) / total if total else None

    @property
    def recall(self) -> float | None:
        total = len(self.tp) + len(self.fn)
        return len(self.tp) / total if total else None


def score(labels: Iterable[Label], findings: Iterable[Finding]) -> Score:
    """Findings against labels, by the rules in benchmarks/corpus/README.md.

    Each label is matched at most once (several findings about one label are one true
    positive; one finding at several labels' manifests matches each of them); each false
    positive is one (kind, name) pair.
    """
    labels = list(labels)
    by_key: dict[str, list[Label]] = {}
    by_module: dict[str, list[Label]] = {}
    for label in labels:
        by_key.setdefault(label.key, []).append(label)
        if label.module_root:
            by_module.setdefault(label.module_root.lower(), []).append(label)
    result = Score()
    matched: set[int] = set()
    false: set[tuple[str, str]] = set()
    for finding in findings:
        if finding.kind == "unused":
            label, reason = _match_unused(by_key.get(normalise(finding.name), []), finding)
            # One finding can name several declarations (one per project of a monorepo):
            # each unused label at one of its locations is found, and a used one there is
            # a wrong removal.
            candidates = by_key.get(normalise(finding.name), [])
            at_location = [
                lab
                for lab in candidates
                if lab.verdict != "missing" and lab.manifest_path in finding.paths
            ]
            for other in at_location:
                if other.verdict == "unused" and id(other) not in matched:
                    matched.add(id(other))
                    result.tp.append((other, finding))
            # The very line a label declares, under another name (conda's py-xgboost is the
            # PyPI distribution xgboost): the same declaration.
            for other in labels:
                if (
                    other.verdict == "unused"
                    and other.manifest in finding.lines
                    and id(other) not in matched
                ):
                    matched.add(id(other))
                    result.tp.append((other, finding))
            used_there = next((lab for lab in at_location if lab.verdict == "used"), None)
            if reason == "tp" and used_there is not None:
                label, reason = used_there, "fp"
        else:
            label, reason = _match_undeclared(by_key, by_module, finding)
        if reason == "tp":
            if id(label) not in matched:
                matched.add(id(label))
                result.tp.append((label, finding))
        elif reason == "fp":
            pair = (finding.kind, normalise(finding.name))
            if pair not in false:
                false.add(pair)
                result.fp.append((finding, label))
        else:
            result.unscored.append((finding, reason))
    for label in labels:
        if label.verdict in ("unused", "missing") and id(label) not in matched:
            result.fn.append(label)
    return result


def _match_unused(candidates: list[Label], finding: Finding) -> tuple[Label | None, str]:
    declared = [label for label in candidates if label.verdict != "missing"]
    if not declared:
        # Labels cover every declared distribution: a package without one is not a
        # declaration (a lock's pin, a CI step's install, a name misread).
        return None, "fp"
    at_location = [label for label in declared if label.manifest_path in finding.paths]
    for pool in (at_location, declared):
        if not pool:
            continue
        for label in pool:
            if label.verdict == "unused":
                return label, "tp"
        if any(label.verdict == "used" for label in pool):
            return next(label for label in pool if label.verdict == "used"), "fp"
        return pool[0], "unsure"
    return None, "fp"


def _match_undeclared(
    by_key: dict[str, list[Label]], by_module: dict[str, list[Label]], finding: Finding
) -> tuple[Label | None, str]:
    root = finding.name.split(".")[0].lower()
    candidates = by_key.get(normalise(finding.name), []) + [
        label for label in by_module.get(root, []) if label.key != normalise(finding.name)
    ]
    for label in candidates:
        if label.verdict == "missing":
            return label, "tp"
    for label in candidates:
        if label.verdict == "unsure":
            return label, "unsure"
    used = next((label for label in candidates if label.verdict == "used"), None)
    return used, "fp"


# --- checkouts and runs -----------------------------------------------------------------------


def checkout(repo: Repository, repos_dir: Path, mirror_dir: Path | None) -> tuple[Path | None, str]:
    """The repository at the labelled commit, or None and why not."""
    target = repos_dir / repo.name
    marker = repos_dir / f".{repo.name}.commit"
    if target.is_dir():
        recorded = _recorded_commit(target, marker)
        if recorded and recorded != repo.commit:
            return None, f"{target} is at {recorded[:12]}, labels are for {repo.commit[:12]}"
        if not recorded:
            return target, f"{target}: commit not recorded, assumed {repo.commit[:12]}"
        return target, ""
    mirror = _mirror_for(repo.url, mirror_dir)
    if mirror is None:
        return None, f"no checkout at {target} and no local mirror of {repo.url}"
    staging = Path(tempfile.mkdtemp(prefix=f".{repo.name}-", dir=repos_dir))
    try:
        archive = subprocess.run(
            ["git", "--git-dir", str(mirror), "archive", repo.commit],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            why = archive.stderr.decode(errors="replace")[:200]
            return None, f"mirror {mirror} lacks {repo.commit[:12]}: {why}"
        subprocess.run(["tar", "-x", "-C", str(staging)], input=archive.stdout, check=True)
        staging.rename(target)
        marker.write_text(repo.commit + "\n", encoding="utf-8")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target, f"exported {repo.commit[:12]} from {mirror}"


def _recorded_commit(target: Path, marker: Path) -> str:
    if (target / ".git").exists():
        head = subprocess.run(
            ["git", "-C", str(target), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        if head.returncode == 0:
            return head.stdout.strip()
    if marker.is_file():
        return marker.read_text(encoding="utf-8").strip()
    return ""


def _mirror_for(url: str, mirror_dir: Path | None) -> Path | None:
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    if not match or mirror_dir is None:
        return None
    mirror = mirror_dir / f"{match.group(1)}+{match.group(2)}" / "repo"
    return mirror if mirror.is_dir() else None


def scanner_revision(code: Path) -> str:
    """The scanner's code as committed (tree ids) plus uncommitted changes, for the cache key."""
    parts = ["scanning", "inventory", "config", "manage.py"]
    tree = subprocess.run(
        ["git", "-C", str(code), "ls-tree", "HEAD", *parts],
        capture_output=True,
        check=False,
    ).stdout
    diff = subprocess.run(
        ["git", "-C", str(code), "diff", "HEAD", "--", *parts],
        capture_output=True,
        check=False,
    ).stdout
    return hashlib.sha256(tree + b"\0" + diff).hexdigest()[:16]


def run_scan(command: str, path: Path, index_url: str, code: Path) -> tuple[dict | None, str]:
    argv = [part.format(python=sys.executable, path=str(path)) for part in shlex.split(command)]
    env = {key: value for key, value in os.environ.items() if key != "DEBTBOARD_PACKAGE_INDEX_URL"}
    if index_url:
        env["DEBTBOARD_PACKAGE_INDEX_URL"] = index_url
    proc = subprocess.run(argv, cwd=code, env=env, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        return None, f"scan exited {proc.returncode}: {proc.stderr.strip()[-400:]}"
    try:
        return json.loads(proc.stdout), ""
    except json.JSONDecodeError as exc:
        return None, f"scan printed no JSON report ({exc}): {proc.stdout[:200]!r}"


def run_deptry(deptry: str, path: Path) -> tuple[list | None, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "deptry.json"
        proc = subprocess.run(
            [deptry, ".", "-o", str(out)], cwd=path, capture_output=True, text=True, check=False
        )
        if not out.exists() and "DependencySpecificationNotFoundError" in proc.stderr:
            # Bare deptry reads only pyproject.toml and requirements.txt; on other layouts it
            # stops without a report. That is what a user gets: scored as no findings.
            return [], "deptry found no manifest it reads without options: scored as no findings"
        if not out.exists():
            why = proc.stderr.strip()[-400:]
            return None, f"deptry exited {proc.returncode} without a report: {why}"
        return json.loads(out.read_text(encoding="utf-8")), ""


def cached(cache_dir: Path | None, key: str, compute):
    if cache_dir is None:
        return compute()
    path = cache_dir / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".json")
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8")), ""
    report, error = compute()
    if report is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report), encoding="utf-8")
    return report, error


# --- output -----------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def ratio(value: float | None) -> str:
    return "nan" if value is None else f"{value:.3f}"


def print_errors(name: str, mode: str, result: Score, verbose: bool) -> None:
    for finding, label in result.fp:
        against = f" — label: {label.describe()}" if label else " — no label"
        what = f"{finding.code} {finding.name} at {finding.where}"
        print(f"  FP {mode:6} {name}: {what}{against}")
    for label in result.fn:
        print(f"  FN {mode:6} {name}: {label.describe()}")
    if verbose:
        for finding, reason in result.unscored:
            what = f"{finding.code} {finding.name} at {finding.where}"
            print(f"  -- {mode:6} {name}: {what} not scored ({reason})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="folder of label files (repeatable; default benchmarks/corpus)",
    )
    parser.add_argument("--repos-dir", type=Path, default=Path("/work/corpus"))
    parser.add_argument("--mirror-dir", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--only", nargs="*", default=[], help="label names to run")
    parser.add_argument(
        "--scan-cmd", default=os.environ.get("DEBTBOARD_SCAN_CMD", DEFAULT_SCAN_CMD)
    )
    parser.add_argument("--index-url", default=DEFAULT_INDEX_URL)
    parser.add_argument("--no-index", action="store_true", help="skip the run with a package index")
    parser.add_argument("--no-deptry", action="store_true")
    parser.add_argument(
        "--deptry", default=shutil.which("deptry") or str(Path(sys.executable).with_name("deptry"))
    )
    parser.add_argument("--cache-dir", type=Path, default=code_dir() / ".run" / "accuracy-cache")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--reports-dir", type=Path, help="also write each raw report there")
    parser.add_argument(
        "--verbose", action="store_true", help="also list findings that are not scored"
    )
    args = parser.parse_args(argv)

    files = sorted(
        path for folder in (args.corpus or [CORPUS_DIR]) for path in folder.glob("*.toml")
    )
    repos = [load_labels(path) for path in files]
    names = [repo.name for repo in repos]
    if len(set(names)) != len(names):
        raise LabelError("two label files share a name")
    if args.only:
        unknown = set(args.only) - set(names)
        if unknown:
            parser.error(f"no labels named {', '.join(sorted(unknown))}")
        repos = [repo for repo in repos if repo.name in args.only]
    args.repos_dir.mkdir(parents=True, exist_ok=True)
    off = {"index"} if args.no_index else set()
    off |= {"deptry"} if args.no_deptry else set()
    modes = [mode for mode in MODES if mode not in off]
    code = code_dir()
    revision = scanner_revision(code)
    print(f"scanner code: {code} (revision {revision})")
    cache_dir = None if args.no_cache else args.cache_dir

    totals = {mode: Score() for mode in modes}
    rows = []
    skipped = []
    for repo in repos:
        path, note = checkout(repo, args.repos_dir, args.mirror_dir)
        if path is None:
            skipped.append(f"{repo.name}: {note}")
            print(f"SKIP {repo.name}: {note}")
            continue
        if note:
            print(f"note {repo.name}: {note}")
        scored = [label for label in repo.labels if label.verdict in ("unused", "missing")]
        row = [repo.name, str(len(scored))]
        for mode in modes:
            if mode == "deptry":
                report, error = run_deptry(args.deptry, path)
                findings = deptry_findings(report) if report is not None else []
            else:
                index_url = args.index_url if mode == "index" else ""
                key = f"{repo.name}|{repo.commit}|{args.scan_cmd}|{revision}|{index_url}"
                report, error = cached(
                    cache_dir if mode == "index" else None,
                    key,
                    lambda path=path, index_url=index_url: run_scan(
                        args.scan_cmd, path, index_url, code
                    ),
                )
                findings = debtboard_findings(report) if report is not None else []
            if report is not None and args.reports_dir:
                args.reports_dir.mkdir(parents=True, exist_ok=True)
                out = args.reports_dir / f"{repo.name}.{mode}.json"
                out.write_text(json.dumps(report, indent=1), encoding="utf-8")
            if report is not None and error:
                print(f"note {repo.name} {mode}: {error}")
            if report is None:
                print(f"ERROR {repo.name} {mode}: {error}")
                skipped.append(f"{repo.name} ({mode}): {error}")
                row.append("error")
                continue
            result = score(repo.labels, findings)
            totals[mode].add(result)
            counts = f"{len(result.tp)}/{len(result.fp)}/{len(result.fn)}"
            row.append(f"{counts} {pct(result.precision)} {pct(result.recall)}")
            print_errors(repo.name, mode, result, args.verbose)
        rows.append(row)

    print()
    header = ["repository", "scored"] + [f"{mode} tp/fp/fn precision recall" for mode in modes]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)))
    print()
    for mode in modes:
        t = totals[mode]
        counts = f"tp={len(t.tp)} fp={len(t.fp)} fn={len(t.fn)}"
        print(f"total {mode:6}: {counts} precision={pct(t.precision)} recall={pct(t.recall)}")
    if skipped:
        print(f"skipped or failed: {len(skipped)}")
        for line in skipped:
            print(f"  {line}")
    fields = []
    for mode, prefix in (("bare", ""), ("index", "index_"), ("deptry", "deptry_")):
        t = totals.get(mode)
        fields.append(f"{prefix}precision={ratio(t.precision if t else None)}")
        fields.append(f"{prefix}recall={ratio(t.recall if t else None)}")
    print("RESULT " + " ".join(fields) + f" repos={len(rows)} skipped={len(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
