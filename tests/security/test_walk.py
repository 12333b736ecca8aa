"""Listing a checkout: only regular files inside it, within the file-count and byte budgets."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from scanning.engine import walk
from tests.factories import write_tree


def test_symlinks_are_listed_as_errors_never_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"requirements.txt": "secret\n"})
    root = write_tree(tmp_path / "repo", {"app.py": "import os\n"})
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    paths, errors = walk.list_files(root)
    assert paths == ["app.py"]
    assert {(e.path, e.message) for e in errors} == {
        ("passwd.txt", "skipped: symbolic link"),
        ("elsewhere", "skipped: symbolic link"),
    }


def test_pipes_and_sockets_are_skipped(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"a.py": ""})
    os.mkfifo(root / "requirements.txt")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "s.py"))
        paths, errors = walk.list_files(root)
    finally:
        server.close()
    assert paths == ["a.py"]
    assert {(e.path, e.message) for e in errors} == {
        ("requirements.txt", "skipped: named pipe, not a regular file"),
        ("s.py", "skipped: socket, not a regular file"),
    }


def test_file_count_cap_stops_with_one_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {f"m{n:03d}.py": "" for n in range(120)})
    paths, errors = walk.list_files(root, max_files=100)
    assert len(paths) == 100
    assert [(e.path, e.message[:28]) for e in errors] == [
        ("m100.py", "skipped: more than 100 files")
    ]


def test_byte_budget_stops_with_one_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {f"m{n}.py": "x" * 1000 for n in range(10)})
    paths, errors = walk.list_files(root, max_bytes=4500)
    assert paths == ["m0.py", "m1.py", "m2.py", "m3.py"]
    assert [e.path for e in errors] == ["m4.py"]
    assert "this and later files not read" in errors[0].message


def test_files_too_large_to_read_do_not_spend_the_budget(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"a.py": "x" * 100})
    with (root / "model.bin").open("wb") as handle:
        handle.truncate(walk.READABLE_BYTES + 1)  # sparse: large, but costs no disk
    paths, errors = walk.list_files(root, max_bytes=1000)
    assert paths == ["a.py", "model.bin"]
    assert errors == []


def test_order_is_files_first_then_folders_depth_first(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "r",
        {"z.py": "", "a/y.py": "", "a/b/x.py": "", "c/w.py": "", "node_modules/n.py": ""},
    )
    assert walk.list_files(root)[0] == ["z.py", "a/y.py", "a/b/x.py", "c/w.py"]


def test_the_listing_keeps_the_stat_the_walk_took_of_each_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"a.py": "x", "pkg/b.py": "yy"})
    listing = walk.walk_files(root)
    assert listing.paths == ["a.py", "pkg/b.py"]
    assert listing.stats.keys() == {"a.py", "pkg/b.py"}
    assert listing.stats["pkg/b.py"].st_ino == os.lstat(root / "pkg/b.py").st_ino
    assert listing.stats["pkg/b.py"].st_size == 2


def test_an_unreadable_folder_is_one_error(tmp_path: Path, monkeypatch) -> None:
    root = write_tree(tmp_path / "r", {"a.py": "", "locked/b.py": ""})
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    paths, errors = walk.list_files(root)
    assert paths == ["a.py"]
    assert [(e.path, e.message) for e in errors] == [("locked", "skipped: unreadable")]
