"""Bring a repository onto local disk: a shallow clone, or a local path an admin allowed.

git runs from an argument list (never a shell) with ``--`` before the URL, in its own process
group, with no user/system config, hooks, prompts, submodules, redirects or transports other
than https and ssh. The host is resolved and checked first and git is pinned to the checked
addresses, credentials travel in the environment (not argv, not ``.git/config``), and the clone
is killed when it runs out of time or grows past DEBTBOARD_MAX_CLONE_MB.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from inventory import locations
from scanning import limits

_POLL_SECONDS = 0.5


class CheckoutError(Exception):
    """The repository could not be read; the message is safe to show (credentials redacted)."""


@dataclass(frozen=True)
class Checkout:
    path: Path
    commit: str


def _ssh_command(host: str = "", address: str = "") -> str:
    words = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new"]
    if address:
        # Connect to the address we checked, but keep verifying the host key under its name.
        words += ["-o", f"HostName={address}", "-o", f"HostKeyAlias={host}"]
    return shlex.join(words)


def _git_env(config: dict[str, str], ssh_command: str) -> dict[str, str]:
    # No user or system config, no prompts, only the transports we accept.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_SSH_COMMAND": ssh_command,
        "GIT_ALLOW_PROTOCOL": "https:ssh",
        "GIT_PROTOCOL_FROM_USER": "0",
        "LC_ALL": "C",
    }
    # Config given this way has command-line precedence and, unlike -c, is not visible in ps.
    env["GIT_CONFIG_COUNT"] = str(len(config))
    for number, (key, value) in enumerate(config.items()):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    return env


def _safe_options(ssh_command: str) -> list[str]:
    pairs = [
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "core.symlinks=false",
        f"core.sshCommand={ssh_command}",
        "credential.helper=",
        "http.followRedirects=false",
        "submodule.recurse=false",
        "protocol.allow=never",
        "protocol.https.allow=always",
        "protocol.ssh.allow=always",
        "protocol.file.allow=never",
    ]
    return [word for pair in pairs for word in ("-c", pair)]


def _tree_bytes(path: Path) -> int:
    """Bytes of the regular files below ``path`` (links not followed); 0 when it is gone."""
    total = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass(frozen=True)
class _Run:
    """How to run git for one location: extra config, ssh command and the secret to hide."""

    config: dict[str, str]
    ssh_command: str
    secret: str = ""

    def clean(self, text: str) -> str:
        text = locations.redact(text)
        return text.replace(self.secret, "***") if self.secret else text


_PLAIN = _Run({}, _ssh_command())


def _git(
    args: list[str],
    *,
    timeout: float,
    run: _Run = _PLAIN,
    watch: Path | None = None,
    max_bytes: int = 0,
) -> str:
    """Run git; kill its whole process group on timeout or when ``watch`` outgrows max_bytes."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(
                ["git", *_safe_options(run.ssh_command), *args],
                env=_git_env(run.config, run.ssh_command),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as exc:
            raise CheckoutError(f"git could not run: {exc.strerror}") from exc
        problem = _supervise(process, timeout=timeout, watch=watch, max_bytes=max_bytes)
        if problem:
            raise CheckoutError(problem)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        lines = stderr.strip().splitlines()
        message = run.clean(lines[-1][:500] if lines else "")
        raise CheckoutError(f"git {args[0]} failed: {message or f'exit {process.returncode}'}")
    return stdout.strip()


def _supervise(
    process: subprocess.Popen[bytes], *, timeout: float, watch: Path | None, max_bytes: int
) -> str:
    """Wait for git; the reason it was killed, or "" when it ended by itself within limits."""
    deadline = time.monotonic() + timeout
    problem = ""
    try:
        while True:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_POLL_SECONDS)
            too_big = watch is not None and max_bytes and _tree_bytes(watch) > max_bytes
            if too_big:
                problem = f"the repository is larger than {max_bytes // limits.MB} MB"
            elif process.returncode is None and time.monotonic() > deadline:
                problem = f"git took longer than {timeout:g}s"
            if problem or process.returncode is not None:
                return problem
    finally:
        # Whatever git started (remote helpers, ssh, index-pack) goes with it.
        _kill_group(process)
        process.wait()


def _prepare(location: locations.Location) -> tuple[str, _Run]:
    """The credential-free URL to give git and how to run it; checks the host first."""
    url, credentials = locations.split_credentials(location.value)
    try:
        addresses = locations.check_host(location)
    except ValidationError as exc:
        raise CheckoutError(f"Refused location: {' '.join(exc.messages)}") from exc
    config: dict[str, str] = {}
    secret = ""
    if location.kind == locations.HTTPS:
        port = location.port or 443
        pinned = ",".join(f"[{a}]" if ":" in a else a for a in addresses)
        config["http.curloptResolve"] = f"{location.host}:{port}:{pinned}"
        if credentials is not None:
            secret = credentials.password or credentials.username
            token = f"{credentials.username}:{credentials.password}".encode()
            config["http.extraHeader"] = "Authorization: Basic " + base64.b64encode(token).decode()
        return url, _Run(config, _ssh_command(), secret)
    return url, _Run(config, _ssh_command(location.host, addresses[0]), secret)


def checkout(location: str, *, clone_dir: Path, branch: str = "", timeout: int = 300) -> Checkout:
    """A readable tree for ``location`` and the commit it is at ("" for a non-git local path)."""
    try:
        parsed = locations.parse_location(location)
    except ValidationError as exc:
        raise CheckoutError(f"Refused location: {' '.join(exc.messages)}") from exc
    if parsed.kind == locations.LOCAL:
        return _local(Path(parsed.value))
    if branch and (branch.startswith("-") or not branch.isprintable() or " " in branch):
        raise CheckoutError(f"Refused branch name {branch[:100]!r}")
    url, run = _prepare(parsed)
    key = hashlib.sha256(url.encode()).hexdigest()[:24]
    target = clone_dir / key
    shutil.rmtree(target, ignore_errors=True)
    clone_dir.mkdir(parents=True, exist_ok=True)
    args = ["clone", "--depth", "1", "--no-tags", "--single-branch", "--no-recurse-submodules"]
    if branch:
        args += ["--branch", branch]
    try:
        _git(
            [*args, "--", url, str(target)],
            timeout=timeout,
            run=run,
            watch=target,
            max_bytes=limits.max_clone_bytes(),
        )
        commit = _git(["-C", str(target), "rev-parse", "HEAD"], timeout=30)
    except CheckoutError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return Checkout(target, commit)


def _local(path: Path) -> Checkout:
    if not path.is_dir():
        raise CheckoutError(f"{path} is not a directory")
    commit = ""
    if (path / ".git").exists():
        try:
            commit = _git(["-C", str(path), "rev-parse", "HEAD"], timeout=30)
        except CheckoutError:
            commit = ""
    return Checkout(path, commit)
