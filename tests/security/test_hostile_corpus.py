"""A scan of a repository full of hostile files finishes, lists every problem, reads the rest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from scanning import manifests
from scanning.engine import pipeline
from scanning.rules.unread import NEEDS_EVERY_MANIFEST, unread_of
from scanning.types import TreeScan
from tests.security import corpus


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("outside")


@pytest.fixture(scope="module")
def tree(tmp_path_factory, outside: Path) -> Iterator[TreeScan]:
    root = corpus.build(tmp_path_factory.mktemp("hostile") / "repo", outside / "dir")
    # ${VAR} references must never be expanded: point them somewhere that would show.
    saved = {key: os.environ.get(key) for key in ("REQS_DIR", "HTTPX_VERSION")}
    os.environ.update(REQS_DIR=str(outside / "dir"), HTTPX_VERSION="0.27.0")
    try:
        with override_settings(DEBTBOARD_MAX_FILES=corpus.FILE_CAP):
            yield pipeline.scan_tree(root)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _messages(tree: TreeScan, path: str) -> list[str]:
    return [e.message for e in tree.errors if e.path == path or e.path.startswith(path + "/")]


@pytest.mark.parametrize(("path", "fragment"), sorted(corpus.HOSTILE.items()))
def test_every_hostile_file_is_listed_as_an_error(tree: TreeScan, path: str, fragment: str):
    if path.endswith("/"):
        messages = [e.message for e in tree.errors if e.path.startswith(path)]
        assert len(messages) == 1  # one error for the whole overflow, not thousands
    else:
        messages = _messages(tree, path)
    assert any(fragment in message for message in messages), (path, messages)


@pytest.mark.parametrize(("line", "fragment"), corpus.REQUIREMENT_LINE_ERRORS)
def test_every_bad_requirement_line_is_listed_with_its_line(tree: TreeScan, line, fragment):
    messages = [e.message for e in tree.errors if e.path == "requirements.txt" and e.line == line]
    assert any(fragment in message for message in messages), (line, messages)


def test_good_files_are_still_read(tree: TreeScan):
    assert {d.name for d in tree.declarations} >= corpus.GOOD_REQUIREMENTS
    assert {u.name for u in tree.usages} >= corpus.GOOD_IMPORTS
    # the compose file under the alias bomb still yields its command
    assert "gunicorn" in {u.name for u in tree.usages if u.path == "docker-compose.yml"}


def test_include_cycle_reads_each_file_once(tree: TreeScan):
    paths = [m.path for m in tree.manifests]
    assert paths.count("cycle-a.txt") == 1
    assert paths.count("cycle-b.txt") == 1


def test_nothing_outside_the_repository_is_read(tree: TreeScan):
    assert all(not Path(m.path).is_absolute() and ".." not in m.path for m in tree.manifests)
    assert "stolen-secret-package" not in {d.name for d in tree.declarations}
    assert all("root:" not in e.message for e in tree.errors)  # /etc/passwd content
    assert not any(m.path.startswith("outside-dir") for m in tree.manifests)


def test_file_url_requirement_is_recorded_not_fetched(tree: TreeScan):
    (declaration,) = [d for d in tree.declarations if d.name == "pkg-from-file"]
    assert declaration.url == "file:///etc/passwd"


def test_variables_are_recorded_never_expanded(tree: TreeScan):
    texts = [e.message for e in tree.errors] + [d.raw for d in tree.declarations]
    assert any("${REQS_DIR}" in text for text in texts)
    assert not any("0.27.0" in text for text in texts)


def test_files_over_the_cap_are_not_listed(tree: TreeScan):
    assert tree.files_seen == corpus.FILE_CAP


@pytest.mark.parametrize("path", sorted(set(corpus.HOSTILE) - corpus.PARTLY_READ))
def test_every_hostile_file_counts_as_not_read(tree: TreeScan, path: str):
    unread = unread_of(tree)
    if path.endswith("/"):
        assert unread.listing_cut is not None and unread.listing_cut[0].startswith(path)
    else:
        assert path in unread.files, path
    if manifests.manifest_kind(path) or path.endswith("/"):
        assert unread.manifest_problem() is not None


def test_a_bad_line_leaves_the_rest_of_its_file_read(tree: TreeScan):
    assert not {"requirements.txt", *corpus.PARTLY_READ} & set(unread_of(tree).files)


def test_no_missing_package_is_claimed_while_a_manifest_could_not_be_read(tree: TreeScan):
    # requirements-huge.txt might declare what the code imports.
    assert not [f for f in tree.findings if f.kind in NEEDS_EVERY_MANIFEST]
