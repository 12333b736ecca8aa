from __future__ import annotations

import pytest

from scanning.manifests.poetry import translate
from scanning.types import DEV, DOCS, EXACT, RANGE, RUNTIME, TEST, UNPINNED

PEP621 = """\
[project]
name = "demo"
dependencies = [
    "requests>=2.31",
    'Django==5.0.1; python_version >= "3.10"',
]

[project.optional-dependencies]
docs = ["sphinx>=7"]
tests = ["pytest"]
s3 = ["boto3[crt]"]
"""


def test_pep621_dependencies_and_extras_get_lines_and_purposes(scan):
    manifest = scan({"pyproject.toml": PEP621})["pyproject.toml"]
    assert manifest.kind == "pyproject-pep621"
    assert manifest.errors == []
    found = {d.name: (d.line, d.purpose, d.pin_level) for d in manifest.declarations}
    assert found == {
        "requests": (4, RUNTIME, RANGE),
        "django": (5, RUNTIME, EXACT),
        "sphinx": (9, DOCS, RANGE),
        "pytest": (10, TEST, UNPINNED),
        "boto3": (11, RUNTIME, UNPINNED),
    }


def test_dependency_groups_follow_includes_and_report_cycles(scan):
    text = """\
[dependency-groups]
lint = ["ruff"]
test = ["pytest", {include-group = "lint"}]
loop-a = [{include-group = "loop-b"}]
loop-b = [{include-group = "loop-a"}]
broken = [{include-group = "nowhere"}]
"""
    manifest = scan({"pyproject.toml": text})["pyproject.toml"]
    assert manifest.kind == "dependency-groups"
    assert {d.name: (d.purpose, d.line) for d in manifest.declarations} == {
        "ruff": (DEV, 2),
        "pytest": (TEST, 3),
    }
    messages = sorted(e.message for e in manifest.errors)
    assert messages == [
        "dependency group 'broken' includes unknown group 'nowhere'",
        "dependency group cycle among loop-a, loop-b",
    ]


POETRY = """\
[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.11"
Flask = "^2.3.1"
celery = {version = "~5.3", extras = ["redis"]}
exact-one = "1.2.3"
anything = "*"
private = {git = "https://user:tok@github.com/o/private.git", tag = "v1"}
local = {path = "../local"}

[tool.poetry.group.docs.dependencies]
mkdocs = ">=1.5 <2"

[tool.poetry.dev-dependencies]
black = "23.1.0"
"""


def test_poetry_tables_translate_constraints_and_skip_python_and_paths(scan):
    manifest = scan({"pyproject.toml": POETRY})["pyproject.toml"]
    assert manifest.kind == "poetry"
    assert manifest.errors == []
    found = {d.name: d for d in manifest.declarations}
    assert set(found) == {"flask", "celery", "exact-one", "anything", "private", "mkdocs", "black"}
    assert (found["flask"].specifier, found["flask"].line) == ("<3.0.0,>=2.3.1", 6)
    assert found["celery"].extras == ("redis",)
    assert found["celery"].specifier == "<5.4,>=5.3"
    assert (found["exact-one"].pin_level, found["exact-one"].pinned_version) == (EXACT, "1.2.3")
    assert found["anything"].pin_level == UNPINNED
    assert found["private"].url == "git+https://***@github.com/o/private.git@v1"
    assert "tok" not in found["private"].raw
    assert (found["mkdocs"].purpose, found["mkdocs"].specifier) == (DOCS, "<2,>=1.5")
    assert (found["black"].purpose, found["black"].line) == (DEV, 17)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ("<2.0.0,>=1.2.3", RANGE, "")),
        ("^0.2.3", ("<0.3.0,>=0.2.3", RANGE, "")),
        ("^0.0.3", ("<0.0.4,>=0.0.3", RANGE, "")),
        ("^0", ("<1,>=0", RANGE, "")),
        ("~1.2.3", ("<1.3.0,>=1.2.3", RANGE, "")),
        ("~1", ("<2,>=1", RANGE, "")),
        ("~=1.4", ("~=1.4", RANGE, "")),
        ("1.2.3", ("==1.2.3", EXACT, "1.2.3")),
        ("=1.2.3", ("==1.2.3", EXACT, "1.2.3")),
        ("1.2.*", ("==1.2.*", RANGE, "")),
        ("*", ("", UNPINNED, "")),
        (">=1.0 || <0.5", (">=1.0 || <0.5", RANGE, "")),
        ("^not.a.version", ("^not.a.version", RANGE, "")),
    ],
)
def test_poetry_constraint_translation(constraint, expected):
    assert translate(constraint) == expected


