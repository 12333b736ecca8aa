"""Which repository locations Debtboard accepts, and how they are shown.

Accepted: ``https://host/path``, ``ssh://[user@]host[:port]/path``, scp-style
``user@host:path``, and absolute local paths when DEBTBOARD_ALLOW_LOCAL_REPOSITORIES is on.
Everything else (``file://``, ``ext::``, ``git://``, option-looking values …) is refused,
because git would happily run commands or read the server's disk for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

HTTPS = "https"
SSH = "ssh"
LOCAL = "local"

_SCP_LIKE = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^\s]+)$")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True)
class Location:
    kind: str  # https, ssh or local
    value: str


def redact(text: str) -> str:
    """Hide credentials of every URL in ``text`` (``https://user:token@host`` -> ``https://***@host``)."""
    return _USERINFO.sub("***@", text)


def parse_location(value: str, *, allow_local: bool | None = None) -> Location:
    """Classify ``value`` or raise ValidationError saying why it is refused."""
    if allow_local is None:
        allow_local = settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES
    value = (value or "").strip()
    if not value:
        raise ValidationError("Give a git URL or a local path.")
    if value.startswith("-") or any(ch in value for ch in "\x00\n\r\t "):
        raise ValidationError("A repository location may not start with '-' or contain spaces.")
    if "::" in value:
        raise ValidationError("git remote helpers ('transport::address') are not allowed.")
    if value.startswith("/"):
        if not allow_local:
            raise ValidationError("Local paths are not allowed on this server.")
        if ".." in PurePosixPath(value).parts:
            raise ValidationError("A local path may not contain '..'.")
        return Location(LOCAL, value)
    if "://" in value:
        parts = urlsplit(value)
        if parts.scheme not in (HTTPS, SSH):
            raise ValidationError(
                f"Only https:// and ssh:// URLs are accepted, not {parts.scheme}://."
            )
        host = parts.hostname or ""
        if not _HOST.match(host):
            raise ValidationError("The URL needs a valid host name.")
        if not parts.path.strip("/"):
            raise ValidationError("The URL needs a repository path.")
        return Location(parts.scheme, value)
    match = _SCP_LIKE.match(value)
    if match and _HOST.match(match["host"]) and not match["path"].startswith("-"):
        return Location(SSH, value)
    raise ValidationError(
        "Use https://host/path, ssh://host/path, user@host:path"
        + (" or an absolute local path." if allow_local else ".")
    )


def validate_location(value: str) -> None:
    parse_location(value)
