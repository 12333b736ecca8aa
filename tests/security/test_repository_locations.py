"""IPv6 literal hosts: accepted as hosts, still held to the private/loopback rules.

The remote-helper rule (``transport::address``) only looks before the first ``/`` of a value
that is not a URL, so ``https://[2001:db8::1]/x.git`` is a URL with an IPv6 host, not a helper.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from inventory.locations import HTTPS, SSH, parse_location
from scanning.git import checkout

PUBLIC_V6 = "2606:4700:4700::1111"
_RECORDING_GIT = """#!/bin/sh
printf '%s\\n' "$@" > "{log}.args"
env > "{log}.env"
echo "fatal: simulated" >&2
exit 128
"""


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("parse_location must not resolve hosts")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (f"https://[{PUBLIC_V6}]/org/repo.git", HTTPS),
        (f"https://[{PUBLIC_V6}]:8443/org/repo.git", HTTPS),
        (f"ssh://git@[{PUBLIC_V6}]/org/repo.git", SSH),
        ("git@git.example.com:org/a::b.git", SSH),  # "::" after the first "/" is a path
    ],
)
def test_ipv6_literals_and_later_double_colons_are_accepted(value, kind):
    location = parse_location(value, allow_local=False)
    assert location.kind == kind


def test_an_ipv6_literal_host_is_the_bare_address():
    location = parse_location(f"https://[{PUBLIC_V6}]:8443/org/repo.git", allow_local=False)
    assert (location.host, location.port) == (PUBLIC_V6, 8443)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("https://[::1]/repo.git", "loopback"),
        ("ssh://git@[::1]/repo.git", "loopback"),
        ("https://[fe80::1]/repo.git", "link-local"),
        ("https://[::ffff:127.0.0.1]/repo.git", "loopback"),
        ("https://[fd00::1]/repo.git", "private"),
        ("https://[2001:db8::1]/x.git", "private"),  # the documentation range
        ("https://[::]/repo.git", "unspecified"),
        ("https://127.0.0.1/repo.git", "loopback"),
        ("https://10.1.2.3/repo.git", "private"),
        ("https://169.254.169.254/repo.git", "link-local"),
    ],
)
def test_address_literals_that_are_not_public_are_refused_at_registration(value, reason):
    with pytest.raises(ValidationError, match=reason):
        parse_location(value, allow_local=False)


def test_an_admin_can_allow_private_address_literals(settings):
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    assert parse_location("https://[2001:db8::1]/x.git", allow_local=False).kind == HTTPS
    assert parse_location("https://[::1]/x.git", allow_local=False).kind == HTTPS


@pytest.mark.parametrize(
    "value",
    [
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "https::evil.example/repo",
        "git@host.example::org/repo",
        "ext::ssh/x",
        "https://[fe80::1%25eth0]/repo.git",  # zone ids name a local interface
        "https://[not:an:address]/repo.git",
        "https://[::1/repo.git",
    ],
)
def test_remote_helpers_and_broken_literals_are_still_refused(value, settings):
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    with pytest.raises(ValidationError):
        parse_location(value, allow_local=True)


def test_git_is_given_the_literal_url_and_no_pinning_for_an_ipv6_host(tmp_path, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        assert host == PUBLIC_V6
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (PUBLIC_V6, port or 0, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    log = tmp_path / "git-log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(_RECORDING_GIT.format(log=log))
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    url = f"https://[{PUBLIC_V6}]/org/repo.git"
    with pytest.raises(checkout.CheckoutError, match="simulated"):
        checkout.checkout(url, clone_dir=tmp_path / "clones")
    assert Path(f"{log}.args").read_text().splitlines()[-2] == url
    assert "curloptResolve" not in Path(f"{log}.env").read_text()


def test_checkout_refuses_a_loopback_ipv6_literal_before_git_runs(tmp_path):
    with pytest.raises(checkout.CheckoutError, match="loopback"):
        checkout.checkout("https://[::1]/org/repo.git", clone_dir=tmp_path / "clones")
