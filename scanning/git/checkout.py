"""Bring a repository onto local disk: a shallow clone, or a local path an admin allowed.

git runs through ``scanning.git.runner`` (an argument list, never a shell, its own process
group, a clean environment, no config of the repository that runs programs) with ``--`` before
the URL, and a clone may use no redirects and no transports other than https and ssh. The host
is resolved and checked first and git is pinned to the checked addresses, credentials travel in
the environment (not argv, not ``.git/config``), and the clone is killed when it runs out of
time or grows past DEBTBOARD_MAX_CLONE_MB.

Layout: every clone gets its own folder, ``<clone_dir>/<key>.clones/<random>``, so two scans of
one repository never write into each other's tree. The newest successful clone is also
``<clone_dir>/<key>``, a symlink swapped by an atomic rename (the path readers used before clones
had folders of their own); ``cached_checkout_path`` finds it for readers that must not fetch
(reports). While a scan clones and reads, it holds a shared ``flock`` on its folder; a folder that
is neither current nor locked is a leftover (a scan that ended, or a worker that was killed: the
kernel drops its lock) and is removed by the next checkout or cleanup of that location.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import ipaddress
import logging
import os
import shlex
import shutil
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from inventory import locations
from scanning.git import runner as gitrunner

logger = logging.getLogger(__name__)
MB = 1024 * 1024  # as scanning.engine.limits: git/ stands below the engine, which runs git too


def max_clone_bytes() -> int:
    """Size of a clone (``.git`` plus working tree) above which git is killed."""
    return int(settings.DEBTBOARD_MAX_CLONE_MB) * MB


class CheckoutError(Exception):
    """The repository could not be read; the message is safe to show (credentials redacted)."""


_CLONES = ".clones"
_TRY_EXCLUSIVE = fcntl.LOCK_EX | fcntl.LOCK_NB


class Checkout:
    """A tree to read and the commit it is at ("" for a non-git local path).

    A clone is this scan's own copy: call ``cleanup()`` (or use ``with``) when done reading. As
    with ``tempfile.TemporaryDirectory``, dropping the object also cleans up, so keep it (not
    only ``path``) while reading. Cleanup keeps the clone when it is still ``current``.
    """

    def __init__(self, path: Path, commit: str, *, lock: int | None = None) -> None:
        self.path = path
        self.commit = commit
        # ``lock``: a descriptor of the clone folder holding a shared lock while it is read.
        self._finalizer = None if lock is None else weakref.finalize(self, _release, path, lock)

    def __repr__(self) -> str:
        return f"Checkout(path={str(self.path)!r}, commit={self.commit!r})"

    def __enter__(self) -> Checkout:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        if self._finalizer is not None:
            self._finalizer()


def _ssh_command(host: str = "", address: str = "") -> str:
    words = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new"]
    if address:
        # Connect to the address we checked, but keep verifying the host key under its name.
        words += ["-o", f"HostName={address}", "-o", f"HostKeyAlias={host}"]
    return shlex.join(words)


def _git_env(config: dict[str, str], ssh_command: str) -> dict[str, str]:
    """What a clone adds to the runner's clean environment: ssh, transports, its config."""
    env = {"GIT_SSH_COMMAND": ssh_command, "GIT_ALLOW_PROTOCOL": "https:ssh"}
    # Config given this way has command-line precedence and, unlike -c, is not visible in ps.
    env["GIT_CONFIG_COUNT"] = str(len(config))
    for number, (key, value) in enumerate(config.items()):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    return env


def _network_options(ssh_command: str) -> list[str]:
    """What a clone may do beyond the runner's neutral config: https and ssh, nothing else."""
    return gitrunner.config_options(
        [
            "core.symlinks=false",
            f"core.sshCommand={ssh_command}",
            "http.followRedirects=false",
            "protocol.https.allow=always",
            "protocol.ssh.allow=always",
            "protocol.file.allow=never",
        ]
    )


# Shorter user names are not hidden in git's messages: "git" would hide every mention of git.
_MIN_HIDDEN_USERNAME = 4


