"""Hostile and careless repositories scanned end to end: what must never come out, and what
must not be taken as checked."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from scanning import cli, manifests
from scanning.engine import pipeline
from scanning.gate import policy
from scanning.manifests import common
from scanning.manifests.common import redact
from scanning.rules.unread import unread_files, unread_of
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


@pytest.mark.parametrize(
    ("files", "unread"),
    [
        ({"setup.cfg": "[options]\ninstall_requires =\n  requests\n\x00[[[\n= x\n"}, "setup.cfg"),
        ({"tox.ini": "[testenv]\ndeps = pytest\n[[[\n"}, "tox.ini"),
        (
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = "requests"\n'},
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\n[project.optional-dependencies]\nweb = 5\n'},
            "pyproject.toml",
        ),
        (
            {"setup.py": "from setuptools import setup\nsetup(install_requires=reqs())\n"},
            "setup.py",
        ),
        ({"Pipfile.lock": '{"default": ["requests"], "develop": {}}'}, "Pipfile.lock"),
        ({"pylock.toml": 'lock-version = "1.0"\npackages = 5\n'}, "pylock.toml"),
    ],
)
def test_a_manifest_read_only_in_part_keeps_the_gate_unknown(tmp_path, files, unread):
    root = write_tree(tmp_path / "repo", {**files, "app.py": "import requests\n"})

    tree = pipeline.scan_checkout(root, audit=_audit_everything)

    assert unread in unread_of(tree).manifests
    assert tree.audit["gate"] == "unknown"
    why = unread_of(tree).why_unchecked("missing", ["app.py"])
    assert why.startswith(f"not re-checked: {unread} could not be read")


def test_a_notebook_without_a_list_of_cells_is_not_taken_as_read(tmp_path):
    root = write_tree(tmp_path / "repo", {"nb.ipynb": '{"cells": {"a": 1}}'})

    tree = pipeline.scan_checkout(root)

    assert unread_of(tree).why_unchecked("missing", ["nb.ipynb"]).startswith("not re-checked")


def _audit_everything(declarations, *, unread_manifests):
    """An advisory source that finds nothing: the gate passes unless a manifest was not read."""
    reasons = [f"{path} could not be read ({why})" for path, why in unread_manifests.items()]
    audit = {"gate": "unknown" if reasons else "pass", "reasons": reasons, "not_audited": []}
    return [], audit


_MANY = [f"pkg{number}" for number in range(common.MAX_ENTRIES + 1)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("requirements.txt", "\n".join(_MANY)),
        ("requirements-options.txt", "\n".join(["-r missing.txt"] * (common.MAX_ENTRIES + 1))),
        ("pyproject.toml", "[project]\ndependencies = " + json.dumps(_MANY) + "\n"),
        ("environment.yml", "dependencies:\n  - pip:\n" + "".join(f"    - {n}\n" for n in _MANY)),
    ],
)
def test_a_manifest_with_too_many_requirements_is_not_read(tmp_path, path, text):
    root = write_tree(tmp_path / "repo", {path: text})

    [manifest] = manifests.parse_manifests(root, [path])

    assert manifest.declarations == []
    assert [e.message for e in manifest.errors] == [common.TOO_MANY]
    assert path in unread_files(manifest.errors, manifest_paths=[path]).manifests


def test_a_manifest_just_under_the_cap_is_read(tmp_path):
    names = _MANY[: common.MAX_ENTRIES]
    root = write_tree(tmp_path / "repo", {"requirements.txt": "\n".join(names)})

    [manifest] = manifests.parse_manifests(root, ["requirements.txt"])

    assert len(manifest.declarations) == common.MAX_ENTRIES
    assert manifest.errors == []


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_a_root_manifest_that_is_a_device_or_pipe_is_refused_without_reading(tmp_path, target):
    root = write_tree(tmp_path / "repo", {"requirements.txt": "requests\n"})
    if target == "fifo":
        os.mkfifo(root / "pyproject.toml")  # opening it to read would wait for a writer
    else:
        (root / "pyproject.toml").symlink_to(target)  # reading it would never end

    loaded = common.load(root, "pyproject.toml")
    tree = pipeline.scan_tree(root)

    assert loaded.errors[0].message.startswith("skipped:")
    assert [d.name for d in tree.declarations] == ["requests"]
    assert "pyproject.toml" in unread_of(tree).files


def test_settings_behind_a_link_out_of_the_checkout_are_not_read(tmp_path):
    outside = write_tree(tmp_path / "server", {"pyproject.toml": OUTSIDE_SETTINGS})
    root = write_tree(tmp_path / "repo", {"requirements.txt": "requests\n", "app.py": "import x\n"})
    (root / "pyproject.toml").symlink_to(outside / "pyproject.toml")
    (root / "debtboard.toml").symlink_to(outside / "pyproject.toml")

    tree = pipeline.scan_tree(root)

    assert tree.tool_settings.known_first_party == frozenset()
    assert not any("secret-setting" in e.message for e in tree.errors)
    with pytest.raises(policy.PolicyError, match="symbolic link"):
        policy.read_toml(root / "debtboard.toml")


def test_a_policy_file_nested_too_deeply_is_a_clear_error(tmp_path):
    root = write_tree(tmp_path / "repo", {"debtboard.toml": "x = " + "[" * 50_000 + "]" * 50_000})

    with pytest.raises(policy.PolicyError, match="nested too deeply"):
        policy.read_toml(root / "debtboard.toml")


OUTSIDE_SETTINGS = """
[tool.deptry]
known_first_party = ["x"]
per_rule_ignores = {secret-setting = ["y"]}
[policy]
cvss_threshold = 9.9
"""