def test_pdm_and_uv_dev_dependencies_are_dev_by_default(scan):
    text = """\
[tool.pdm.dev-dependencies]
test = ["pytest>=8"]
tools = ["-e git+https://github.com/o/tool.git#egg=tool", "-e file:///${PROJECT_ROOT}/sub"]

[tool.uv]
dev-dependencies = ["ruff==0.5.0"]
"""
    manifest = scan({"pyproject.toml": text})["pyproject.toml"]
    assert manifest.errors == []
    found = {d.name: d for d in manifest.declarations}
    assert set(found) == {"pytest", "tool", "ruff"}
    assert found["pytest"].purpose == TEST
    assert found["tool"].editable and found["tool"].purpose == DEV
    assert (found["ruff"].purpose, found["ruff"].line, found["ruff"].pin_level) == (DEV, 6, EXACT)
    assert manifest.kind == "pdm"


def test_pyproject_without_dependency_tables_is_not_a_manifest(scan):
    assert scan({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}) == {}


def test_invalid_pyproject_is_a_manifest_with_an_error(scan):
    manifest = scan({"pyproject.toml": "[project\ndependencies = ["})["pyproject.toml"]
    assert manifest.declarations == []
    assert manifest.errors[0].message.startswith("invalid TOML")


def test_wrong_shapes_become_errors(scan):
    text = """\
[project]
dependencies = "requests"
optional-dependencies = {dev = ["ok-pkg", 3, "bad pkg !"]}
"""
    manifest = scan({"pyproject.toml": text})["pyproject.toml"]
    assert [d.name for d in manifest.declarations] == ["ok-pkg"]
    assert len(manifest.errors) == 3


def test_groups_the_project_names_in_deptry_settings_override_the_name_guess(scan):
    text = """\
[project]
dependencies = ["flask"]

[project.optional-dependencies]
quality = ["pylint"]
server = ["gunicorn"]
Extra_Docs = ["sphinx"]

[dependency-groups]
telemetry = ["opentelemetry-sdk"]
lint = ["ruff"]

[tool.deptry]
optional_dependencies_dev_groups = ["quality", "extra-docs"]
non_dev_dependency_groups = ["Telemetry"]
"""
    manifest = scan({"pyproject.toml": text})["pyproject.toml"]
    purposes = {d.name: d.purpose for d in manifest.declarations}
    assert purposes == {
        "flask": RUNTIME,
        "pylint": DEV,  # named dev; the name "quality" alone would say runtime
        "gunicorn": RUNTIME,  # not named: the guess from its name stands
        "sphinx": DOCS,  # named dev, and its name already says which kind of dev
        "opentelemetry-sdk": RUNTIME,  # named not dev; a dependency group is dev by default
        "ruff": DEV,
    }


def test_deptry_settings_of_the_deprecated_name_and_odd_shapes(scan):
    text = """\
[project.optional-dependencies]
checks = ["mypy"]
plot = ["matplotlib"]

[dependency-groups]
server = ["uvicorn"]

[tool.deptry]
pep621_dev_dependency_groups = ["checks", 7]
non_dev_dependency_groups = "server"
"""
    manifest = scan({"pyproject.toml": text})["pyproject.toml"]
    purposes = {d.name: d.purpose for d in manifest.declarations}
    assert purposes == {"mypy": DEV, "matplotlib": RUNTIME, "uvicorn": DEV}
    assert manifest.errors == []


def test_the_same_requirement_in_two_extras_gets_the_line_of_each(tmp_path):
    from scanning.manifests import parse_manifests

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n\n'
        "[project.optional-dependencies]\n"
        'ldap = ["django-auth-ldap"]\n'
        'all = [\n  "django-auth-ldap",\n  "boto3",\n]\n'
    )
    [manifest] = parse_manifests(tmp_path, ["pyproject.toml"])
    lines = sorted((d.name, d.line) for d in manifest.declarations)
    assert lines == [("boto3", 10), ("django-auth-ldap", 7), ("django-auth-ldap", 9), ("flask", 4)]


def test_workspace_members_and_local_sources_are_first_party_not_requirements(scan):
    pyproject = (
        '[project]\nname = "server"\nversion = "1"\n'
        'dependencies = ["greeter", "tools", "flask>=3"]\n'
        "[tool.uv.sources]\n"
        'greeter = { workspace = true }\ntools = { path = "../tools", editable = true }\n'
        'flask = { index = "internal" }\n'
    )
    manifest = scan({"pyproject.toml": pyproject})["pyproject.toml"]
    assert [d.name for d in manifest.declarations] == ["flask"]
