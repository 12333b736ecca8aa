"""TOML 1.1 inline tables (multi-line, comments, trailing comma) are read, line numbers kept."""

from __future__ import annotations

import tomllib

import pytest

from scanning.evidence import toml11

UV_LOCK_11 = """version = 1

[[package]]
name = "aio-pika"
version = "9.6.2"
dependencies = [
  { name = "aiormq" },
  { name = "exceptiongroup", marker = "python_full_version < '3.11'" },
]
sdist = {
  url = "https://example.invalid/aio_pika-9.6.2.tar.gz",  # a comment
  hash = "sha256:{not a table}",
}

[[package]]
name = "yarl"
version = "1.9.0"
"""


def test_multiline_inline_tables_are_read():
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(UV_LOCK_11)
    data = toml11.loads(UV_LOCK_11)
    first, second = data["package"]
    assert first["sdist"] == {
        "url": "https://example.invalid/aio_pika-9.6.2.tar.gz",
        "hash": "sha256:{not a table}",
    }
    assert second["name"] == "yarl"


def test_folding_keeps_every_later_line_number():
    folded = toml11.fold_inline_tables(UV_LOCK_11)
    assert folded.count("\n") == UV_LOCK_11.count("\n")
    assert folded.splitlines().index('name = "yarl"') == UV_LOCK_11.splitlines().index(
        'name = "yarl"'
    )


def test_a_document_broken_otherwise_still_fails():
    with pytest.raises(tomllib.TOMLDecodeError):
        toml11.loads("a = { b = 1,\n c = }\n")
    with pytest.raises(tomllib.TOMLDecodeError):
        toml11.loads("key = = 1\n")


def test_a_uv_lock_in_toml_11_yields_its_packages(scan):
    found = scan(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["aio-pika"]\n',
            "uv.lock": UV_LOCK_11,
        }
    )
    assert not found["uv.lock"].errors
    assert {d.name for d in found["uv.lock"].declarations} >= {"aio-pika", "yarl"}
