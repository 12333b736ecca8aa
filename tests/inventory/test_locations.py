from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from inventory.locations import LOCAL, SSH, parse_location, redact


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("https://github.com/org/repo.git", "https"),
        ("ssh://git@github.com/org/repo.git", "ssh"),
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
        "ext::sh -c evil",
        "file:///etc/passwd",
        "http://example.com/repo.git",
        "git://example.com/repo.git",
        "https://-evil.example/repo",
        "https://example.com/",
        "git@-evil:repo",
        "git@host:-repo",
        "relative/path",
        "https://exa mple.com/repo",
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
