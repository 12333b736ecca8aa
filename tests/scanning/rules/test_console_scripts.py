"""A program a declared distribution's metadata lists as its console script is a use of it."""

from __future__ import annotations

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.types import Declaration, DistributionFacts, EntryPoint
from tests.factories import write_tree

from .conftest import kinds_and_subjects

# Neither in the script table nor named like its script: only its metadata ties the two.
SERVER = "chrono-serve-toolkit"
_REPO = {
    "requirements.txt": "flask==3.0\n",
    "requirements-dev.txt": f"{SERVER}==1.0\n",
    "app.py": "import flask\n",
    "tests/conftest.py": (
        "import subprocess, sys\nfrom pathlib import Path\n"
        'subprocess.Popen([str(Path(sys.executable).parent / "chrono-serve"), "run"])\n'
    ),
}


def _provided(scripts: tuple[str, ...]):
    def load(declarations: list[Declaration]) -> dict[str, DistributionFacts]:
        points = tuple(EntryPoint("console_scripts", s, "chrono.cli:main") for s in scripts)
        facts = DistributionFacts(SERVER, ("chrono",), "index", "1.0", entry_points=points)
        return {SERVER: facts, "flask": DistributionFacts("flask", ("flask",), "index", "3.0")}

    return load


def _found(tmp_path, scripts: tuple[str, ...]) -> set[tuple[str, str]]:
    tree = scan_tree(write_tree(tmp_path, _REPO), provided=_provided(scripts))
    return kinds_and_subjects(rules.run_rules(tree, kinds=rules.ALL_KINDS))


def test_a_console_script_of_a_declared_distribution_is_a_use_of_it(tmp_path):
    assert ("unused", SERVER) not in _found(tmp_path, ("chrono-serve",))


def test_without_that_console_script_in_its_metadata_the_distribution_is_unused(tmp_path):
    assert ("unused", SERVER) in _found(tmp_path, ("chrono-admin",))
