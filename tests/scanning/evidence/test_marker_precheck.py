"""Test files that cannot name a pytest marker are read for their functions alone."""

from __future__ import annotations

import ast
import textwrap

import pytest

from scanning.evidence import pytest_plugins

TESTS = textwrap.dedent(
    """
    import pytest

    @pytest.fixture
    def client(db, settings):
        return make(db)

    class TestViews:
        def test_list(self, client, mocker, httpx_mock):
            assert client.get("/")

    async def test_async(anyio_backend, freezer):
        try:
            def helper(tmp_path): pass
        except Exception:
            pass
    """
)
MARKED = TESTS + "\n@pytest.mark.django_db\ndef test_db(admin_client): ...\n"


def test_a_marker_needs_its_name_and_mark_in_an_ascii_text():
    assert not pytest_plugins.may_use_markers(TESTS)  # "mark" nowhere
    assert pytest_plugins.may_use_markers(MARKED)
    # mark, and no marker's name anywhere (the check is by substring: "anyio_backend" counts)
    assert not pytest_plugins.may_use_markers("@pytest.mark.parametrize('x', [1])\ndef t(x): ...")
    assert pytest_plugins.may_use_markers(TESTS + "pytest.mark.parametrize\n")
    # Python reads identifiers normalised (NFKC): a fullwidth d makes django_db all the same.
    assert pytest_plugins.may_use_markers(TESTS + "pytest.mark.\uff44jango_db\n")


@pytest.mark.parametrize(
    "source",
    [TESTS, MARKED, TESTS + "x = pytest.mark.\uff44jango_db\n"],
    ids=["plain", "mark", "nfkc"],
)
def test_reading_the_functions_alone_gives_what_the_whole_walk_gives(source):
    tree = ast.parse(source)
    possible = pytest_plugins.may_use_markers(source)
    quick = pytest_plugins.test_code_usages(tree, "tests/test_x.py", "test", possible)
    assert quick == pytest_plugins.test_code_usages(tree, "tests/test_x.py", "test", True)
    assert {u.name for u in quick} >= {"client", "db", "settings"}


def test_a_non_ascii_marker_spelling_is_still_found():
    source = "import pytest\n\n@pytest.mark.\uff44jango_db\ndef test_db(): ...\n"
    assert pytest_plugins.may_use_markers(source)  # no "django_db" in the text, yet it is one
    found = pytest_plugins.test_code_usages(
        ast.parse(source), "tests/test_x.py", "test", pytest_plugins.may_use_markers(source)
    )
    assert [u.detail.split(" (")[0] for u in found] == ["pytest marker django_db"]
