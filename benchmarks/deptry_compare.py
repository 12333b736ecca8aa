"""Debtboard's DEP001-DEP004 verdicts on deptry's functional-test projects, beside deptry's own.

    python benchmarks/deptry_compare.py --fixtures /tmp/deptry-src/tests/fixtures [--verbose]
        [--deptry /tmp/deptry-venv/bin/deptry]

deptry's files are never part of this repository. Extract its fixture projects from a copy of
its public repository first, e.g. from the mirror fetched on the development machine:

    mkdir -p /tmp/deptry-src
    git -C /work/.mirror/fpgmaas+deptry/repo archive HEAD tests/fixtures | tar -x -C /tmp/deptry-src

Each case below scans one fixture project through ``manage.py scan PATH --format json`` (the
command itself, in this process) and compares the (code, name) pairs with deptry codes against
``CASES``: what deptry's CLI tests (``tests/functional/cli/test_cli_*.py``) expect for that
project and those options, written down here as facts. Names are compared as PEP 503
distribution names; deptry names an import (``pytest_cov``, ``bs4``) where it reports one.

deptry options without a Debtboard equivalent are applied around the scan, as documented:

* ``hide``: files deptry does not read in that test, removed from a temporary copy before the
  scan. That covers the directories given on deptry's command line (Debtboard scans a whole
  checkout), ``--exclude``, files named in ``.gitignore``/``.ignore`` (a clone holds only
  committed files; Debtboard scans clones) and requirements files left out of
  ``--requirements-files`` (Debtboard reads every requirements file it finds).
* ``suppressed``: findings deptry's configuration hides: ``[tool.deptry.per_rule_ignores]`` and
  ``# deptry: ignore[...]`` comments. Debtboard keeps such decisions as kept decision records,
  which ``manage.py scan`` does not read, so they are filtered out of its output here.

Every remaining difference is listed; ``benchmarks/README.md`` ("Debtboard against deptry")
says why each one is there. With ``--deptry`` (a deptry executable, e.g. from
``python3 -m venv /tmp/deptry-venv && /tmp/deptry-venv/bin/pip install deptry``) each case is
also run through deptry itself, on an untouched copy with deptry's own options, and its
findings are checked against the table. Its test environment is not rebuilt: the fixture
projects' packages are not installed, as on a Debtboard server. The last line is
machine-readable:

    RESULT projects=N matched=M differences=D cases=C
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEPTRY_CODES = ("DEP001", "DEP002", "DEP003", "DEP004")

Pair = tuple[str, str]  # (code, name)


@dataclass(frozen=True)
class Case:
    project: str  # folder under --fixtures
    deptry_args: str  # deptry's command line in that test
    expected: frozenset[Pair]  # deptry's DEP001-DEP004 findings in that test
    hide: tuple[str, ...] = ()
    in_git_work_tree: bool = False  # the test makes a .git folder so .gitignore files count
    suppressed: frozenset[Pair] = frozenset()
    known_first_party: tuple[str, ...] = ()
    other: frozenset[Pair] = field(default_factory=frozenset)  # deptry codes we do not compare

    @property
    def label(self) -> str:
        where = ", in a git work tree" if self.in_git_work_tree else ""
        return f"{self.project} (deptry {self.deptry_args}{where})"


def pairs(text: str) -> frozenset[Pair]:
    """``"DEP002 isort, DEP001 white"`` → {("DEP002", "isort"), ("DEP001", "white")}."""
    found = set()
    for item in text.split(","):
        code, name = item.split()
        found.add((code, name))
    return frozenset(found)


# deptry's per_rule_ignores in most fixtures' pyproject.toml: pkginfo is declared, never used.
PKGINFO_IGNORED = pairs("DEP002 pkginfo")

# What deptry's functional tests expect, per project and command line.
CASES: tuple[Case, ...] = (
    Case(
        "example",
        ".",
        pairs("DEP002 isort, DEP002 requests, DEP004 black, DEP001 white"),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "example",
        ". --known-first-party white",
        pairs("DEP002 isort, DEP002 requests, DEP004 black"),
        suppressed=PKGINFO_IGNORED,
        known_first_party=("white",),
    ),
    Case("without_deptry_option", ". --config pyproject.toml", pairs("DEP002 isort")),
    Case(
        "gitignore",
        ".",
        pairs("DEP002 requests, DEP002 mypy, DEP002 pytest"),
        # The root .gitignore names foobar.py and /src/barfoo.py; src/.gitignore names /baz.py.
        hide=("src/foobar.py", "src/barfoo.py", "src/baz.py"),
        suppressed=PKGINFO_IGNORED,
        in_git_work_tree=True,
    ),
    Case(
        "gitignore",
        ". --exclude build/|src/bar\\.py",
        pairs(
            "DEP002 isort, DEP002 requests, DEP002 pytest, DEP001 hello, DEP001 hej",
        ),
        hide=("src/bar.py",),  # an explicit --exclude replaces the .gitignore files
        suppressed=PKGINFO_IGNORED,
        in_git_work_tree=True,
    ),
    Case(
        "inline_ignores",
        "src",
        pairs("DEP004 black, DEP001 gray"),
        # requests: per_rule_ignores; white and orange: "# deptry: ignore[DEP001]" comments
        # (the comment on gray names DEP003, so it does not hide gray's DEP001).
        suppressed=pairs("DEP002 requests, DEP001 white, DEP001 orange"),
    ),
    Case(
        "multiple_source_directories",
        "src worker",
        pairs("DEP002 arrow, DEP001 httpx, DEP001 celery"),
        hide=("another_directory",),
    ),
    Case(
        "namespace",
        ". --experimental-namespace-package",
        pairs("DEP004 flake8, DEP001 white, DEP002 arrow"),
    ),
    Case(
        "namespace",
        ".",
        pairs("DEP004 flake8, DEP001 white, DEP003 foo, DEP002 arrow"),
    ),
    Case(
        "pdm",
        ".",
        pairs(
            "DEP002 isort, DEP004 black, DEP004 certifi, DEP004 mypy, DEP004 packaging,"
            " DEP004 pytest, DEP004 pytest_cov, DEP001 white"
        ),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "pep_621",
        ".",
        pairs(
            "DEP002 isort, DEP002 requests, DEP002 pytest, DEP002 matplotlib, DEP004 black,"
            " DEP004 certifi, DEP004 packaging, DEP001 white"
        ),
        suppressed=PKGINFO_IGNORED,
        other=pairs("DEP005 asyncio"),
    ),
    Case(
        "poetry",
        ".",
        pairs(
            "DEP002 isort, DEP002 requests, DEP004 black, DEP004 mypy, DEP004 pytest,"
            " DEP004 pytest_cov, DEP001 white"
        ),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "poetry_pep_621",
        ".",
        pairs(
            "DEP002 requests, DEP002 isort, DEP004 black, DEP004 mypy, DEP004 pytest,"
            " DEP004 pytest_cov, DEP001 white"
        ),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "pyproject_different_directory",
        "src --config a_sub_directory/pyproject.toml",
        pairs("DEP002 isort, DEP002 requests, DEP002 mypy, DEP002 pytest, DEP001 white"),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "requirements_in",
        ".",
        pairs(
            "DEP002 isort, DEP002 uvicorn, DEP004 black, DEP003 h11, DEP003 bs4,"
            " DEP001 white, DEP001 arrow"
        ),
        suppressed=pairs("DEP001 toml"),
    ),
    Case(
        "requirements_in",
        ". --requirements-files requirements.txt",
        pairs(
            "DEP002 args, DEP002 certifi, DEP002 charset-normalizer, DEP002 clint, DEP002 idna,"
            " DEP002 isort, DEP002 requests, DEP002 soupsieve, DEP002 typing-extensions,"
            " DEP002 uvicorn, DEP004 black, DEP001 white, DEP001 arrow"
        ),
        hide=("requirements.in",),
        suppressed=pairs("DEP001 toml"),
    ),
    Case(
        "requirements_txt",
        ". --requirements-files requirements.txt --requirements-files-dev requirements-dev.txt",
        pairs("DEP002 isort, DEP002 requests, DEP004 black, DEP001 white, DEP003 urllib3"),
        hide=("requirements-2.txt", "requirements-typing.txt"),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "requirements_txt",
        ". --requirements-files requirements.txt,requirements-2.txt"
        " --requirements-files-dev requirements-dev.txt",
        pairs("DEP002 isort, DEP002 requests, DEP004 black, DEP001 white"),
        hide=("requirements-typing.txt",),
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "setuptools_dynamic_dependencies",
        ".",
        pairs(
            "DEP002 packaging, DEP002 pkginfo, DEP002 requests, DEP004 isort, DEP001 white,"
            " DEP003 urllib3"
        ),
    ),
    Case(
        "src_directory",
        "src",
        pairs(
            "DEP002 isort, DEP002 requests, DEP002 mypy, DEP002 pytest, DEP001 httpx, DEP001 white"
        ),
        hide=("src/this_file_is_ignored.py",),  # named in the project's .ignore file
        suppressed=PKGINFO_IGNORED,
    ),
    Case(
        "uv",
        ".",
        pairs(
            "DEP002 isort, DEP004 black, DEP004 certifi, DEP004 mypy, DEP004 packaging,"
            " DEP004 pytest, DEP004 pytest_cov, DEP001 white"
        ),
        suppressed=PKGINFO_IGNORED,
    ),
)

# Imports deptry names whose distribution is named otherwise (deptry learns it from the
# packages installed in its test environment).
DISTRIBUTION_OF_IMPORT = {"bs4": "beautifulsoup4"}


def distribution_pair(pair: Pair) -> Pair:
    from packaging.utils import canonicalize_name

    code, name = pair
    return code, canonicalize_name(DISTRIBUTION_OF_IMPORT.get(name, name))


@dataclass
class Outcome:
    case: Case
    matched: set[Pair]
    only_deptry: set[Pair]
    only_debtboard: set[Pair]
    summaries: dict[Pair, str]
    deptry_ran: set[Pair] | None = None  # with --deptry: what deptry itself found

    @property
    def expected(self) -> set[Pair]:
        return self.matched | self.only_deptry


def debtboard_findings(project: Path, case: Case) -> list[dict[str, object]]:
    """``manage.py scan`` on a copy of ``project`` without ``case.hide``; its JSON findings."""
    from django.core.management import call_command

    with tempfile.TemporaryDirectory(prefix="deptry-compare-") as scratch:
        copy = Path(scratch) / project.name
        shutil.copytree(project, copy, symlinks=True)
        for hidden in case.hide:
            target = copy / hidden
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        out = io.StringIO()
        arguments = [str(copy), "--format", "json"]
        for name in case.known_first_party:
            arguments += ["--known-first-party", name]
        with contextlib.suppress(SystemExit):  # exit status 1 means "there are findings"
            call_command("scan", *arguments, stdout=out)
    return json.loads(out.getvalue())["findings"]


def deptry_findings(project: Path, case: Case, deptry: str) -> set[Pair]:
    """deptry's own DEP001-DEP004 findings on a copy of ``project``, run as its test runs it."""
    with tempfile.TemporaryDirectory(prefix="deptry-compare-") as scratch:
        copy = Path(scratch) / project.name
        shutil.copytree(project, copy, symlinks=True)
        if case.in_git_work_tree:
            (copy / ".git").mkdir()
        report_path = Path(scratch) / "report.json"
        command = [deptry, *shlex.split(case.deptry_args), "-o", str(report_path)]
        subprocess.run(command, cwd=copy, capture_output=True, check=False)
        if not report_path.exists():
            raise RuntimeError(f"deptry wrote no report for {case.label}")
        violations = json.loads(report_path.read_text())
    found = {(str(v["error"]["code"]), str(v["module"])) for v in violations}
    return {distribution_pair(p) for p in found if p[0] in DEPTRY_CODES}


