"""A scanned repository's own git config runs nothing in the worker (issue 13.9)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from decisions import services
from scanning import services as scanning_services
from scanning.git import runner
from scanning.rules import weights
from tests import factories

_GIT = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]


def _git(root: Path, *args: str) -> None:
    subprocess.run([*_GIT, *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def partial_clone(tmp_path) -> tuple[Path, Path]:
    """A partial clone missing one blob of its history, whose origin "upload-pack" is a
    command that leaves a marker file; returns (clone, marker)."""
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "model.pt").write_bytes(b"\1" * 4000)
    (origin / "requirements.txt").write_text("requests==2.31.0\n")
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "one")
    _git(origin, "rm", "-q", "model.pt")
    _git(origin, "commit", "-q", "-m", "two")
    _git(origin, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--filter=blob:limit=1k", f"file://{origin}", str(clone))
    marker = tmp_path / "marker"
    _git(clone, "config", "remote.origin.uploadpack", f"touch {marker}; git-upload-pack")
    _git(clone, "config", "core.fsmonitor", f"touch {marker}.fsmonitor; false")
    return clone, marker


def test_listing_git_history_fetches_nothing_and_runs_no_configured_command(partial_clone):
    clone, marker = partial_clone
    findings, errors = weights.weight_findings_for(clone, threshold_bytes=1)
    assert not marker.exists()
    assert not Path(f"{marker}.fsmonitor").exists()
    assert [e.message for e in errors] == [
        "could not list git objects: partial clone, 1 blob of history is not in this clone"
    ]
    assert findings == []  # its size is unknown here: nothing is claimed
    # However large the threshold, the blob it lacks is still counted.
    assert weights.weight_findings_for(clone, threshold_bytes=10 * 1024 * 1024)[1] == errors


def test_the_runner_fetches_no_missing_object_even_when_git_is_asked_for_it(partial_clone):
    # The scan's own commands never ask for a blob a partial clone lacks; this one does (it is
    # the command that ran the repository's upload-pack in the worker), so the runner's own
    # hardening is what stops the lazy fetch.
    clone, marker = partial_clone
    with pytest.raises(runner.GitFailed, match="promisor remote"):
        runner.run_git(["-C", str(clone), "rev-list", "--objects", "--all"], timeout=60)
    assert not marker.exists()


def test_the_runner_ignores_the_workers_git_environment(partial_clone, monkeypatch):
    # Settings from the worker's environment (here, a transport allowed) do not reach git.
    clone, marker = partial_clone
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'protocol.allow'='always'")
    with pytest.raises(runner.GitFailed):
        runner.run_git(["-C", str(clone), "rev-list", "--objects", "--all"], timeout=60)
    assert not marker.exists()


def test_scanning_a_hostile_partial_clone_runs_none_of_its_commands(partial_clone, team):
    clone, marker = partial_clone
    repository = factories.repository(team, location=str(clone))
    run, _ = scanning_services.scan_run_create(repository=repository)
    run = services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    assert run.status == "succeeded", run.error
    assert not marker.exists()
    assert not Path(f"{marker}.fsmonitor").exists()


def test_a_path_with_a_line_break_is_read_whole(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "odd\nname.pt").write_bytes(b"\0" * 2048)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    listing = weights.git_weight_files(repo)
    assert [(f.path, f.size) for f in listing.files] == [("odd\nname.pt", 2048)]
