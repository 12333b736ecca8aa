from __future__ import annotations

from scanning.types import DEV, DOCS, EXACT, RANGE, RUNTIME, TEST, UNPINNED

SETUP_CFG = """\
[metadata]
name = demo

[options]
install_requires =
    requests>=2  # http
    click
tests_require = pytest

[options.extras_require]
docs =
    sphinx==7.2.6
Security = cryptography
"""


def test_setup_cfg_reads_install_requires_and_extras(scan):
    manifest = scan({"setup.cfg": SETUP_CFG})["setup.cfg"]
    assert manifest.kind == "setup-cfg"
    assert manifest.errors == []
    found = {d.name: (d.line, d.purpose, d.pin_level) for d in manifest.declarations}
    assert found == {
        "requests": (6, RUNTIME, RANGE),
        "click": (7, RUNTIME, UNPINNED),
        "pytest": (8, TEST, UNPINNED),
        "sphinx": (12, DOCS, EXACT),
        "cryptography": (13, RUNTIME, UNPINNED),
    }


def test_setup_cfg_without_requirements_is_not_a_manifest_and_broken_ini_is_an_error(scan):
    assert scan({"setup.cfg": "[flake8]\nmax-line-length = 100\n"}) == {}
    manifest = scan({"setup.cfg": "[options\ninstall_requires = x\n"})["setup.cfg"]
    assert manifest.errors[0].message.startswith("invalid INI")


SETUP_PY = """\
import os
from setuptools import setup

BASE = [
    "requests>=2",
    "attrs",
]
EXTRAS = {"test": ["pytest"], "docs": DOCS_DEPS if False else []}
os.system("rm -rf /")  # never executed: we only read the syntax tree

setup(
    name="demo",
    install_requires=BASE + ["click==8.1.7"],
    extras_require=EXTRAS,
    tests_require=compute(),
)
"""


def test_setup_py_is_read_statically_including_module_level_names(scan):
    manifest = scan({"setup.py": SETUP_PY})["setup.py"]
    assert manifest.kind == "setup-py"
    found = {d.name: (d.line, d.purpose) for d in manifest.declarations}
    assert found == {
        "requests": (5, RUNTIME),
        "attrs": (6, RUNTIME),
        "click": (13, RUNTIME),
        "pytest": (8, TEST),
    }
    assert [(e.line, e.message) for e in manifest.errors] == [
        (15, "tests_require is not a literal list; not read"),
        (8, "extras_require is not a literal list; not read"),
    ]


def test_setup_py_with_syntax_errors_or_null_bytes_is_an_error(scan):
    manifests = scan({"setup.py": "setup(install_requires=[\n", "sub/setup.py": b"setup()\x00\n"})
    assert manifests["setup.py"].errors[0].message.startswith("invalid Python")
    assert manifests["sub/setup.py"].errors[0].message.startswith("invalid Python")


def test_python_file_without_setup_call_is_not_a_manifest(scan):
    assert scan({"setup.py": "print('hello')\n"}) == {}


PIPFILE = """\
[[source]]
url = "https://user:pw@pypi.example.com/simple"
name = "private"

[packages]
Django = "==5.0.2"
requests = {version = ">=2.31", extras = ["socks"], markers = "python_version >= '3.10'"}
anything = "*"
mylib = {git = "https://github.com/o/mylib.git", ref = "v1.2"}
localpkg = {path = "./localpkg", editable = true}

[dev-packages]
pytest = "*"

[docs]
mkdocs = ">=1"
"""


def test_pipfile_categories_versions_extras_markers_and_git(scan):
    manifest = scan({"Pipfile": PIPFILE})["Pipfile"]
    assert manifest.kind == "pipfile"
    assert manifest.errors == []
    found = {d.name: d for d in manifest.declarations}
    assert set(found) == {"django", "requests", "anything", "mylib", "pytest", "mkdocs"}
    assert (found["django"].line, found["django"].pin_level) == (6, EXACT)
    assert found["requests"].extras == ("socks",)
    assert found["requests"].marker == 'python_version >= "3.10"'
    assert found["anything"].pin_level == UNPINNED
    assert found["mylib"].url == "git+https://github.com/o/mylib.git@v1.2"
    assert (found["pytest"].purpose, found["mkdocs"].purpose) == (DEV, DOCS)
    assert "pw@" not in repr(manifest)


def test_a_bare_version_in_a_pipfile_means_exactly_that_version(scan):
    manifest = scan({"Pipfile": '[packages]\nscrapy-sentry-errors = "1.0.0"\n'})["Pipfile"]
    [declared] = manifest.declarations
    assert (declared.name, declared.specifier, declared.pin_level) == (
        "scrapy-sentry-errors",
        "==1.0.0",
        "exact",
    )


def test_a_git_package_in_pipfile_lock_is_locked_to_its_commit(scan):
    lock = (
        '{"_meta": {}, "default": {"core": {"git": "https://github.com/o/core.git",'
        ' "ref": "1d06f640cdcfd5986e089379a134f8aec35ce2a9"}}}'
    )
    [declared] = scan({"Pipfile.lock": lock})["Pipfile.lock"].declarations
    assert (declared.name, declared.pin_level) == ("core", "locked")
    assert (
        declared.url == "git+https://github.com/o/core.git@1d06f640cdcfd5986e089379a134f8aec35ce2a9"
    )
