from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanning.evidence import collect_usages
from scanning.evidence.sources import MAX_SOURCE_BYTES, TOO_LARGE

from .conftest import Scan, names, write_repo


def test_syntax_error_becomes_file_error_and_scan_continues(scan: Scan) -> None:
    usages, errors = scan({"a/broken.py": "def f(:\n", "a/ok.py": "import requests\n"})
    assert [e.path for e in errors] == ["a/broken.py"]
    assert errors[0].line == 1
    assert names(usages) == {"requests"}


def test_nul_bytes_become_file_error(scan: Scan) -> None:
    _, errors = scan({"a/nul.py": b"import os\x00\nimport sys\n"})
    assert [e.path for e in errors] == ["a/nul.py"]
    assert "null" in errors[0].message or "cannot parse" in errors[0].message


def test_deeply_nested_code_becomes_file_error(scan: Scan) -> None:
    usages, errors = scan(
        {
            "a/parens.py": "(" * 100_000,
            "a/unary.py": "-" * 100_000 + "1\n",
            "a/attrs.py": "x = a" + ".b" * 100_000 + "\n",
            "a/ok.py": "import yaml\n",
        }
    )
    assert {e.path for e in errors} == {"a/parens.py", "a/unary.py", "a/attrs.py"}
    assert "yaml" in names(usages)


def test_unknown_encoding_cookie_is_reported_and_file_still_read(scan: Scan) -> None:
    usages, errors = scan({"a/m.py": b"# -*- coding: no-such-codec -*-\nimport requests\n"})
    assert [e.path for e in errors] == ["a/m.py"]
    assert "encoding" in errors[0].message
    assert names(usages) == {"requests"}


def test_latin1_cookie_is_honoured(scan: Scan) -> None:
    source = "# -*- coding: latin-1 -*-\nimport requests\nname = 'caf\xe9'\n".encode("latin-1")
    usages, errors = scan({"a/m.py": source})
    assert errors == []
    assert names(usages) == {"requests"}


def test_invalid_utf8_without_cookie_is_read_with_fallback(scan: Scan) -> None:
    usages, errors = scan({"a/m.py": b"import requests\nx = '\xff\xfe'\n"})
    assert names(usages) == {"requests"}
    assert [e.path for e in errors] == ["a/m.py"]


def test_file_over_two_megabytes_is_skipped(scan: Scan) -> None:
    big = "import requests\n" + "#" * (MAX_SOURCE_BYTES + 10)
    usages, errors = scan({"a/big.py": big})
    assert usages == []
    assert errors[0].message == TOO_LARGE


def test_missing_and_directory_paths_become_file_errors(tmp_path: Path) -> None:
    (tmp_path / "pkg.py").mkdir()
    usages, errors = collect_usages(tmp_path, ["gone.py", "pkg.py"])
    assert usages == []
    assert {e.path for e in errors} == {"gone.py", "pkg.py"}


_FILE_NAMES = st.sampled_from(
    [
        "app/m.py",
        "nb.ipynb",
        "Dockerfile",
        "Procfile",
        "Makefile",
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        "pytest.ini",
    ]
)
_CONTENT = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from(
            ["import ", "(", "[", "{", '"', "'", ":", "\n", "  ", "\x00", "cells", "RUN ", "!", "%"]
        ),
        max_size=60,
    ).map(lambda parts: "".join(parts).encode()),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.dictionaries(_FILE_NAMES, _CONTENT, min_size=1, max_size=4))
def test_collect_usages_never_raises_on_arbitrary_content(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, bytes]
) -> None:
    root = tmp_path_factory.mktemp("repo")
    usages, errors = collect_usages(root, write_repo(root, files))
    assert all(u.path in files for u in usages)
    assert all(e.path in files for e in errors)
    # the catch-all in collect_usages must not be what kept the scan alive
    assert not [e for e in errors if e.message.startswith("internal error")]


def test_command_chained_after_a_one_megabyte_word_is_still_read(tmp_path: Path, settings) -> None:
    """Tokenising the megabyte took the parser child ~35 s of CPU: it was killed and the whole
    Dockerfile lost. Now the huge piece is dropped and the rest read within any sane limit."""
    from scanning.engine.pipeline import scan_tree

    settings.DEBTBOARD_PARSER_CPU_SECONDS = 5
    huge = "x" * (1024 * 1024)
    write_repo(
        tmp_path,
        {
            "requirements.txt": "gunicorn==22.0.0\nuvicorn==0.30.0\n",
            "Dockerfile": f"FROM python\nRUN echo {huge} \\\n  && true\nCMD gunicorn app.wsgi\n",
            "Procfile": f"web: echo {huge} && uvicorn app.main:app\n",
        },
    )
    tree = scan_tree(tmp_path)
    assert {"gunicorn", "uvicorn"} <= {u.name for u in tree.usages if u.is_distribution}
    assert not [
        e for e in tree.errors if e.path in ("Dockerfile", "Procfile") and "skipped" in e.message
    ]


def test_an_action_input_that_is_a_bare_option_is_no_python_code(scan: Scan) -> None:
    workflow = (
        "jobs:\n  changelog:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: rhysd/changelog-from-release/action@v3\n"
        "        with:\n          args: -c\n"
        "      - run: python -c 'import yaml'\n"
    )
    usages, errors = scan({".github/workflows/changelog.yml": workflow})
    assert errors == []
    assert "yaml" in names(usages)
