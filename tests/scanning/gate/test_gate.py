"""``python -m scanning.cli gate``: exit status by policy, requirements that need an owner, the
Markdown comment, and a server that keeps decisions."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanning import cli
from scanning.gate import policy, verdict
from tests.factories import git_repository, write_tree

ROOT = Path(__file__).resolve().parents[3]
ADVISORIES = ROOT / "tests" / "fixtures" / "advisories" / "pypa"
_BASE = {
    "requirements.txt": "requests==2.32.3\n",
    "app/main.py": "import requests\n",
}
# Everything is audited in these tests unless a test says otherwise: the audit is its own test.
_AUDIT_WARNS = '[policy]\nunaudited = "warn"\n'


def _commit(root: Path, files: dict[str, str]) -> None:
    write_tree(root, files)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "change"], cwd=root, check=True)


def _gate(*args: str, environ: dict[str, str] | None = None) -> tuple[int, str]:
    out = io.StringIO()
    status = cli.main(["gate", *args, "--no-cache"], environ=environ or {}, write=out.write)
    return status, out.getvalue()


def test_a_requirement_added_without_an_owner_fails_and_is_named(tmp_path):
    repo = git_repository(tmp_path / "repo", {**_BASE, "debtboard.toml": _AUDIT_WARNS})
    _commit(
        repo,
        {
            "requirements.txt": "requests==2.32.3\nflask==3.0.0\n",
            "app/main.py": "import requests\nimport flask\n",
        },
    )

    status, comment = _gate(str(repo), "--base", "HEAD~1")

    assert status == 1
    assert "## Debtboard gate: ❌ fail" in comment
    assert "without an owner and a reason (1, blocks)" in comment
    assert "- `flask` in `requirements.txt:2`" in comment


def test_an_owner_and_reason_on_the_line_lets_the_requirement_in(tmp_path):
    repo = git_repository(tmp_path / "repo", {**_BASE, "debtboard.toml": _AUDIT_WARNS})
    _commit(
        repo,
        {
            "requirements.txt": "requests==2.32.3\n"
            "flask==3.0.0  # owner: @web-team reason: the admin pages\n",
            "app/main.py": "import requests\nimport flask\n",
        },
    )

    status, comment = _gate(str(repo), "--base", "HEAD~1")

    assert status == 0, comment
    assert "## Debtboard gate: ✅ pass" in comment
    # The owner is shown, and GitHub notifies nobody from the comment.
    assert "`flask`: @&#8203;web-team, the admin pages (requirements.txt:2)" in comment


def test_an_owner_in_debtboard_toml_counts_like_one_on_the_line(tmp_path):
    config = _AUDIT_WARNS + '\n[requirements.Flask]\nowner = "@web"\nreason = "admin pages"\n'
    repo = git_repository(tmp_path / "repo", {**_BASE, "debtboard.toml": config})
    _commit(
        repo,
        {
            "requirements.txt": "requests==2.32.3\nflask==3.0.0\n",
            "app/main.py": "import requests\nimport flask\n",
        },
    )

    status, comment = _gate(str(repo), "--base", "HEAD~1")

    assert status == 0, comment
    assert "debtboard.toml \\[requirements.flask\\]" in comment


def test_an_owner_without_a_reason_is_not_enough(tmp_path):
    repo = git_repository(tmp_path / "repo", {**_BASE, "debtboard.toml": _AUDIT_WARNS})
    _commit(
        repo,
        {
            "requirements.txt": "requests==2.32.3\nflask==3.0.0  # owner: @web-team\n",
            "app/main.py": "import requests\nimport flask\n",
        },
    )

    assert _gate(str(repo), "--base", "HEAD~1")[0] == 1


def test_requirements_the_base_already_had_need_no_owner(tmp_path):
    repo = git_repository(tmp_path / "repo", {**_BASE, "debtboard.toml": _AUDIT_WARNS})
    _commit(repo, {"app/other.py": "import requests\n"})

    status, comment = _gate(str(repo), "--base", "HEAD~1")

    assert status == 0, comment
    assert "without an owner" not in comment


def test_a_previous_scan_json_is_a_base_too(tmp_path):
    repo = write_tree(tmp_path / "repo", {**_BASE, "debtboard.toml": _AUDIT_WARNS})
    saved = tmp_path / "base.json"
    assert _gate(str(repo), "--scan-output", str(saved))[0] == 0
    write_tree(repo, {"requirements.txt": "requests==2.32.3\nflask==3.0.0\n"})
    write_tree(repo, {"app/main.py": "import requests\nimport flask\n"})

    status, comment = _gate(str(repo), "--base-scan", str(saved))

    assert status == 1
    assert "- `flask` in `requirements.txt:2`" in comment


def test_a_base_that_is_not_a_ref_is_refused_before_git_runs(tmp_path):
    repo = git_repository(tmp_path / "repo", _BASE)

    status, _ = _gate(str(repo), "--base", "--upload-pack=touch /tmp/x")

    assert status == 2


def test_a_blocking_kind_fails_and_the_policy_file_can_lower_it(tmp_path):
    files = {**_BASE, "app/main.py": "import requests\nimport boto3\n"}
    repo = write_tree(tmp_path / "repo", {**files, "debtboard.toml": _AUDIT_WARNS})

    status, comment = _gate(str(repo))
    assert status == 1
    assert "| DEP001 | missing | boto3 |" in comment

    write_tree(repo, {"debtboard.toml": _AUDIT_WARNS + '[policy.levels]\nmissing = "warn"\n'})
    status, comment = _gate(str(repo))
    assert status == 0, comment
    assert "### Warnings (1)" in comment


def test_a_finding_the_repository_keeps_in_its_deptry_settings_does_not_fail(tmp_path):
    files = {**_BASE, "app/main.py": "import requests\nimport boto3\n"}
    pyproject = '[tool.deptry.per_rule_ignores]\nDEP001 = ["boto3"]\n'
    repo = write_tree(
        tmp_path / "repo", {**files, "pyproject.toml": pyproject, "debtboard.toml": _AUDIT_WARNS}
    )

    status, comment = _gate(str(repo))

    assert status == 0, comment
    assert "Kept, not counted (1)" in comment


def test_nothing_audited_is_unknown_and_fails_by_default(tmp_path):
    repo = write_tree(tmp_path / "repo", _BASE)

    status, comment = _gate(str(repo))

    assert status == 1
    assert "unknown (not everything was checked)" in comment
    assert "no advisory source given" in comment


def test_a_vulnerability_blocks_from_the_cvss_threshold(tmp_path):
    repo = write_tree(
        tmp_path / "repo",
        {
            "requirements.txt": "apache-skywalking==1.0.1\n",
            "app/main.py": "import skywalking\n",
            "debtboard.toml": '[policy.levels]\nunused = "ignore"\n',
        },
    )

    status, comment = _gate(str(repo), "--advisories", str(ADVISORIES))
    assert status == 1
    assert "| DBT106 | vulnerable | apache-skywalking | CVSS 9.8 ≥ 7 |" in comment

    strict = tmp_path / "policy.toml"
    strict.write_text("[policy]\ncvss_threshold = 9.9\n")
    status, comment = _gate(str(repo), "--advisories", str(ADVISORIES), "--policy", str(strict))
    assert status == 0, comment
    assert "CVSS 9.8 below the threshold 9.9" in comment


@pytest.mark.parametrize(
    "config",
    [
        '[policy.levels]\nunused = "maybe"\n',
        '[policy.levels]\nnot-a-kind = "warn"\n',
        '[policy]\ncvss_threshold = "high"\n',
        "[policy]\ncvss_threshold = 11\n",
        '[policy]\nunaudited = "pass"\n',
        "[policy\n",
    ],
)
def test_a_policy_that_is_not_understood_is_an_error_never_a_pass(tmp_path, config, capsys):
    repo = write_tree(tmp_path / "repo", {**_BASE, "debtboard.toml": config})

    status, comment = _gate(str(repo))

    assert status == 2
    assert comment == ""
    assert capsys.readouterr().err.startswith("error: ")


def test_json_output_says_the_same(tmp_path):
    files = {**_BASE, "app/main.py": "import requests\nimport boto3\n"}
    repo = write_tree(tmp_path / "repo", {**files, "debtboard.toml": _AUDIT_WARNS})

    status, output = _gate(str(repo), "--format", "json")

    data = json.loads(output)
    assert status == 1
    assert data["outcome"] == "fail"
    assert [(b["kind"], b["subject"]) for b in data["blocking"]] == [("missing", "boto3")]


def test_hostile_text_in_a_finding_cannot_break_out_of_the_table():
    scan = {
        "findings": [
            {
                "kind": "missing",
                "subject": "x",
                "summary": "a | b\n## @everyone <img src=x onerror=alert(1)> [l](javascript:x)",
            }
        ],
        "audit": {"gate": "pass"},
    }

    comment = verdict.as_markdown(verdict.evaluate(scan, policy.Policy()))

    row = next(line for line in comment.splitlines() if line.startswith("| DEP001"))
    assert row.count(" | ") == 4  # five cells, the pipe inside is escaped
    assert "\\<img" in row and row.count("<") == row.count("\\<")  # shown, never HTML
    assert "javascript:" not in comment
    assert "@everyone" not in comment
    assert "\n## " not in comment.split("\n", 1)[1]  # no heading of its own


def test_the_gate_loads_no_django_without_a_server(tmp_path):
    repo = write_tree(tmp_path / "repo", {**_BASE, "debtboard.toml": _AUDIT_WARNS})
    program = (
        "import sys\nfrom scanning import cli\n"
        f"status = cli.main(['gate', {str(repo)!r}, '--no-cache'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'celery', 'config', 'decisions'))\n"
        "sys.stderr.write(repr(loaded))\nsys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "[]"


def _vulnerable_scan(entry: dict) -> dict:
    finding = {"kind": "vulnerable", "subject": "pkg", "summary": "pkg 1.0: advisories"}
    return {"findings": [finding], "audit": {"gate": "fail", "vulnerable": [entry]}}


@pytest.mark.parametrize(
    ("entry", "blocks"),
    [
        ({"name": "pkg", "score": 9.8, "severity": "critical"}, True),
        ({"name": "pkg", "score": 5.0, "severity": "medium"}, False),
        # A GitHub HIGH without a vector beside a scored MEDIUM: the level's floor counts.
        ({"name": "pkg", "score": 5.0, "severity": "high"}, True),
        ({"name": "pkg", "score": None, "severity": "high"}, True),
        ({"name": "pkg", "score": None, "severity": "low"}, False),
    ],
)
def test_a_vulnerability_blocks_by_its_highest_score_or_level(entry, blocks):
    result = verdict.evaluate(_vulnerable_scan(entry), policy.Policy())

    assert bool(result.blocking) is blocks
    assert bool(result.warnings) is not blocks
