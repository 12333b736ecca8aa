"""What teams already configured for deptry and FawltyDeps is honoured, with that reason."""

from __future__ import annotations

import pytest

from scanning.engine.pipeline import scan_tree
from scanning.manifests import toolsettings
from tests.factories import write_tree

PROJECT = '[project]\nname = "shop"\nversion = "1"\ndependencies = [{deps}]\n\n'


def _scan(tmp_path, settings: str, files: dict[str, str], deps: str = '"flask", "rich"'):
    tree = scan_tree(
        write_tree(tmp_path, {"pyproject.toml": PROJECT.format(deps=deps) + settings, **files})
    )
    return tree, {(f.kind, f.subject): f for f in tree.findings}


_APP = {"shop/__init__.py": "import flask\n"}


def test_per_rule_ignores_keep_a_finding_with_the_setting_named(tmp_path):
    _, found = _scan(tmp_path, '[tool.deptry.per_rule_ignores]\nDEP002 = ["rich"]\n', _APP)
    assert found["unused", "rich"].kept == (
        "kept by repository configuration (pyproject.toml [tool.deptry] per_rule_ignores DEP002)"
    )


def test_a_per_rule_ignore_of_another_rule_keeps_nothing(tmp_path):
    _, found = _scan(tmp_path, '[tool.deptry.per_rule_ignores]\nDEP001 = ["rich"]\n', _APP)
    assert found["unused", "rich"].kept == ""


def test_ignore_keeps_findings_of_every_rule(tmp_path):
    files = {"shop/__init__.py": "import flask, boto3\n"}
    _, found = _scan(tmp_path, '[tool.deptry]\nignore = ["rich", "boto3"]\n', files)
    assert found["unused", "rich"].kept.endswith("(pyproject.toml [tool.deptry] ignore)")
    assert found["missing", "boto3"].kept.endswith("(pyproject.toml [tool.deptry] ignore)")


def test_missing_is_matched_by_the_module_name_deptry_uses(tmp_path):
    files = {"shop/__init__.py": "import flask, yaml\n"}
    settings = '[tool.deptry.per_rule_ignores]\nDEP001 = ["yaml"]\n'
    _, found = _scan(tmp_path, settings, files, deps='"flask"')
    assert "DEP001" in found["missing", "pyyaml"].kept


@pytest.mark.parametrize("key", ["exclude", "extend_exclude"])
def test_excluded_paths_are_not_read_as_evidence(tmp_path, key):
    files = {**_APP, "scripts/one_off.py": "import numpy\n", "shop/x.py": "import rich\n"}
    _, found = _scan(tmp_path, f'[tool.deptry]\n{key} = ["scripts"]\n', files)
    assert ("missing", "numpy") not in found
    assert ("unused", "rich") not in found


def test_known_first_party_is_first_party(tmp_path):
    files = {"shop/__init__.py": "import flask, rich, shared_models\n"}
    _, found = _scan(tmp_path, '[tool.deptry]\nknown_first_party = ["shared_models"]\n', files)
    assert ("missing", "shared-models") not in found


def test_package_module_name_map_feeds_the_import_map(tmp_path):
    files = {"shop/__init__.py": "import flask, rich, chronoparse\n"}
    settings = '[tool.deptry.package_module_name_map]\nchrono-parse-toolkit = "chronoparse"\n'
    deps = '"flask", "rich", "chrono-parse-toolkit"'
    tree, found = _scan(tmp_path, settings, files, deps=deps)
    assert not {key for key in found if "chrono" in key[1] and key[0] != "unpinned"}
    assert tree.provided["chrono-parse-toolkit"].import_names == ("chronoparse",)


def test_a_module_map_may_list_several_modules(tmp_path):
    files = {"shop/__init__.py": "import flask, rich, cp_extra\n"}
    settings = '[tool.deptry.package_module_name_map]\nchrono-parse-toolkit = ["cp", "cp_extra"]\n'
    deps = '"flask", "rich", "chrono-parse-toolkit"'
    _, found = _scan(tmp_path, settings, files, deps=deps)
    assert not {key for key in found if key[0] in ("unused", "missing") and key[1] != "rich"}


def test_fawltydeps_ignore_lists_keep_findings(tmp_path):
    files = {"shop/__init__.py": "import flask, boto3\n"}
    settings = '[tool.fawltydeps]\nignore_unused = ["rich"]\nignore_undeclared = ["boto3"]\n'
    _, found = _scan(tmp_path, settings, files)
    assert found["unused", "rich"].kept.endswith("[tool.fawltydeps] ignore_unused)")
    assert found["missing", "boto3"].kept.endswith("[tool.fawltydeps] ignore_undeclared)")


def test_settings_of_the_wrong_shape_are_reported_and_ignored(tmp_path):
    settings = '[tool.deptry]\nignore = "rich"\nper_rule_ignores = 3\nexclude = ["("]\n'
    tree, found = _scan(tmp_path, settings, _APP)
    assert found["unused", "rich"].kept == ""
    messages = [e.message for e in tree.errors if e.path == "pyproject.toml"]
    assert any("[tool.deptry] ignore" in m for m in messages)
    assert any("per_rule_ignores" in m for m in messages)
    assert any("exclude" in m for m in messages)


def test_a_repository_without_settings_has_none(tmp_path):
    root = write_tree(tmp_path, {"setup.py": "x"})
    assert toolsettings.read(root) == toolsettings.ToolSettings()


def test_an_exclude_pattern_that_could_take_exponential_time_is_not_used(tmp_path):
    files = {**_APP, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!.py": "import numpy\n"}
    tree, found = _scan(tmp_path, '[tool.deptry]\nexclude = ["(a+)+$"]\n', files)
    assert ("missing", "numpy") in found  # the file is still read
    assert any("repeated group" in e.message for e in tree.errors)


def test_deptry_inline_ignore_comments_keep_the_import_findings_of_their_rules(tmp_path):
    code = (
        "import flask, rich\n"
        "import white  # deptry: ignore[DEP001]  # noqa: F401\n"
        "import orange  # noqa: F401  # deptry: ignore\n"
        "import gray  # deptry: ignore[DEP003]\n"
    )
    _, found = _scan(tmp_path, "", {"shop/__init__.py": code})
    assert found["missing", "white"].kept.startswith("kept by repository configuration")
    assert "# deptry: ignore at shop/__init__.py:2" in found["missing", "white"].kept
    assert found["missing", "orange"].kept
    assert not found["missing", "gray"].kept  # its comment ignores another rule
