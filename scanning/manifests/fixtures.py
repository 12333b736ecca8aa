"""Test fixtures: files a repository's tests read as data, not the repository's own project.

``tests/fixtures/project/requirements.txt`` or ``test/assets/pylock.toml`` describe sample
projects for a test to parse; their declarations are not the repository's, and imports in
sample code are not its requirements.
"""

from __future__ import annotations

import functools

_TEST_DIRS = frozenset({"tests", "test", "testing"})
# Below a tests directory, these hold data for the tests.
_FIXTURE_DIRS = frozenset(
    {
        "fixtures",
        "fixture",
        "assets",
        "data",
        "resources",
        "samples",
        "sample_projects",
        "projects",
        "testdata",
        "test_data",
        "test-data",
    }
)
# Anywhere in a path, these are test data by name.
_DATA_DIRS = frozenset({"testdata", "test_data", "test-data", "__fixtures__", "__testdata__"})


def is_test_fixture(path: str) -> bool:
    """Whether the repository-relative ``path`` lies in a folder of test data."""
    folder, slash, _ = path.rpartition("/")
    return bool(slash) and _is_fixture_folder(folder)


@functools.lru_cache(maxsize=65536)  # thousands of files share a few hundred folders
def _is_fixture_folder(folder: str) -> bool:
    folders = folder.lower().split("/")
    for position, folder in enumerate(folders):
        if folder in _DATA_DIRS:
            return True
        if folder in _TEST_DIRS and _FIXTURE_DIRS.intersection(folders[position + 1 :]):
            return True
    return False
