"""The scan cache's JSON rows give back exactly the dataclasses they were made from."""

from __future__ import annotations

import dataclasses
import json

import pytest

from scanning.engine import rows
from scanning.types import Declaration, FileError, ManifestFile, Usage


def _through_json(value: object) -> object:
    return json.loads(json.dumps(value))


def test_usages_come_back_equal_with_their_own_or_another_path():
    usages = [
        Usage("yaml", "app/a.py", 1),
        Usage("ujson", "app/a.py", 3, mode="web", optional=True, detail="try-except"),
        Usage("gunicorn", "Procfile", 1, kind="command", is_distribution=True, detail="web: x"),
        Usage("yaml", "", 2),
    ]
    shapes, flat = _through_json(rows.usage_rows("app/a.py", usages))
    assert len(shapes) == 4  # yaml at line 1 and "" at line 2 differ in path only
    assert rows.usages("app/a.py", shapes, flat) == usages


def test_errors_come_back_equal():
    errors = [FileError("app/a.py", "invalid syntax", 3), FileError("other.py", "x")]
    assert [
        rows.error("app/a.py", _through_json(rows.error_row("app/a.py", e))) for e in errors
    ] == (errors)


def test_manifests_come_back_equal():
    manifest = ManifestFile(
        "requirements.txt",
        "requirements",
        "runtime",
        "ab" * 32,
        [
            Declaration("requirements.txt", 1, "requests", "requests[socks]>=2", extras=("socks",)),
            Declaration("base.txt", 2, "django", "django==5.0", pin_level="exact"),
        ],
        [FileError("requirements.txt", "unsupported option --foo", 4)],
    )
    assert rows.manifest(_through_json(rows.manifest_row(manifest))) == manifest


def test_usages_read_back_have_every_field_of_a_usage():
    """Rows are read into Usage through its slots: a field added to Usage must be read too."""
    (usage,) = rows.usages("a.py", *rows.usage_rows("a.py", [Usage("yaml", "a.py", 1)]))
    assert {f.name: getattr(usage, f.name) for f in dataclasses.fields(Usage)} == {
        f.name: getattr(Usage("yaml", "a.py", 1), f.name) for f in dataclasses.fields(Usage)
    }


@pytest.mark.parametrize(
    ("read", "row"),
    [
        (lambda row: rows.usages("a.py", [[None] * 6], row), ["yaml", 1]),
        (lambda row: rows.usages("a.py", [["static-import"]], row), ["yaml", 1, 0]),
        (lambda row: rows.usages("a.py", [], row), ["yaml", 1, 0]),
        (lambda row: rows.usages("a.py", row, []), [None]),
        (rows.manifest, ["requirements.txt", "requirements"]),
        (rows.manifest, ["r.txt", "requirements", "runtime", "", [[None, 1, "x"]], []]),
        (lambda row: rows.error("a.py", row), ["only a message"]),
    ],
)
def test_a_row_that_is_not_what_we_wrote_raises(read, row):
    with pytest.raises((TypeError, ValueError, LookupError)):
        read(row)
