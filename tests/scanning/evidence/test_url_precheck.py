"""Files whose strings cannot hold "://" skip the search for URLs, and lose nothing by it."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from scanning.evidence import pyfiles

# Each literal's value holds "://", however its source spells it.
URL_SPELLINGS = [
    '"redis://redis:6379/0"',
    r'"redis:\x2f\x2fredis:6379/0"',  # escapes
    r'"redis:\057\057redis"',
    r'"redis:\N{SOLIDUS}\N{SOLIDUS}redis"',
    '"redis:/" "/redis"',  # implicit concatenation
    'f"redis://{host}"',
]


@pytest.mark.parametrize("literal", URL_SPELLINGS)
def test_every_spelling_of_a_url_keeps_the_search(literal):
    assert pyfiles.may_hold_urls(f"REDIS_URL = {literal}\n")


def test_a_text_with_no_slash_and_no_backslash_holds_no_url():
    assert not pyfiles.may_hold_urls('config = {"00501": "AB890X", 1: [2, 3]}\n')


def _settings(literal: str) -> str:
    return textwrap.dedent(
        f"""
        import environ
        host = "redis"
        REDIS_URL = {literal}
        CELERY_BROKER_URL = REDIS_URL
        """
    )


@pytest.mark.parametrize("literal", URL_SPELLINGS)
def test_a_url_spelt_with_escapes_still_reaches_its_consumer(literal):
    source = _settings(literal)
    usages, _ = pyfiles.python_usages(source, "config/settings.py", "web")
    searched, _ = pyfiles._tree_usages(ast.parse(source), "config/settings.py", "web", None, True)
    redis = [u for u in usages if u.name == "redis" and u.line == 4]
    assert redis and not redis[0].optional
    assert usages == pyfiles._with_inline_ignores(source, searched)


def test_skipping_the_search_changes_no_usage_of_a_data_file(tmp_path: Path):
    rows = ",\n".join(f'    "{n:05}": ["AB{n % 900}X", {n * 7}]' for n in range(3000))
    source = f"import some\n\nconfig = some.Structure(\n  mapping={{\n{rows}\n  }},\n)\n"
    assert not pyfiles.may_hold_urls(source)
    quick, errors = pyfiles.python_usages(source, "profiling/data.py", "script")
    tree = ast.parse(source)
    full, full_errors = pyfiles._tree_usages(tree, "profiling/data.py", "script", None, True)
    assert (quick, errors) == (pyfiles._with_inline_ignores(source, full), full_errors)
    assert [u.name for u in quick] == ["some"]
