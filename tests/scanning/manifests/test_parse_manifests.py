from __future__ import annotations

import hashlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scanning.manifests
from scanning.manifests import manifest_kind, parse_manifests
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.types import DEV, DOCS, JOB, NOTEBOOK, PURPOSES, RUNTIME, TEST


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("dev-requirements.in", "requirements"),
        ("requirements/base.in", "requirements"),
        ("services/api/requirements/prod.txt", "requirements"),
        ("constraints.txt", "constraints"),
        ("constraints-py311.txt", "constraints"),
        ("pyproject.toml", "pyproject-pep621"),
        ("setup.cfg", "setup-cfg"),
        ("setup.py", "setup-py"),
        ("Pipfile", "pipfile"),
        ("Pipfile.lock", "pipfile-lock"),
        ("poetry.lock", "poetry-lock"),
        ("uv.lock", "uv-lock"),
        ("pylock.toml", "pylock"),
        ("pylock.dev.toml", "pylock"),
        ("Dockerfile", "dockerfile"),
        ("deploy/Dockerfile.worker", "dockerfile"),
        ("api.dockerfile", "dockerfile"),
        (".github/workflows/ci.yaml", "ci"),
        (".gitlab-ci.yml", "ci"),
        ("tox.ini", "tox"),
        ("noxfile.py", "nox"),
        ("Makefile", "makefile"),
        ("README.txt", ""),
        ("docs/requirements_notes.md", ""),
        ("src/app/settings.py", ""),
        (".venv/lib/python3.11/site-packages/x/setup.py", ""),
        ("node_modules/pkg/requirements.txt", ""),
        ("docs/workflows/ci.yml", ""),
        # Not plain relative paths: read as pathlib normalises them.
        ("requirements//prod.txt", "requirements"),
        ("./requirements/base.in", "requirements"),
        ("/srv/app/requirements/base.in", "requirements"),
        ("./.github/workflows/ci.yml", "ci"),
        ("app/./.github/workflows/ci.yml", ""),
        ("venv//setup.py", ""),
        ("", ""),
        ("/", ""),
    ],
)
def test_manifest_kind_recognises_manifests_by_path(path, kind):
    assert manifest_kind(path) == kind


@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        ("requirements.txt", RUNTIME),
        ("requirements-dev.txt", DEV),
        ("requirements/test.txt", TEST),
        ("docs/requirements.txt", DOCS),
        ("dev-requirements.in", DEV),
        ("requirements/local.txt", DEV),
        ("requirements/production.txt", RUNTIME),
        ("notebooks/requirements.txt", NOTEBOOK),
        ("jobs/nightly/requirements.txt", JOB),
        ("devops/requirements.txt", RUNTIME),
        ("tests/requirements-dev.txt", DEV),
    ],
)
def test_purpose_from_path_prefers_the_file_name_then_nearest_folder(path, purpose):
    assert purpose_for_path(path) == purpose


@pytest.mark.parametrize(
    ("name", "purpose"),
    [("lint", DEV), ("typing", DEV), ("tests", TEST), ("docs-build", DOCS), ("s3", RUNTIME)],
)
def test_purpose_from_group_name(name, purpose):
    assert purpose_for_name(name) == purpose


def test_content_hash_is_sha256_of_the_bytes_and_results_are_sorted(scan):
    content = "flask\n"
    manifests = scan({"requirements.txt": content, "b/requirements.txt": "x\n", "a.py": "1\n"})
    assert list(manifests) == ["b/requirements.txt", "requirements.txt"]
    expected = hashlib.sha256(content.encode()).hexdigest()
    assert manifests["requirements.txt"].content_hash == expected


def test_files_over_two_megabytes_are_skipped_with_an_error(scan):
    huge = "pkg\n" * (600 * 1024)
    manifest = scan({"requirements.txt": huge})["requirements.txt"]
    assert manifest.declarations == []
    assert [e.message for e in manifest.errors] == ["skipped: too large"]


def test_non_utf8_and_bom_and_nul_bytes_do_not_stop_parsing(scan):
    manifests = scan(
        {
            "requirements.txt": b"\xef\xbb\xbfflask\n\xff\xfe bad\x00\nclick\n",
            "requirements-bom.txt": b"\xef\xbb\xbfdjango\n",
        }
    )
    manifest = manifests["requirements.txt"]
    assert [d.name for d in manifest.declarations] == ["flask", "click"]
    assert manifest.errors[0].message.startswith("not valid UTF-8")
    assert manifest.errors[1].line == 2
    assert manifests["requirements-bom.txt"].declarations[0].name == "django"


def test_deeply_nested_toml_and_json_are_errors(scan):
    manifests = scan(
        {
            "pyproject.toml": "x = " + "[" * 50_000 + "]" * 50_000 + "\n",
            "Pipfile.lock": "[" * 50_000 + "]" * 50_000,
            "setup.py": "setup(install_requires=" + "[" * 50_000 + "]" * 50_000 + ")\n",
        }
    )
    assert all(m.errors and not m.declarations for m in manifests.values())


def test_errors_per_file_are_capped(scan):
    manifest = scan({"requirements.txt": "not valid !!\n" * 500})["requirements.txt"]
    assert len(manifest.errors) == scanning.manifests.MAX_ERRORS_PER_FILE + 1
    assert manifest.errors[-1].message == "400 more errors not shown"


def test_a_parser_bug_costs_one_file_not_the_scan(scan, monkeypatch):
    def broken(source, reader):
        raise KeyError("bug")

    monkeypatch.setitem(scanning.manifests._PARSERS, "setup-cfg", broken)
    manifests = scan({"setup.cfg": "[options]\n", "requirements.txt": "flask\n"})
    assert manifests["setup.cfg"].errors[0].message == "parser failed: KeyError"
    assert manifests["requirements.txt"].declarations[0].name == "flask"


def test_paths_that_vanished_are_errors(tmp_path):
    (manifest,) = parse_manifests(tmp_path, ["requirements.txt"])
    assert manifest.errors[0].message.startswith("unreadable")


_FILE_NAMES = [
    "requirements.txt",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
    "Dockerfile",
    ".gitlab-ci.yml",
    "tox.ini",
    "noxfile.py",
    "Makefile",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(_FILE_NAMES), content=st.binary(max_size=300) | st.text(max_size=300))
def test_no_parser_fails_on_arbitrary_content(tmp_path_factory, name, content):
    root = tmp_path_factory.mktemp("any")
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    (root / name).write_bytes(data)
    for manifest in parse_manifests(root, [name]):
        assert manifest.kind
        assert manifest.purpose in PURPOSES
        assert not any(e.message.startswith("parser failed") for e in manifest.errors)
        for declaration in manifest.declarations:
            assert declaration.name


def test_pathological_whitespace_and_newlines_parse_in_linear_time(scan):
    # Each of these took minutes or hours with backtracking patterns such as r"(^|\s+)#".
    files = {
        "requirements.txt": "a" + " " * 1_000_000 + "b #c\nflask" + " " * 500_000 + "-\n",
        "Pipfile.lock": "\n" * 1_000_000 + '"',
        "pyproject.toml": "[" + " " * 1_000_000 + "x\n",
        "Dockerfile": "RUN pip install " + "x " * 500_000 + "\n",
    }
    started = time.process_time()
    manifests = scan(files)
    assert time.process_time() - started < 3.0
    assert all(manifest.errors for manifest in manifests.values())
