"""Bring a repository onto local disk: a shallow clone, or a local path an admin allowed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from inventory import locations


class CheckoutError(Exception):
    """The repository could not be read; the message is safe to show (credentials redacted)."""


@dataclass(frozen=True)
class Checkout:
    path: Path
    commit: str


def _git_env() -> dict[str, str]:
    # No user or system config, no prompts, only the transports we accept.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        "GIT_ALLOW_PROTOCOL": "https:ssh",
        "GIT_PROTOCOL_FROM_USER": "0",
        "LC_ALL": "C",
    }


_SAFE_OPTIONS = [
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "http.followRedirects=false",
    "-c",
    "core.symlinks=false",
    "-c",
    "submodule.recurse=false",
    "-c",
    "protocol.file.allow=never",
]


def _git(args: list[str], *, timeout: int, cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(
            ["git", *_SAFE_OPTIONS, *args],
            cwd=cwd,
            env=_git_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CheckoutError(f"git took longer than {timeout}s") from exc
    except OSError as exc:
        raise CheckoutError(f"git could not run: {exc}") from exc
    if result.returncode != 0:
        message = locations.redact(result.stderr.strip().splitlines()[-1] if result.stderr else "")
        raise CheckoutError(f"git {args[0]} failed: {message or 'exit ' + str(result.returncode)}")
    return result.stdout.strip()


def checkout(location: str, *, clone_dir: Path, branch: str = "", timeout: int = 300) -> Checkout:
    """A readable tree for ``location`` and the commit it is at ("" for a non-git local path)."""
    try:
        parsed = locations.parse_location(location)
    except ValidationError as exc:
        raise CheckoutError(f"Refused location: {' '.join(exc.messages)}") from exc
    if parsed.kind == locations.LOCAL:
        path = Path(parsed.value)
        if not path.is_dir():
            raise CheckoutError(f"{path} is not a directory")
        commit = ""
        if (path / ".git").exists():
            try:
                commit = _git(["-C", str(path), "rev-parse", "HEAD"], timeout=30)
            except CheckoutError:
                commit = ""
        return Checkout(path, commit)
    key = hashlib.sha256(parsed.value.encode()).hexdigest()[:24]
    target = clone_dir / key
    shutil.rmtree(target, ignore_errors=True)
    clone_dir.mkdir(parents=True, exist_ok=True)
    args = ["clone", "--depth", "1", "--no-tags", "--single-branch", "--no-recurse-submodules"]
    if branch:
        if branch.startswith("-") or not branch.isprintable():
            raise CheckoutError(f"Refused branch name {branch!r}")
        args += ["--branch", branch]
    _git([*args, "--", parsed.value, str(target)], timeout=timeout)
    commit = _git(["-C", str(target), "rev-parse", "HEAD"], timeout=30)
    return Checkout(target, commit)
