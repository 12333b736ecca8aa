"""Two scans of one repository at once: each clones into its own directory.

git itself is replaced by a function that writes a tree slowly (our protocol allowlist refuses
``file://``, so a real local clone is not possible); everything around it is the real code.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from inventory.models import Repository
from scanning.git import checkout

URL = "https://git.example.com/org/app.git"
FILES = 15


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("140.82.121.4", port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def slow_git(monkeypatch):
    """Replace ``_git``: a clone writes FILES files named by its thread, with a pause between."""
    together = threading.Barrier(2, timeout=10)
    state = {"together": None, "fail": False}

    def fake(args, *, timeout, run=None, watch=None, max_bytes=0):
        if args[0] == "clone":
            target = Path(args[-1])
            assert target.is_dir() and not any(target.iterdir())  # git accepts an empty folder
            (target / ".git").mkdir()
            if state["fail"]:
                raise checkout.CheckoutError("git clone failed: simulated")
            for number in range(FILES):
                (target / f"file{number}.txt").write_text(threading.current_thread().name)
                if number == 1 and state["together"]:
                    together.wait()  # both clones are half written now
                time.sleep(0.005)
            return ""
        assert args[2:] == ["rev-parse", "HEAD"]
        return threading.current_thread().name.ljust(40, "0")

    monkeypatch.setattr(checkout, "_git", fake)
    return state


def _tree(path: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in path.iterdir() if p.is_file()}


def test_two_clones_at_once_never_share_a_directory(tmp_path, slow_git):
    slow_git["together"] = True
    clones = tmp_path / "clones"
    seen: dict[str, dict[str, str]] = {}
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            with checkout.checkout(URL, clone_dir=clones) as local:
                seen[threading.current_thread().name] = _tree(local.path)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=scan, name=name) for name in ("scan-a", "scan-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert set(seen) == {"scan-a", "scan-b"}
    for name, tree in seen.items():
        assert tree == {f"file{n}.txt": name for n in range(FILES)}  # its own files, all of them

    current = checkout.cached_checkout_path(URL, clone_dir=clones)
    assert current is not None
    tree = _tree(current)
    assert len(tree) == FILES
    assert len(set(tree.values())) == 1  # one complete clone, not a mix
    assert [p.name for p in current.parent.iterdir()] == [current.name]  # the other one: gone


def test_a_clone_is_removed_after_its_scan_unless_it_is_current(tmp_path, slow_git):
    clones = tmp_path / "clones"
    first = checkout.checkout(URL, clone_dir=clones)
    second = checkout.checkout(URL, clone_dir=clones)
    assert first.path != second.path
    assert checkout.cached_checkout_path(URL, clone_dir=clones) == second.path
    first.cleanup()
    second.cleanup()
    assert not first.path.exists()  # replaced while it was being read: gone after the scan
    assert second.path.is_dir()  # the newest stays for reports
    assert checkout.cached_checkout_path(URL, clone_dir=clones) == second.path


def test_dropping_a_checkout_cleans_up_like_a_temporary_directory(tmp_path, slow_git):
    clones = tmp_path / "clones"
    first = checkout.checkout(URL, clone_dir=clones).path  # dropped at once, but current: kept
    assert first.is_dir()
    second = checkout.checkout(URL, clone_dir=clones)
    second_path = second.path
    del second  # unlocks its clone and tidies the location, as cleanup() would
    assert not first.exists()
    assert second_path.is_dir()


def test_a_failed_clone_leaves_the_current_one_alone(tmp_path, slow_git):
    clones = tmp_path / "clones"
    good = checkout.checkout(URL, clone_dir=clones)
    slow_git["fail"] = True
    with pytest.raises(checkout.CheckoutError):
        checkout.checkout(URL, clone_dir=clones)
    assert checkout.cached_checkout_path(URL, clone_dir=clones) == good.path
    assert [p.name for p in good.path.parent.iterdir()] == [good.path.name]


def test_leftovers_are_pruned_unless_a_scan_holds_them(tmp_path, slow_git):
    clones = tmp_path / "clones"
    current = checkout.checkout(URL, clone_dir=clones)
    current.cleanup()  # current: kept
    home = current.path.parent
    killed, busy = home / "killed-worker", home / "other-worker-cloning"
    for leftover in (killed, busy):
        (leftover / ".git").mkdir(parents=True)
    (home / ".stale.link").symlink_to("killed-worker")
    # Another process's shared lock (a separate open file description, as in another worker).
    busy_lock = os.open(busy, os.O_RDONLY)
    fcntl.flock(busy_lock, fcntl.LOCK_SH)
    try:
        newer = checkout.checkout(URL, clone_dir=clones)
        assert not killed.exists()  # its worker died: no lock, not current
        assert not (home / ".stale.link").is_symlink()
        assert busy.is_dir()
        assert current.path.is_dir()  # was current when this clone began, and not yet replaced
        newer.cleanup()
        assert not current.path.exists()  # replaced and unlocked: gone at the next tidy
    finally:
        os.close(busy_lock)
    checkout.checkout(URL, clone_dir=clones).cleanup()
    assert not busy.exists()


def test_cached_checkout_path_without_a_clone_or_for_a_refused_location(tmp_path):
    assert checkout.cached_checkout_path(URL, clone_dir=tmp_path) is None
    assert checkout.cached_checkout_path("ext::sh -c x", clone_dir=tmp_path) is None
    assert checkout.cached_checkout_path(str(tmp_path), clone_dir=tmp_path / "c") == tmp_path


def test_credentials_never_reach_the_clone_folder_name(tmp_path):
    with_credentials = "https://alice:s3cret@git.example.com/org/app.git"
    assert checkout.location_key(with_credentials) == checkout.location_key(URL)


def test_the_location_folder_of_old_points_at_the_current_clone(tmp_path, slow_git):
    clones = tmp_path / "clones"
    old_style = clones / checkout.location_key(URL)
    (old_style / ".git").mkdir(parents=True)  # a clone made before clones had their own folders
    (old_style / "requirements.txt").write_text("stale\n")
    with checkout.checkout(URL, clone_dir=clones) as local:
        assert old_style.is_symlink()
        assert old_style.resolve() == local.path.resolve()
        assert (old_style / "file0.txt").is_file()
    assert checkout.cached_checkout_path(URL, clone_dir=clones) == local.path
    checkout.checkout(URL, clone_dir=clones).cleanup()
    assert sorted(p.name for p in clones.iterdir()) == sorted(
        [old_style.name, local.path.parent.name]
    )
    assert "stale\n" not in {p.read_text() for p in clones.rglob("*.txt")}


def test_the_cleanup_report_reads_the_current_clone(tmp_path, slow_git, settings, team):
    from decisions.reports import sources

    settings.DEBTBOARD_CLONE_DIR = str(tmp_path / "clones")
    repository = Repository.objects.create(team=team, name="app", location=URL)
    checkout.checkout(URL, clone_dir=Path(settings.DEBTBOARD_CLONE_DIR)).cleanup()
    found = sources.current_file(repository, "file0.txt")
    assert found is not None and found.text == "MainThread"