def compare(fixtures: Path, case: Case) -> Outcome:
    findings = debtboard_findings(fixtures / case.project, case)
    suppressed = {distribution_pair(p) for p in case.suppressed}
    summaries: dict[Pair, str] = {}
    for finding in findings:
        pair = (str(finding["code"]), str(finding["subject"]))
        if pair[0] in DEPTRY_CODES and pair not in suppressed and not finding.get("kept"):
            summaries[pair] = str(finding["summary"])
    ours = set(summaries)
    theirs = {distribution_pair(p) for p in case.expected}
    return Outcome(case, ours & theirs, theirs - ours, ours - theirs, summaries)


def _listed(found: set[Pair]) -> str:
    return ", ".join(f"{code} {name}" for code, name in sorted(found)) or "-"


def report(outcome: Outcome, *, verbose: bool) -> None:
    print(outcome.case.label)
    print(f"  matched:        {_listed(outcome.matched)}")
    print(f"  only deptry:    {_listed(outcome.only_deptry)}")
    print(f"  only debtboard: {_listed(outcome.only_debtboard)}")
    if outcome.case.other:
        print(f"  not compared:   {_listed(set(outcome.case.other))} (deptry)")
    if outcome.deptry_ran is not None:
        ran, expected = outcome.deptry_ran, outcome.expected
        print(f"  deptry run, not in its test: {_listed(ran - expected)}")
        print(f"  its test, not in deptry run: {_listed(expected - ran)}")
    if verbose:
        for pair in sorted(outcome.only_debtboard):
            print(f"    {pair[0]} {pair[1]}: {outcome.summaries[pair]}")


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # The scan's vulnerability audit is not compared; an empty database makes it say "unknown".
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True, help="deptry's tests/fixtures")
    parser.add_argument("--verbose", action="store_true", help="print Debtboard's summaries")
    parser.add_argument("--deptry", help="a deptry executable: also run deptry on each case")
    args = parser.parse_args()
    fixtures = args.fixtures.resolve()
    absent = sorted({c.project for c in CASES if not (fixtures / c.project).is_dir()})
    if absent:
        parser.error(f"not in {fixtures}: {', '.join(absent)} (see this script's docstring)")
    if fixtures == BASE_DIR or BASE_DIR in fixtures.parents:
        parser.error("extract deptry's fixtures outside this repository")
    setup_django()
    outcomes = [compare(fixtures, case) for case in CASES]
    for outcome in outcomes:
        if args.deptry:
            project = fixtures / outcome.case.project
            outcome.deptry_ran = deptry_findings(project, outcome.case, args.deptry)
        report(outcome, verbose=args.verbose)
    if args.deptry:
        as_tested = sum(o.deptry_ran == o.expected for o in outcomes)
        print(f"deptry itself: {as_tested} of {len(CASES)} cases as its tests expect")
    matched = sum(len(o.matched) for o in outcomes)
    differences = sum(len(o.only_deptry) + len(o.only_debtboard) for o in outcomes)
    projects = len({c.project for c in CASES})
    print(
        f"RESULT projects={projects} matched={matched} differences={differences} cases={len(CASES)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
