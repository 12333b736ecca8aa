from __future__ import annotations

import json
import subprocess
from pathlib import PurePosixPath

import pytest

from scanning.rules import weights
from scanning.rules.weights import (
    WEIGHT_SUFFIXES,
    WeightFile,
    git_weight_files,
    is_weight_path,
    weight_findings,
)

MB = 1024 * 1024


def test_only_large_weight_suffixes_are_findings():
    files = [
        WeightFile("models/big.pt", 11 * MB, in_history=False),
        WeightFile("models/small.onnx", 1 * MB, in_history=False),
        WeightFile("data/big.csv", 50 * MB, in_history=False),
        WeightFile("old/model.safetensors", 20 * MB, in_history=True),
    ]
    findings = weight_findings(files)
    assert [f.subject for f in findings] == ["models/big.pt", "old/model.safetensors"]
    assert "still in git history" in findings[1].summary
    assert weight_findings(files, threshold_bytes=100 * MB) == []


def _git(root, *args):
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)


def test_deleted_weight_file_is_found_in_history(tmp_path):
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    (repo / "models" / "net.pt").write_bytes(b"\0" * (11 * MB))
    (repo / "models" / "tiny.pkl").write_bytes(b"tiny")
    (repo / "app.py").write_text("import torch\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "add model")
    (repo / "models" / "net.pt").unlink()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "remove model")

    listing = git_weight_files(repo)
    assert not listing.shallow
    by_path = {f.path: f for f in listing.files}
    assert by_path["models/net.pt"].in_history
    assert by_path["models/net.pt"].size == 11 * MB
    assert not by_path["models/tiny.pkl"].in_history
    [finding] = weight_findings(listing.files)
    assert finding.subject == "models/net.pt"
    assert "deleted" in finding.summary


def test_shallow_clone_says_it_cannot_see_history(tmp_path):
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "a.py").write_text("x = 1\n")
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "one")
    (origin / "a.py").write_text("x = 2\n")
    _git(origin, "commit", "-q", "-am", "two")
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "clone")
    assert git_weight_files(tmp_path / "clone").shallow


@pytest.mark.parametrize(
    "path",
    [
        *("a.pt", "dir/m.PT", ".pt", "x.", "dir/.bin", "a/b.c/d", "model.tar.pkl", "a/b.onnx/"),
        *("weights.safetensors", "foo.pth.txt", "a//b.h5", "x/y"),
    ],
)
def test_weight_paths_are_told_by_their_suffix_as_pathlib_reads_it(path):
    assert is_weight_path(path) == (PurePosixPath(path).suffix.lower() in WEIGHT_SUFFIXES)


def _repository_with_a_weight(root):
    (root / "models").mkdir(parents=True)
    (root / "models" / "net.pt").write_bytes(b"\0" * 2048)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "model")
    return root


def test_the_git_listing_is_read_back_while_no_ref_moved(tmp_path, monkeypatch):
    repo = _repository_with_a_weight(tmp_path / "repo")
    cache = tmp_path / "cache" / "weights.json"
    first = git_weight_files(repo, cache=cache)

    def walked_again(*args, **kwargs):
        raise AssertionError("the history was walked again")

    monkeypatch.setattr(weights, "_git_weight_files", walked_again)
    assert git_weight_files(repo, cache=cache) == first
    assert [f.path for f in first.files] == ["models/net.pt"]


def test_a_new_commit_makes_the_listing_read_again(tmp_path):
    repo = _repository_with_a_weight(tmp_path / "repo")
    cache = tmp_path / "weights.json"
    git_weight_files(repo, cache=cache)
    (repo / "models" / "net.pt").unlink()
    (repo / "extra.onnx").write_bytes(b"\0" * 4096)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "swap")

    listing = git_weight_files(repo, cache=cache)

    assert {(f.path, f.in_history) for f in listing.files} == {
        ("models/net.pt", True),
        ("extra.onnx", False),
    }


@pytest.mark.parametrize("content", [b"not json", b'{"key": 1}', b'{"key": "x", "files": 3}'])
def test_an_unreadable_cache_is_ignored_and_rewritten(tmp_path, content):
    repo = _repository_with_a_weight(tmp_path / "repo")
    cache = tmp_path / "weights.json"
    expected = git_weight_files(repo)
    cache.write_bytes(content)

    assert git_weight_files(repo, cache=cache) == expected
    assert json.loads(cache.read_bytes())["files"] == [["models/net.pt", 2048, False]]


def test_without_a_blob_as_large_as_the_floor_history_is_not_walked(tmp_path, monkeypatch):
    repo = _repository_with_a_weight(tmp_path / "repo")  # models/net.pt, 2048 bytes

    def walked(*args, **kwargs):
        raise AssertionError("the history was walked")

    monkeypatch.setattr(weights, "_history_blobs", walked)
    assert git_weight_files(repo, min_size=4096).files == []
    assert weights.weight_findings_for(repo, threshold_bytes=4096) == ([], [])


def test_a_floor_keeps_every_large_weight_of_history_and_its_largest_size(tmp_path):
    repo = _repository_with_a_weight(tmp_path / "repo")
    (repo / "models" / "net.pt").write_bytes(b"\1" * 8192)
    (repo / "old.ckpt").write_bytes(b"\2" * 5000)
    (repo / "small.bin").write_bytes(b"\3" * 100)
    (repo / "big.csv").write_bytes(b"\4" * 9000)  # large, but no weight
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "grow")
    _git(repo, "rm", "-q", "old.ckpt")
    _git(repo, "commit", "-q", "-m", "drop")

    everything = git_weight_files(repo)
    floored = git_weight_files(repo, min_size=4096)

    assert {(f.path, f.size, f.in_history) for f in floored.files} == {
        ("models/net.pt", 8192, False),
        ("old.ckpt", 5000, True),
    }
    assert weight_findings(floored.files, threshold_bytes=4096) == weight_findings(
        everything.files, threshold_bytes=4096
    )
    assert "small.bin" in {f.path for f in everything.files}


def test_the_kept_listing_is_not_read_back_for_a_lower_floor(tmp_path):
    repo = _repository_with_a_weight(tmp_path / "repo")
    cache = tmp_path / "weights.json"
    assert git_weight_files(repo, cache=cache, min_size=4096).files == []
    listing = git_weight_files(repo, cache=cache, min_size=1024)
    assert [(f.path, f.size) for f in listing.files] == [("models/net.pt", 2048)]


def test_promisor_packs_without_partial_clone_config_still_take_the_floor(tmp_path, monkeypatch):
    # A local clone of a partial clone's folder copies its .promisor files with every object.
    repo = _repository_with_a_weight(tmp_path / "repo")
    (repo / ".git" / "objects" / "pack" / "pack-0.promisor").write_bytes(b"")

    def walked(*args, **kwargs):
        raise AssertionError("the history was walked")

    monkeypatch.setattr(weights, "_history_blobs", walked)
    assert git_weight_files(repo, min_size=4096).files == []


def test_a_commit_or_tree_larger_than_the_floor_is_no_weight_file(tmp_path):
    # The size listing holds every kind of object: only blobs the history names count.
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    (repo / "models" / "small.pt").write_bytes(b"\1" * 2048)
    for n in range(60):  # a tree of some 3 KB
        (repo / f"module_with_a_long_name_{n:03}.py").write_text("x = 1\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "m" * 4096)  # a commit of over 4 KB
    listing = git_weight_files(repo, min_size=3000)
    assert listing.files == []
    everything = git_weight_files(repo, min_size=1)
    assert [(f.path, f.size) for f in everything.files] == [("models/small.pt", 2048)]