@dataclass(frozen=True)
class _Run:
    """How to run git for one location: extra config, ssh command and the secrets to hide."""

    config: dict[str, str] = field(repr=False)
    ssh_command: str
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def clean(self, text: str) -> str:
        text = locations.redact(text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


_PLAIN = _Run({}, _ssh_command())


def _git(
    args: list[str],
    *,
    timeout: float,
    run: _Run | None = None,
    watch: Path | None = None,
    max_bytes: int = 0,
) -> str:
    """Run git through the hardened runner; ``run`` (a clone's network settings) or, without
    it, a local read that may use no transport at all."""
    try:
        result = gitrunner.run_git(
            args,
            timeout=timeout,
            options=_network_options(run.ssh_command) if run is not None else (),
            env=_git_env(run.config, run.ssh_command) if run is not None else None,
            watch=watch,
            max_bytes=max_bytes,
        )
    except gitrunner.GitFailed as exc:
        # Not chained: git's own words may hold a secret, which a logged traceback would show.
        if exc.returncode is None:
            raise CheckoutError(str(exc)) from None
        message = (run or _PLAIN).clean(str(exc))
        raise CheckoutError(f"git {args[0]} failed: {message}") from None
    return result.stdout.decode("utf-8", "replace").strip()


def _prepare(
    location: locations.Location, credentials: locations.Credentials | None
) -> tuple[str, _Run]:
    """The credential-free URL to give git and how to run it; checks the host first."""
    url, in_url = locations.split_credentials(location.value)
    credentials = credentials or in_url
    try:
        addresses = locations.check_host(location)
    except ValidationError as exc:
        raise CheckoutError(f"Refused location: {' '.join(exc.messages)}") from exc
    if location.kind != locations.HTTPS:
        return url, _Run({}, _ssh_command(location.host, addresses[0]))
    config: dict[str, str] = {}
    secrets: tuple[str, ...] = ()
    if not _is_address(location.host):  # an address literal has nothing to resolve or pin
        port = location.port or 443
        pinned = ",".join(f"[{a}]" if ":" in a else a for a in addresses)
        config["http.curloptResolve"] = f"{location.host}:{port}:{pinned}"
    if credentials is not None:
        username, password = credentials.username, credentials.password
        secrets = tuple(s for s in (password, username) if s)
        if password and len(username) < _MIN_HIDDEN_USERNAME:
            secrets = (password,)
        token = f"{username}:{password}".encode()
        config["http.extraHeader"] = "Authorization: Basic " + base64.b64encode(token).decode()
    return url, _Run(config, _ssh_command(), secrets)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def location_key(url: str) -> str:
    """The folder of ``url``'s clones below the clone directory (credentials never in it)."""
    bare, _ = locations.split_credentials(url)
    return hashlib.sha256(bare.encode()).hexdigest()[:24]


def checkout(
    location: str,
    *,
    clone_dir: Path,
    branch: str = "",
    timeout: int = 300,
    credentials: locations.Credentials | None = None,
) -> Checkout:
    """A readable tree for ``location`` and the commit it is at ("" for a non-git local path).

    ``credentials`` (an https location's stored user name and secret) reach git only through
    its environment. A clone goes to a folder of its own; see ``Checkout`` for cleanup.
    """
    try:
        parsed = locations.parse_location(location)
    except ValidationError as exc:
        raise CheckoutError(f"Refused location: {' '.join(exc.messages)}") from exc
    if parsed.kind == locations.LOCAL:
        return _local(Path(parsed.value))
    if branch and (branch.startswith("-") or not branch.isprintable() or " " in branch):
        raise CheckoutError(f"Refused branch name {branch[:100]!r}")
    url, run = _prepare(parsed, credentials)
    home = clone_dir / f"{location_key(url)}{_CLONES}"
    _prune(home)
    with _locked(home):
        target = home / uuid.uuid4().hex
        target.mkdir()
        lock = _lock_folder(target, fcntl.LOCK_SH)
    args = ["clone", "--depth", "1", "--no-tags", "--single-branch", "--no-recurse-submodules"]
    if branch:
        args += ["--branch", branch]
    try:
        _git(
            [*args, "--", url, str(target)],
            timeout=timeout,
            run=run,
            watch=target,
            max_bytes=max_clone_bytes(),
        )
        commit = _git(["-C", str(target), "rev-parse", "HEAD"], timeout=30)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        os.close(lock)
        with contextlib.suppress(OSError, CheckoutError), _locked(home):
            os.rmdir(home)  # only when empty; a rival waiting for the lock makes it again
        raise
    _publish(target)
    return Checkout(target, commit, lock=lock)


def cached_checkout_path(location: str, *, clone_dir: Path | None = None) -> Path | None:
    """Where the files of ``location`` already are on this machine, without fetching anything.

    The local path itself, or the newest successful clone; None when there is none (or the
    location is refused). A newer clone may replace it at any time: read it as a snapshot that
    can vanish (OSError), and never write to it.
    """
    try:
        parsed = locations.parse_location(location)
    except ValidationError:
        return None
    if parsed.kind == locations.LOCAL:
        path = Path(parsed.value)
        return path if path.is_dir() else None
    clone_dir = Path(clone_dir or settings.DEBTBOARD_CLONE_DIR)
    home = clone_dir / f"{location_key(parsed.value)}{_CLONES}"
    name = _current_name(home)
    if not name:
        return None
    path = home / name
    return path if path.is_dir() else None


def _current_link(home: Path) -> Path:
    return home.with_name(home.name.removesuffix(_CLONES))


def _current_name(home: Path) -> str:
    """The folder of ``home`` that the current link points to ("" when there is none)."""
    try:
        target = os.readlink(_current_link(home))
    except OSError:
        return ""
    folder, _, name = target.partition("/")
    # Only what _publish writes counts; anything else is not ours to follow.
    ok = folder == home.name and "/" not in name and name not in ("", ".", "..")
    return name if ok else ""


def _lock_folder(path: Path, operation: int) -> int:
    """An open descriptor of ``path`` holding the ``flock`` ``operation``; raises OSError."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, operation)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Hold the location folder's exclusive lock (making the folder if need be).

    Taken while a clone folder is made and locked, while ``current`` is swapped and while
    leftovers are picked, so a clone that is just being started is never taken for a leftover.
    """
    for _ in range(5):
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = _lock_folder(home, fcntl.LOCK_EX)
        except FileNotFoundError:
            continue
        if os.fstat(fd).st_nlink:
            break
        os.close(fd)  # removed (empty) while we waited for the lock: make it again
    else:
        raise CheckoutError("the clone folder could not be created")
    try:
        yield
    finally:
        os.close(fd)


def _publish(target: Path) -> None:
    """Make ``target`` the location's current clone: one rename, so readers never see half."""
    home = target.parent
    current = _current_link(home)
    link = home / f".{target.name}.link"
    with _locked(home):
        try:
            if current.is_dir() and not current.is_symlink():
                # A clone made before clones had folders of their own: a leftover now.
                os.rename(current, home / f"old-{uuid.uuid4().hex}")
            os.symlink(f"{home.name}/{target.name}", link)
            os.replace(link, current)
        except OSError:
            with contextlib.suppress(OSError):
                link.unlink()


def _release(path: Path, lock: int) -> None:
    """End a scan's use of its clone: removed unless it is current; then tidy the location."""
    try:
        if _current_name(path.parent) != path.name:
            shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(lock)
    _prune(path.parent)


def _prune(home: Path) -> None:
    """Remove leftovers of ended or killed scans: entries that are neither current nor locked."""
    if not home.is_dir():
        return
    leftovers: list[tuple[str, int | None]] = []
    with contextlib.suppress(OSError, CheckoutError), _locked(home):
        keep = {_current_name(home)}
        for entry in os.scandir(home):
            if entry.name in keep:
                continue
            if not entry.is_dir(follow_symlinks=False):
                leftovers.append((entry.path, None))
                continue
            with contextlib.suppress(OSError):  # BlockingIOError: a scan is using it
                leftovers.append((entry.path, _lock_folder(Path(entry.path), _TRY_EXCLUSIVE)))
    for path, lock in leftovers:
        # Our exclusive lock is held while it goes: no scan can be using it.
        if lock is None:
            with contextlib.suppress(OSError):
                os.unlink(path)
            continue
        shutil.rmtree(path, ignore_errors=True)
        os.close(lock)


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
