"""Which repository locations Debtboard accepts, and how they are shown.

Accepted: ``https://host/path``, ``ssh://[user@]host[:port]/path``, scp-style
``user@host:path``, and absolute local paths when DEBTBOARD_ALLOW_LOCAL_REPOSITORIES is on.
In URLs the host may be an IPv6 literal (``https://[2001:db8::1]/x.git``); a host written as an
address must be public unless DEBTBOARD_ALLOW_PRIVATE_HOSTS is on.
Everything else (``file://``, ``ext::``, ``git://``, option-looking values …) is refused,
because git would happily run commands or read the server's disk for them.

``parse_location`` never touches the network (it runs when a repository is registered);
``check_host`` resolves the host and runs right before git does.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import SplitResult, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

HTTPS = "https"
SSH = "ssh"
LOCAL = "local"

_SCP_LIKE = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^\s]+)$")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_SSH_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Location:
    kind: str  # https, ssh or local
    value: str
    host: str = ""
    port: int | None = None


@dataclass(frozen=True)
class Credentials:
    """The user-info of an https URL, kept apart from the URL; never shown in a repr."""

    username: str = field(repr=False)
    password: str = field(repr=False)


def redact(text: str) -> str:
    """Hide credentials of every URL in ``text`` (``https://user:token@host`` -> ``https://***@host``)."""
    return _USERINFO.sub("***@", text)


# "scheme://userinfo@" up to the last "@" before a space: what a URL may carry as credentials.
# Not only up to the first "/": generated tokens and passwords hold "/", "?" and "#" (base64,
# AWS CodeCommit), and a location that holds them raw is exactly one that was refused.
_LEADING_USERINFO = re.compile(r"(?i)^(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>\S*)@")


def without_secrets(value: str) -> str:
    """``value`` safe to show again, whatever its scheme and even when it does not parse: no
    password, and no user name of an http(s) URL (tokens are often given as the user name).

    Everything up to the last "@" counts as user-info, so an "@" in a path takes what comes
    before it along: shown again, a location may lose more than its secret, never less.
    """
    match = _LEADING_USERINFO.match(value)
    if match is None:
        return value
    user = match["userinfo"].split(":", 1)[0]
    plain = user and not any(c in user for c in "/?#")  # an ssh user name, not a secret's part
    kept = user + "@" if plain and "http" not in match["scheme"].lower() else ""
    return match["scheme"] + kept + value[match.end() :]


# A URL anywhere in free text (a pasted list of locations, one a line, CSV columns after).
_ANY_URL = re.compile(r"(?i)(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://\S*")


def text_without_secrets(text: str) -> str:
    """``text`` with every URL in it shown as ``without_secrets`` shows one location."""
    return _ANY_URL.sub(lambda match: without_secrets(match[0]), text)


def split_credentials(value: str) -> tuple[str, Credentials | None]:
    """``https://user:token@host/x`` -> (``https://host/x``, Credentials("user", "token")).

    Only https URLs carry secrets; ssh user names (``git@``) are part of the address and stay.
    Percent-encoded user-info is decoded. A value without user-info comes back unchanged.
    """
    if not value.lower().startswith(f"{HTTPS}://"):
        return value, None
    try:
        parts = urlsplit(value)
    except ValueError:
        return value, None
    if "@" not in parts.netloc:
        return value, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    bare = parts._replace(netloc=hostport).geturl()
    return bare, Credentials(unquote(username), unquote(password))


def parse_location(value: str, *, allow_local: bool | None = None) -> Location:
    """Classify ``value`` or raise ValidationError saying why it is refused. No DNS."""
    if allow_local is None:
        allow_local = settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES
    value = (value or "").strip()
    if not value:
        raise ValidationError("Give a git URL or a local path.")
    if value.startswith("-") or not value.isprintable() or any(ch.isspace() for ch in value):
        raise ValidationError("A repository location may not start with '-' or contain spaces.")
    is_url = _URL.match(value) is not None
    # git reads "transport::address" as a remote helper; in a URL "::" can only be an IPv6 host.
    if not is_url and "::" in value.partition("/")[0]:
        raise ValidationError("git remote helpers ('transport::address') are not allowed.")
    if value.startswith("/"):
        if not allow_local:
            raise ValidationError("Local paths are not allowed on this server.")
        if ".." in PurePosixPath(value).parts:
            raise ValidationError("A local path may not contain '..'.")
        return Location(LOCAL, value)
    location = _parse_url(value) if is_url else _parse_scp(value, allow_local=allow_local)
    _check_allowed_host(location.host)
    _check_address_literal(location.host)
    return location


def _parse_url(value: str) -> Location:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. a bracketed host that is not an IPv6 address
        raise ValidationError("The URL needs a valid host name.") from None
    if parts.scheme not in (HTTPS, SSH):
        scheme = redact(parts.scheme)[:20]
        raise ValidationError(f"Only https:// and ssh:// URLs are accepted, not {scheme}://.")
    host = parts.hostname or ""
    if not (_HOST.match(host) or _is_ipv6_literal(parts.netloc, host)):
        raise ValidationError("The URL needs a valid host name.")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError("The URL has an invalid port.") from None
    _check_path(parts.path)
    if parts.scheme == HTTPS and "@" in parts.path:
        # An unencoded "/" in a password moves the rest of the user-info into the path, where
        # it would be stored and shown as part of the URL.
        raise ValidationError("Percent-encode '/' and '@' in credentials (%2F, %40).")
    if parts.scheme == SSH:
        _check_ssh_userinfo(parts)
    return Location(parts.scheme, value, host, port)


def _is_ipv6_literal(netloc: str, host: str) -> bool:
    """``[2001:db8::1]`` in the URL; zone ids (``%eth0``) are refused."""
    if f"[{host}]" not in netloc.lower() or "%" in host:
        return False
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


def _check_address_literal(host: str) -> None:
    """A host written as an IP address is checked now; names are checked when resolved."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS:
        return
    reason = _refusal(address)
    if reason:
        raise ValidationError(
            f"{host} is a {reason} address; an admin must allow private hosts for it."
        )


def _parse_scp(value: str, *, allow_local: bool) -> Location:
    match = _SCP_LIKE.match(value)
    if match and _HOST.match(match["host"]) and _SSH_USER.match(match["user"]):
        _check_path(match["path"])
        return Location(SSH, value, match["host"])
    raise ValidationError(
        "Use https://host/path, ssh://host/path, user@host:path"
        + (" or an absolute local path." if allow_local else ".")
    )


def _check_path(path: str) -> None:
    segments = [s for s in path.split("/") if s]
    if not segments:
        raise ValidationError("The URL needs a repository path.")
    # git passes the path on to upload-pack / ssh: nothing in it may look like an option.
    if any(s.startswith("-") or s.lstrip("~").startswith("-") for s in segments):
        raise ValidationError("A repository path may not contain parts starting with '-'.")


def _check_ssh_userinfo(parts: SplitResult) -> None:
    if parts.password is not None:
        raise ValidationError("ssh URLs may not carry a password; use a deploy key.")
    if parts.username is not None and not _SSH_USER.match(parts.username):
        raise ValidationError("The ssh user name is not valid.")


def _check_allowed_host(host: str) -> None:
    allowed = [h.lower() for h in settings.DEBTBOARD_GIT_HOSTS]
    if allowed and host.lower() not in allowed:
        raise ValidationError(f"{host} is not one of this server's git hosts.")


def validate_location(value: str) -> None:
    parse_location(value)


def validate_endpoint_host(host: str) -> None:
    """An object-storage endpoint's host: a name, or an address that must be public unless
    DEBTBOARD_ALLOW_PRIVATE_HOSTS is on (names are checked again when resolved)."""
    if not (_HOST.match(host) or _is_ipv6_literal(f"[{host}]", host)):
        raise ValidationError(f"{host!r} is not a host name.")
    _check_address_literal(host)


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why ``address`` is not a public internet address ("" when it is)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    for label, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return label
    return "" if address.is_global else "non-public"


def check_host(location: Location) -> list[str]:
    """Resolve the host of ``location``; the addresses, or ValidationError if any is not public.

    Every address must pass, so a name that resolves to both a public and a private address is
    refused. DEBTBOARD_ALLOW_PRIVATE_HOSTS turns the address check off (the name must still
    resolve); local paths have no host and pass.
    """
    if location.kind == LOCAL:
        return []
    try:
        infos = socket.getaddrinfo(location.host, location.port or None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise ValidationError(f"The host {location.host} cannot be resolved.") from None
    addresses = sorted({str(info[4][0]).partition("%")[0] for info in infos})
    if not addresses:
        raise ValidationError(f"The host {location.host} cannot be resolved.")
    if settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS:
        return addresses
    for text in addresses:
        reason = _refusal(ipaddress.ip_address(text))
        if reason:
            raise ValidationError(
                f"The host {location.host} resolves to a {reason} address ({text}); "
                "an admin must allow private hosts for it."
            )
    return addresses
