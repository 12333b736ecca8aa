from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from inventory.locations import (
    HTTPS,
    LOCAL,
    SSH,
    Credentials,
    Location,
    check_host,
    parse_location,
    redact,
    split_credentials,
    validate_location,
)


@pytest.fixture
def resolves_to(monkeypatch):
    """Make every host name resolve to the given addresses (no real DNS in tests)."""

    def install(*addresses: str) -> list[tuple[str, int | None]]:
        asked: list[tuple[str, int | None]] = []

        def fake(host, port, *args, **kwargs):
            asked.append((host, port))
            family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (a, port or 0)) for a in addresses]

        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return asked

    return install


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("https://github.com/org/repo.git", "https"),
        ("https://alice:t0ken@git.example.com/org/repo.git", "https"),
        ("ssh://git@github.com/org/repo.git", "ssh"),
        ("ssh://git@github.com:2222/org/repo.git", "ssh"),
        ("git@github.com:org/repo.git", SSH),
    ],
)
def test_accepted_forms(value, kind):
    assert parse_location(value, allow_local=False).kind == kind


@pytest.mark.parametrize(
    "value",
    [
        "",
        "--upload-pack=evil",
        "-oProxyCommand=evil",
        "-u evil",
        "-uevil",
        "ext::sh -c evil",
        "https::evil.example/repo",
        "fd::17",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.com/repo.git",
        "git://example.com/repo.git",
        "https://-evil.example/repo",
        "https://example.com/",
        "https://example.com/--upload-pack=evil",
        "https://example.com/org/-repo",
        "https://example.com:notaport/repo",
        "https://[::1]/repo",
        "ssh://-oProxyCommand=evil@host/repo",
        "ssh://user:password@host/repo",
        "ssh://host/~-evil",
        "git@-evil:repo",
        "git@host:-repo",
        "-x@host:repo",
        "git@host:org/-repo",
        "relative/path",
        "https://exa mple.com/repo",
        "https://example.com/repo\n--upload-pack=x",
        "https://example.com/re\x00po",
    ],
)
def test_refused_forms(value):
    with pytest.raises(ValidationError):
        parse_location(value, allow_local=True)


def test_local_path_only_when_allowed():
    assert parse_location("/srv/repos/app", allow_local=True).kind == LOCAL
    with pytest.raises(ValidationError, match="not allowed"):
        parse_location("/srv/repos/app", allow_local=False)
    with pytest.raises(ValidationError):
        parse_location("/srv/../etc", allow_local=True)


def test_redact_hides_userinfo_everywhere():
    text = "fatal: https://bob:tok3n@git.example/x and ssh://deploy@host/y"
    assert redact(text) == "fatal: https://***@git.example/x and ssh://***@host/y"


def test_split_credentials_separates_the_secret_from_the_url():
    url, credentials = split_credentials("https://alice:s%40cret@git.example.com:8443/org/r.git")
    assert url == "https://git.example.com:8443/org/r.git"
    assert credentials == Credentials("alice", "s@cret")
    assert "cret" not in repr(credentials)


def test_split_credentials_treats_a_lone_token_as_the_user_name():
    url, credentials = split_credentials("https://ghp_abc123@github.com/org/r.git")
    assert url == "https://github.com/org/r.git"
    assert credentials == Credentials("ghp_abc123", "")


@pytest.mark.parametrize(
    "value", ["https://github.com/org/r.git", "ssh://git@github.com/org/r.git", "git@h:o/r.git"]
)
def test_split_credentials_leaves_other_urls_alone(value):
    assert split_credentials(value) == (value, None)


def test_registration_validation_does_no_dns(monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("validate_location must not resolve hosts")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    validate_location("https://github.com/org/repo.git")
    validate_location("git@github.com:org/repo.git")


def test_configured_git_hosts_are_the_only_ones_accepted(settings):
    settings.DEBTBOARD_GIT_HOSTS = ["github.com", "git.example.com"]
    assert parse_location("git@GitHub.com:org/r.git").kind == SSH
    with pytest.raises(ValidationError, match="not one of"):
        parse_location("https://gitlab.com/org/r.git")


def test_public_host_passes_the_host_check(resolves_to):
    asked = resolves_to("140.82.121.4")
    location = parse_location("https://github.com/org/r.git")
    assert check_host(location) == ["140.82.121.4"]
    assert asked == [("github.com", None)]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address to refuse, not to bind)
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "non-public"),
        ("fd00::1", "private"),
    ],
)
def test_non_public_addresses_are_refused(resolves_to, address, reason):
    resolves_to(address)
    with pytest.raises(ValidationError, match=reason):
        check_host(Location(HTTPS, "https://metadata.example/r", "metadata.example"))


def test_one_private_address_among_public_ones_is_enough_to_refuse(resolves_to):
    resolves_to("140.82.121.4", "127.0.0.1")
    with pytest.raises(ValidationError, match="loopback"):
        check_host(Location(SSH, "git@rebind.example:r", "rebind.example"))


def test_admin_can_allow_private_hosts(resolves_to, settings):
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    resolves_to("10.0.0.5")
    assert check_host(Location(HTTPS, "https://git.internal/r", "git.internal")) == ["10.0.0.5"]


def test_unresolvable_host_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ValidationError, match="cannot be resolved"):
        check_host(Location(HTTPS, "https://nowhere.invalid/r", "nowhere.invalid"))


def test_local_paths_have_no_host_to_check():
    assert check_host(Location(LOCAL, "/srv/repo")) == []
