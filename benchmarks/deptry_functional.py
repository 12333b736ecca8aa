"""Debtboard scored against the findings deptry's own functional tests expect, per fixture project.

    python benchmarks/deptry_functional.py [--deptry-git /work/.mirror/fpgmaas+deptry/repo]
        [--ref HEAD] [--scan-command "python manage.py scan {path} --format json"]
        [--strict-codes] [--verbose]

Nothing of deptry is stored in this repository. At run time the script extracts
``tests/functional`` and ``tests/fixtures`` from a git copy of deptry's public repository (the
mirror the ``fetch`` tool brings, by default) into a temporary folder, and reads what each test
expects from the test files themselves:

* the fixture project, from the ``Project.X`` member the test passes to its venv factory (the
  enum in ``tests/functional/utils.py`` names the folder);
* deptry's command line, from ``run_deptry("...")`` or ``run("deptry ...")``;
* the expected findings, from the inline snapshot of deptry's output
  (``path: DEP002 'isort' defined as ...``) and from the JSON report dictionaries
  (``{"error": {"code": "DEP001", ...}, "module": "white", ...}``).

Each distinct (project, command line) is one case. The project is copied to a scratch folder
and scanned with Debtboard's command (``manage.py scan PATH --format json`` by default, run as a
separate process; ``{path}`` in ``--scan-command`` is replaced by the copy). deptry options are
applied around the scan as declared in ``OPTIONS`` below; a test using an option that overrides
the project's own configuration (``--ignore``, ``--per-rule-ignores`` ...) is skipped and said
so. Nothing the project configures for deptry itself (``[tool.deptry]``, ``# deptry: ignore``)
is removed from Debtboard's findings: honouring it is Debtboard's job, so a finding it does not
honour counts against it.

Scoring, per case and in total: deptry's expected findings are the truth. A pair is
(class, name) with classes ``unused`` (DEP002), ``undeclared`` (DEP001 and DEP003: deptry's
choice between them depends on what its test venv installed) and ``dev-in-prod`` (DEP004);
``--strict-codes`` compares the codes themselves. deptry names the distribution in DEP002 and
the import in the others; a Debtboard finding matches an expected import when its subject is
that name (PEP 503-normalised) or its summary names that import. Recall = matched / expected,
precision = matched / Debtboard's DEP001-DEP004 findings. The last line is machine-readable:

    RESULT recall=R precision=P cases=C skipped=S
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import code_dir  # the benchmarks folder, also when loaded by path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MIRROR = Path("/work/.mirror/fpgmaas+deptry/repo")
DEFAULT_SCAN = f"{shlex.quote(sys.executable)} manage.py scan {{path}} --format json"

CLASS_OF_CODE = {
    "DEP001": "undeclared",
    "DEP002": "unused",
    "DEP003": "undeclared",
    "DEP004": "dev-in-prod",
}
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
REQUIREMENTS_FILE = re.compile(r"^(requirements[^/]*|dev-requirements)\.(txt|in)$")
# deptry's defaults for --requirements-files-dev; --requirements-files leaves these alone.
DEV_REQUIREMENTS = ("dev-requirements.txt", "requirements-dev.txt")

# How each deptry option is applied around a Debtboard scan.
#   output: changes only how deptry prints; ignored.
#   exclude / extend_exclude: source files matching the regex are removed from the copy.
#   known_first_party: passed to ``scan --known-first-party``.
#   requirements / dev_requirements: requirements files of that kind deptry is not told to read
#   are removed from the copy (dev ones: deptry's default dev file names).
#   no_notebooks: notebooks are removed from the copy.
#   unread: deptry-only knob with no effect on which files or names count (said in the report).
#   skip: the option overrides the project's configuration; the test is not scored.
OPTIONS: dict[str, tuple[str, bool]] = {  # option -> (action, takes a value)
    "-o": ("output", True),
    "--json-output": ("output", True),
    "--github-output": ("output", False),
    "--github-warning-errors": ("output", True),
    "--enforce-posix-paths": ("output", False),
    "--no-ansi": ("output", False),
    "-v": ("output", False),
    "--verbose": ("output", False),
    "-e": ("exclude", True),
    "--exclude": ("exclude", True),
    "-ee": ("extend_exclude", True),
    "--extend-exclude": ("extend_exclude", True),
    "--known-first-party": ("known_first_party", True),
    "-kf": ("known_first_party", True),
    "-rf": ("requirements", True),
    "--requirements-files": ("requirements", True),
    "-rfd": ("dev_requirements", True),
    "--requirements-files-dev": ("dev_requirements", True),
    "--ignore-notebooks": ("no_notebooks", False),
    "-nb": ("no_notebooks", False),
    "--config": ("unread", True),
    "--experimental-namespace-package": ("unread", False),
    "-i": ("skip", True),
    "--ignore": ("skip", True),
    "-pri": ("skip", True),
    "--per-rule-ignores": ("skip", True),
    "--pep621-dev-dependency-groups": ("skip", True),
    "--optional-dependencies-dev-groups": ("skip", True),
    "--package-module-name-map": ("skip", True),
    "-pmnm": ("skip", True),
}

Pair = tuple[str, str]  # (class or code, name)


@dataclass(frozen=True)
class Case:
    project: str
    args: str
    expected: frozenset[tuple[str, str]]  # (DEP code, name as deptry says it)
    source: str  # test file::function
    git_work_tree: bool


@dataclass
class Plan:
    roots: list[str] = field(default_factory=lambda: ["."])
    remove_patterns: list[str] = field(default_factory=list)
    known_first_party: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    dev_requirements: list[str] = field(default_factory=list)
    no_notebooks: bool = False
    # deptry's --exclude replaces its default excludes *and* .gitignore
    # (https://deptry.com/usage/#exclude; its test_cli_gitignore_not_used_when_using_exclude):
    # then git is told to track ignored files too, so the scan reads what deptry reads.
    gitignore_off: bool = False
    unread: list[str] = field(default_factory=list)
    skip_reason: str = ""


@dataclass
class Outcome:
    case: Case
    plan: Plan
    expected: set[Pair]
    found: dict[Pair, str]  # Debtboard pair -> summary
    matched: set[Pair]
    missed: set[Pair]
    extra: set[Pair]
    code_notes: list[str]
    error: str = ""


# --- reading deptry's tests -------------------------------------------------------------------


def project_folders(utils_file: Path) -> dict[str, str]:
    """``Project.EXAMPLE`` → ``"example"``, from the enum in deptry's functional ``utils.py``."""
    tree = ast.parse(utils_file.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Project":
            return {
                target.id: stmt.value.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
                for target in stmt.targets
                if isinstance(target, ast.Name)
            }
    raise ValueError(f"no Project enum in {utils_file}")


def _text(node: ast.AST) -> str | None:
    """A string constant, or an f-string with its placeholders kept as ``{...}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("{...}")
        return "".join(parts)
    return None


SNAPSHOT_LINE = re.compile(r"^\S.*?: (DEP\d{3}) '([^']+)'", re.MULTILINE)


def _expected_in(function: ast.FunctionDef) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for node in ast.walk(function):
        text = _text(node)
        if text:
            found.update(SNAPSHOT_LINE.findall(text))
        if isinstance(node, ast.Dict):
            entries = {
                key.value: value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant)
            }
            error, module = entries.get("error"), entries.get("module")
            if isinstance(error, ast.Dict) and module is not None and _text(module):
                for key, value in zip(error.keys, error.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "code" and _text(value):
                        found.add((_text(value), _text(module)))
    return {(code, name) for code, name in found if code in CLASS_OF_CODE}


def _deptry_args(function: ast.FunctionDef) -> str | None:
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        text = _text(node.args[0])
        if text is None:
            continue
        if node.func.attr == "run_deptry":
            return text
        if node.func.attr == "run" and text.split()[:1] == ["deptry"]:
            return text.split(None, 1)[1] if " " in text else ""
    return None


def _project_of(function: ast.FunctionDef, folders: dict[str, str]) -> str | None:
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Project"
            and node.attr in folders
        ):
            # the decorator names it too; both are the same member
            return folders[node.attr]
    return None


def _makes_git_folder(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(node, ast.Call) and any(_text(a) == ".git" for a in node.args)
        for node in ast.walk(function)
    )


def read_cases(functional: Path) -> tuple[list[Case], list[str]]:
    folders = project_folders(functional / "utils.py")
    cases: dict[tuple[str, str, bool], Case] = {}
    unread: list[str] = []
    for test_file in sorted((functional / "cli").glob("test_cli*.py")):
        tree = ast.parse(test_file.read_text())
        for function in tree.body:
            if not (isinstance(function, ast.FunctionDef) and function.name.startswith("test_")):
                continue
            where = f"{test_file.name}::{function.name}"
            args, project = _deptry_args(function), _project_of(function, folders)
            if args is None or project is None:
                unread.append(f"{where}: no deptry run on a fixture project")
                continue
            expected = _expected_in(function)
            if not expected:
                unread.append(f"{where} (deptry {args}): expects no findings")
                continue
            git = _makes_git_folder(function)
            key = (project, _normalised_args(args), git)
            cases.setdefault(key, Case(project, args, frozenset(expected), where, git))
    return list(cases.values()), unread


def _normalised_args(args: str) -> str:
    """The command line without output-only options, so equal runs are one case."""
    words, kept = shlex.split(args.replace("{...}", "REPORT")), []
    index = 0
    while index < len(words):
        word = words[index]
        action, takes_value = OPTIONS.get(word, ("", False))
        if action == "output":
            index += 2 if takes_value else 1
            continue
        kept.append(word)
        index += 1
    return " ".join(kept)


# --- running a case ---------------------------------------------------------------------------


def plan_for(args: str) -> Plan:
    plan, roots = Plan(), []
    words = shlex.split(args.replace("{...}", "REPORT"))
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-"):
            roots.append(word)
            index += 1
            continue
        if word not in OPTIONS:
            plan.skip_reason = f"deptry option {word} has no declared treatment"
            return plan
        action, takes_value = OPTIONS[word]
        value = words[index + 1] if takes_value and index + 1 < len(words) else ""
        index += 2 if takes_value else 1
        if action == "skip":
            plan.skip_reason = f"{word} overrides the project's own configuration"
            return plan
        if action in ("exclude", "extend_exclude"):
            plan.remove_patterns.append(value)
            plan.gitignore_off = plan.gitignore_off or action == "exclude"
        elif action == "known_first_party":
            plan.known_first_party += [v for v in value.split(",") if v]
        elif action == "requirements":
            plan.requirements += [v for v in value.split(",") if v]
        elif action == "dev_requirements":
            plan.dev_requirements += [v for v in value.split(",") if v]
        elif action == "no_notebooks":
            plan.no_notebooks = True
        elif action == "unread":
            plan.unread.append(f"{word} {value}".strip())
    plan.roots = roots or ["."]
    return plan


def prepare_copy(project: Path, target: Path, plan: Plan, *, git_work_tree: bool) -> None:
    """Copy ``project`` to ``target`` holding only the files deptry reads in that test."""
    shutil.copytree(project, target, symlinks=True)
    roots = [Path(r) for r in plan.roots]
    included = _included_files(target, [*plan.requirements, *plan.dev_requirements])
    for path in sorted(target.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(target)
        posix = relative.as_posix()
        if path.suffix in SOURCE_SUFFIXES:
            outside = not any(r == Path(".") or r in relative.parents for r in roots)
            excluded = any(re.search(p, posix) for p in plan.remove_patterns)
            notebook = plan.no_notebooks and path.suffix == ".ipynb"
            if outside or excluded or notebook:
                path.unlink()
        elif REQUIREMENTS_FILE.match(posix) and posix not in included and _not_read(posix, plan):
            path.unlink()
    if git_work_tree:
        # deptry's test makes a .git folder so .gitignore counts; a real work tree does the same
        # for a tool that reads what git tracks.
        quiet = {"cwd": target, "check": True, "capture_output": True}
        subprocess.run(["git", "init", "-q"], **quiet)
        subprocess.run(["git", "add", "-A", *(["-f"] if plan.gitignore_off else [])], **quiet)
        subprocess.run(
            [
                "git",
                "-c",
                "user.name=bench",
                "-c",
                "user.email=bench@localhost",
                "commit",
                "-qm",
                "fixture",
            ],
            **quiet,
        )


INCLUDE_LINE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)[\s=]+(\S+)", re.MULTILINE)


def _included_files(root: Path, named: list[str]) -> set[str]:
    """The files ``-r``/``-c`` lines of the named requirements files pull in, transitively."""
    seen: set[str] = set()
    pending = list(named)
    while pending:
        name = pending.pop()
        path = root / name
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        for target in INCLUDE_LINE.findall(path.read_text(errors="replace")):
            pending.append((Path(name).parent / target).as_posix())
    return seen - set(named)


def _not_read(requirements_file: str, plan: Plan) -> bool:
    """Whether deptry, told which requirements files to read, leaves this one out."""
    if requirements_file in plan.dev_requirements:
        return False
    if requirements_file in DEV_REQUIREMENTS:
        return bool(plan.dev_requirements)
    return bool(plan.requirements) and requirements_file not in plan.requirements


def debtboard_scan(copy: Path, plan: Plan, scan_command: str) -> list[dict[str, object]]:
    command = [word.replace("{path}", str(copy)) for word in shlex.split(scan_command)]
    for name in plan.known_first_party:
        command += ["--known-first-party", name]
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "sqlite://:memory:")  # the audit is not scored
    done = subprocess.run(
        command, cwd=code_dir(), capture_output=True, text=True, env=env, check=False
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise RuntimeError(
            f"scan exit {done.returncode}, no JSON: {done.stderr.strip()[-500:]}"
        ) from error
    return list(report.get("findings", []))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _key(code: str, name: str, *, strict: bool) -> Pair:
    return (code if strict else CLASS_OF_CODE[code], canonical(name))


def score(case: Case, plan: Plan, findings: list[dict[str, object]], *, strict: bool) -> Outcome:
    found: dict[Pair, str] = {}
    codes_found: dict[Pair, set[str]] = {}
    for finding in findings:
        code = str(finding.get("code", ""))
        if code not in CLASS_OF_CODE or finding.get("kept"):
            continue
        pair = _key(code, str(finding.get("subject", "")), strict=strict)
        found[pair] = str(finding.get("summary", ""))
        codes_found.setdefault(pair, set()).add(code)
    expected = {_key(code, name, strict=strict) for code, name in case.expected}
    matched = {want for want in expected if want in found}
    used = set(matched)
    for want in sorted(expected - matched):
        # deptry names the import; Debtboard may name the distribution and the import in words.
        module = re.escape(want[1].replace("-", "_"))
        names_it = re.compile(rf"^{module} is imported|\bimport {module}(?![\w.])", re.IGNORECASE)
        for pair, summary in sorted(found.items()):
            if pair[0] == want[0] and pair not in used and names_it.search(summary):
                matched.add(want)
                used.add(pair)
                break
    notes = []
    if not strict:
        deptry_codes = {_key(c, n, strict=False): c for c, n in case.expected}
        for pair in sorted(matched & set(codes_found)):
            if deptry_codes.get(pair) not in codes_found[pair]:
                ours = "/".join(sorted(codes_found[pair]))
                notes.append(f"{pair[1]}: deptry {deptry_codes[pair]}, Debtboard {ours}")
    return Outcome(
        case, plan, expected, found, matched, expected - matched, set(found) - used, notes
    )


def run_case(case: Case, fixtures: Path, scan_command: str, *, strict: bool) -> Outcome:
    plan = plan_for(case.args)
    if plan.skip_reason:
        return Outcome(case, plan, set(), {}, set(), set(), set(), [])
    with tempfile.TemporaryDirectory(prefix="deptry-functional-") as scratch:
        copy = Path(scratch) / case.project
        prepare_copy(fixtures / case.project, copy, plan, git_work_tree=case.git_work_tree)
        try:
            findings = debtboard_scan(copy, plan, scan_command)
        except RuntimeError as error:
            outcome = score(case, plan, [], strict=strict)
            outcome.error = str(error)
            return outcome
    return score(case, plan, findings, strict=strict)


# --- report -----------------------------------------------------------------------------------


def _listed(pairs: set[Pair]) -> str:
    return ", ".join(f"{kind} {name}" for kind, name in sorted(pairs)) or "-"


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def report(outcome: Outcome, *, verbose: bool) -> None:
    case = outcome.case
    git = ", in a git work tree" if case.git_work_tree else ""
    print(f"{case.project} (deptry {case.args}{git}) [{case.source}]")
    if outcome.plan.skip_reason:
        print(f"  skipped: {outcome.plan.skip_reason}")
        return
    if outcome.error:
        print(f"  ERROR: {outcome.error}")
    recall = _ratio(len(outcome.matched), len(outcome.expected))
    right = len(outcome.found) - len(outcome.extra)
    precision = _ratio(right, len(outcome.found))
    print(
        f"  recall {recall:.0%} ({len(outcome.matched)}/{len(outcome.expected)}), "
        f"precision {precision:.0%} ({right}/{len(outcome.found)})"
    )
    print(f"  only deptry:    {_listed(outcome.missed)}")
    print(f"  only Debtboard: {_listed(outcome.extra)}")
    for note in outcome.code_notes:
        print(f"  code differs:   {note}")
    if outcome.plan.unread:
        print(
            f"  not applied:    {', '.join(outcome.plan.unread)} (Debtboard reads every manifest)"
        )
    if verbose:
        for pair in sorted(outcome.extra):
            print(f"    {pair[0]} {pair[1]}: {outcome.found[pair]}")


def extract(mirror: Path, ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "--git-dir", str(mirror), "archive", ref, "tests/functional", "tests/fixtures"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "tests"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--deptry-git", type=Path, default=DEFAULT_MIRROR, help="git dir of deptry's repository"
    )
    parser.add_argument("--ref", default="HEAD", help="commit of deptry to read (default HEAD)")
    parser.add_argument(
        "--scan-command", default=DEFAULT_SCAN, help="Debtboard's scan; {path} is the project"
    )
    parser.add_argument(
        "--strict-codes", action="store_true", help="DEP001 and DEP003 must match exactly"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="print the summaries of unmatched findings"
    )
    args = parser.parse_args()
    if not (args.deptry_git / "HEAD").exists():
        parser.error(f"{args.deptry_git} is not a git directory (fetch fpgmaas/deptry first)")
    with tempfile.TemporaryDirectory(prefix="deptry-src-") as scratch:
        tests = extract(args.deptry_git, args.ref, Path(scratch))
        commit = subprocess.run(
            ["git", "--git-dir", str(args.deptry_git), "rev-parse", "--short", args.ref],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        cases, unread = read_cases(tests / "functional")
        print(f"deptry {commit}: {len(cases)} cases from {tests / 'functional' / 'cli'}")
        outcomes = [
            run_case(c, tests / "fixtures", args.scan_command, strict=args.strict_codes)
            for c in cases
        ]
    for outcome in outcomes:
        report(outcome, verbose=args.verbose)
    for line in unread:
        print(f"not a case: {line}")
    scored = [o for o in outcomes if not o.plan.skip_reason]
    print("per project (all its scored cases together):")
    for project in sorted({o.case.project for o in scored}):
        mine = [o for o in scored if o.case.project == project]
        hit = sum(len(o.matched) for o in mine)
        want = sum(len(o.expected) for o in mine)
        got = sum(len(o.found) for o in mine)
        right = sum(len(o.found) - len(o.extra) for o in mine)
        print(
            f"  {project:32} recall {_ratio(hit, want):6.1%} ({hit}/{want})  "
            f"precision {_ratio(right, got):6.1%} ({right}/{got})  cases {len(mine)}"
        )
    matched = sum(len(o.matched) for o in scored)
    expected = sum(len(o.expected) for o in scored)
    found = sum(len(o.found) for o in scored)
    correct = sum(len(o.found) - len(o.extra) for o in scored)
    print(
        f"projects: {len({o.case.project for o in scored})}, cases scored: {len(scored)}, "
        f"expected {expected}, matched {matched}, Debtboard findings {found} ({correct} right)"
    )
    errors = [o for o in scored if o.error]
    if errors:
        print(f"scan errors in {len(errors)} case(s)")
    print(
        f"RESULT recall={_ratio(matched, expected):.3f} precision={_ratio(correct, found):.3f} "
        f"cases={len(scored)} skipped={len(outcomes) - len(scored)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
