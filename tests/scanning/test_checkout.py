from __future__ import annotations

import pytest

from scanning.checkout import CheckoutError, checkout
from tests.factories import git_repository


@pytest.fixture(autouse=True)
def _local_allowed(settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = True


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


def test_unreachable_host_fails_with_redacted_credentials(tmp_path):
    with pytest.raises(CheckoutError) as excinfo:
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
