from __future__ import annotations

import base64
import os
import socket
import time
from pathlib import Path

import pytest

from scanning.git.checkout import CheckoutError, checkout
from tests.factories import git_repository

PUBLIC = "140.82.121.4"
_FAKE_GIT = """#!/bin/sh
log="{log}"
printf '%s\\n' "$@" > "$log.args"
env > "$log.env"
for last; do :; done
case "{mode}" in
  fail)
    echo "fatal: unable to access 'https://alice:s3cret@git.example.com/': token s3cret refused" >&2
    exit 128 ;;
  grow)
    mkdir -p "$last/.git"
    head -c 3000000 /dev/zero > "$last/.git/tmp_pack"
    sleep 60 ;;
  hang)
    sleep 300 &
    echo $! > "$log.child"
    sleep 300 ;;
esac
"""


@pytest.fixture(autouse=True)
def _local_allowed(settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = True


@pytest.fixture
def public_dns(monkeypatch):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def fake_git(tmp_path, monkeypatch):
    """Put a scripted ``git`` first on PATH; returns (install(mode), log prefix)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git-log"

    def install(mode: str) -> Path:
        script = bin_dir / "git"
        script.write_text(_FAKE_GIT.format(log=log, mode=mode))
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
        return log

    return install


def _git_config(env_text: str) -> dict[str, str]:
    env = dict(line.split("=", 1) for line in env_text.splitlines() if "=" in line)
    count = int(env.get("GIT_CONFIG_COUNT", "0"))
    return {env[f"GIT_CONFIG_KEY_{n}"]: env[f"GIT_CONFIG_VALUE_{n}"] for n in range(count)}


def test_local_git_repository_reports_its_commit(tmp_path):
    repo = git_repository(tmp_path / "r", {"a.py": "import os\n"})
    local = checkout(str(repo), clone_dir=tmp_path / "clones")
    assert local.path == repo
    assert len(local.commit) == 40


def test_file_transport_is_refused_before_git_runs(tmp_path):
    with pytest.raises(CheckoutError, match="Refused location"):
        checkout("file:///etc", clone_dir=tmp_path / "clones")


@pytest.mark.parametrize(
    "location",
    ["--upload-pack=touch /tmp/pwned", "ext::sh -c touch% /tmp/pwned", "git://host/repo", "-u x"],
)
def test_dangerous_locations_are_refused(tmp_path, location):
    with pytest.raises(CheckoutError):
        checkout(location, clone_dir=tmp_path / "clones")


def test_option_looking_branch_is_refused(tmp_path, public_dns):
    with pytest.raises(CheckoutError, match="branch"):
        checkout("https://git.example.com/o/r", clone_dir=tmp_path, branch="--upload-pack=x")


def test_private_host_is_refused_before_git_runs(tmp_path, fake_git, monkeypatch):
    log = fake_git("fail")
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))],
    )
    with pytest.raises(CheckoutError, match="loopback") as excinfo:
        checkout("https://bob:s3cret@localtest.me/o/r.git", clone_dir=tmp_path / "clones")
    assert "s3cret" not in str(excinfo.value)
    assert not Path(f"{log}.args").exists()


def test_git_gets_no_secret_in_argv_and_a_pinned_address(tmp_path, fake_git, public_dns):
    log = fake_git("fail")
    with pytest.raises(CheckoutError) as excinfo:
        checkout("https://alice:s3cret@git.example.com/org/r.git", clone_dir=tmp_path / "c")
    assert "s3cret" not in str(excinfo.value)
    args = Path(f"{log}.args").read_text().splitlines()
    assert "s3cret" not in " ".join(args)
    assert args[-3:-1] == ["--", "https://git.example.com/org/r.git"]
    for option in (
        "protocol.allow=never",
        "protocol.https.allow=always",
        "protocol.ssh.allow=always",
        "core.fsmonitor=false",
        "core.hooksPath=/dev/null",
        "http.followRedirects=false",
    ):
        assert option in args
    assert "--no-recurse-submodules" in args
    config = _git_config(Path(f"{log}.env").read_text())
    expected = base64.b64encode(b"alice:s3cret").decode()
    assert config["http.extraHeader"] == f"Authorization: Basic {expected}"
    assert config["http.curloptResolve"] == f"git.example.com:443:{PUBLIC}"


def test_ssh_connects_to_the_checked_address(tmp_path, fake_git, public_dns):
    log = fake_git("fail")
    with pytest.raises(CheckoutError):
        checkout("git@github.com:org/r.git", clone_dir=tmp_path / "c")
    args = Path(f"{log}.args").read_text().splitlines()
    ssh = next(a for a in args if a.startswith("core.sshCommand="))
    assert f"HostName={PUBLIC}" in ssh
    assert "HostKeyAlias=github.com" in ssh
    assert (
        "GIT_SSH_COMMAND=" + ssh.removeprefix("core.sshCommand=")
        in Path(f"{log}.env").read_text().splitlines()
    )


def test_oversized_clone_is_killed_and_removed(tmp_path, fake_git, public_dns, settings):
    settings.DEBTBOARD_MAX_CLONE_MB = 1
    fake_git("grow")
    clones = tmp_path / "clones"
    with pytest.raises(CheckoutError, match="larger than 1 MB"):
        checkout("https://git.example.com/org/r.git", clone_dir=clones, timeout=120)
    assert list(clones.iterdir()) == []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_timeout_kills_git_and_everything_it_started(tmp_path, fake_git, public_dns):
    log = fake_git("hang")
    with pytest.raises(CheckoutError, match="longer than 1s"):
        checkout("https://git.example.com/org/r.git", clone_dir=tmp_path / "c", timeout=1)
    child = int(Path(f"{log}.child").read_text())
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def test_unreachable_host_fails_with_redacted_credentials(tmp_path, settings):
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True  # let the real git try 127.0.0.1:9
    with pytest.raises(CheckoutError, match="git clone failed") as excinfo:
        checkout(
            "https://alice:s3cret@127.0.0.1:9/org/repo.git",
            clone_dir=tmp_path / "clones",
            timeout=20,
        )
    assert "s3cret" not in str(excinfo.value)


def test_local_paths_refused_unless_allowed(tmp_path, settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    with pytest.raises(CheckoutError, match="not allowed"):
        checkout(str(tmp_path), clone_dir=tmp_path / "clones")
