"""Hostile and careless repositories scanned end to end: what must never come out, and what
must not be taken as checked."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from scanning import cli
from scanning.manifests.common import redact
from tests.factories import write_tree

QUERY_SECRET = "qsEcReTt0ken"
ADVISORIES = Path(__file__).resolve().parents[1] / "fixtures" / "advisories" / "pypa"


def _scan_json(root: Path) -> tuple[str, dict]:
    out = io.StringIO()
    argv = [str(root), "--no-cache", "--format", "json", "--advisories", str(ADVISORIES)]
    cli.main(argv, environ={}, write=out.write)
    return out.getvalue(), json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            f"qux @ https://host/qux.whl?token={QUERY_SECRET}",
            "qux @ https://host/qux.whl?token=***",
        ),
        (
            f"a @ https://h/a.whl?X-Amz-Signature={QUERY_SECRET}&X-Amz-Date=1#sha256=ab",
            "a @ https://h/a.whl?X-Amz-Signature=***&X-Amz-Date=***#sha256=ab",
        ),
        (f"b @ https://h/b.whl?{QUERY_SECRET}", "b @ https://h/b.whl?***"),
        (
            "git+https://h/r.git#egg=r&subdirectory=sub",
            "git+https://h/r.git#egg=r&subdirectory=sub",
        ),
        ('c; python_version >= "3"', 'c; python_version >= "3"'),
    ],
)
def test_a_url_query_is_shown_without_its_values(text, shown):
    assert redact(text) == shown


def test_a_token_in_a_url_query_reaches_no_output(tmp_path):
    requirements = (
        f"qux @ https://host/qux-1.0.whl?token={QUERY_SECRET}\n"
        f"--index-url https://pypi.example/simple?key={QUERY_SECRET}\n"
        f"-r https://host/reqs.txt?sig={QUERY_SECRET}\n"
    )
    root = write_tree(
        tmp_path / "repo", {"requirements.txt": requirements, "app.py": "import qux\n"}
    )

    text, data = _scan_json(root)

    assert QUERY_SECRET not in text
    assert any(d["name"] == "qux" for d in data["declarations"])
