from __future__ import annotations

from pathlib import Path

import pytest

from scanning.evidence import collect_usages, first_party_modules
from scanning.evidence.first_party import is_foreign

from .conftest import write_repo


def test_root_package_is_first_party_but_not_what_is_nested_inside_it() -> None:
    found = first_party_modules(
        ["myapp/__init__.py", "myapp/core/__init__.py", "myapp/core/models.py", "README.md"]
    )
    assert "myapp" in found
    assert not found & {"core", "models", "README"}


def test_stubs_for_another_package_are_not_first_party() -> None:
    found = first_party_modules(
        [
            "pyproject.toml",
            "src/harlequin/__init__.py",
            "stubs/pyarrow/__init__.pyi",
            "stubs/pyarrow/compute.pyi",
            "typings/boto3/__init__.pyi",
            "src/fastext/__init__.py",
            "src/fastext/_speedups.pyi",
        ]
    )
    assert "harlequin" in found and "fastext" in found
    assert not found & {"pyarrow", "boto3", "compute"}


def test_a_stub_beside_code_in_a_stubs_folder_keeps_its_package() -> None:
    found = first_party_modules(["stubs/__init__.py", "stubs/local.pyi", "stubs/local.py"])
    assert "stubs" in found


def test_folder_named_like_a_distribution_inside_a_package_is_not_first_party() -> None:
    found = first_party_modules(
        [
            "src/shop/__init__.py",
            "src/shop/integrations/__init__.py",
            "src/shop/integrations/redis/__init__.py",
            "src/shop/integrations/redis/client.py",
            "tests/__init__.py",
            "tests/stripe/test_charges.py",
        ]
    )
    assert {"shop", "tests"} <= found
    assert not found & {"redis", "integrations", "stripe", "client"}


def test_folders_beside_a_project_file_are_import_roots() -> None:
    found = first_party_modules(
        [
            "services/api/pyproject.toml",
            "services/api/app/main.py",
            "web/manage.py",
            "web/orders/models.py",
            "examples/redis/demo.py",
        ]
    )
    assert {"app", "main", "orders", "manage", "demo"} <= found
    assert "redis" not in found


def test_src_layout_package_is_first_party() -> None:
    found = first_party_modules(["src/acme_tools/__init__.py", "src/acme_tools/cli.py"])
    assert "acme_tools" in found


def test_sibling_module_of_a_loose_script_is_first_party() -> None:
    found = first_party_modules(["scripts/report.py", "scripts/utils.py", "manage.py"])
    assert {"utils", "report", "manage", "scripts"} <= found


def test_non_identifiers_and_dunder_files_are_not_names() -> None:
    found = first_party_modules(
        ["app/migrations/0001_initial.py", "my-tools/run.py", "pkg/__init__.py", "pkg/__main__.py"]
    )
    assert found == {"app", "run", "pkg"}


def test_committed_virtualenv_and_vendored_code_are_not_first_party() -> None:
    found = first_party_modules(
        [
            "env/pyvenv.cfg",
            "env/lib/python3.11/site-packages/requests/__init__.py",
            "env/bin/activate_this.py",
            "app/_vendor/six.py",
            "node_modules/x/gyp/pylib/gyp_input.py",
            "app/main.py",
        ]
    )
    assert found == {"app", "main"}


def test_collect_usages_skips_committed_virtualenvs(tmp_path: Path) -> None:
    paths = write_repo(
        tmp_path,
        {
            "venv/pyvenv.cfg": "home = /usr/bin\n",
            "venv/lib/python3.11/site-packages/six.py": "import nose\n",
            "app/main.py": "import six\n",
        },
    )
    usages, _ = collect_usages(tmp_path, paths)
    assert [(u.name, u.path) for u in usages] == [("six", "app/main.py")]


@pytest.mark.parametrize(
    ("path", "foreign"),
    [
        ("app/main.py", False),
        ("src/acme.egg-info/top_level.py", True),
        ("acme.egg-info", False),  # a file named so, not a folder
        ("docs/egg-info-notes/x.py", False),
        ("lib/site-packages/six.py", True),
        ("env/bin/tool.py", True),
    ],
)
def test_is_foreign_by_folder(path: str, foreign: bool) -> None:
    assert is_foreign(path, ("env/",)) is foreign


def test_modules_of_a_package_outside_every_project_root_are_first_party() -> None:
    found = first_party_modules(
        ["docs/conf.py", "docs/_ext/__init__.py", "docs/_ext/llms_txt.py", "pyproject.toml"]
    )
    assert {"llms_txt", "_ext", "conf"} <= found


def test_a_module_of_a_namespace_folder_inside_a_package_is_not_top_level():
    from scanning.evidence import first_party_modules

    found = first_party_modules(
        ["config/__init__.py", "config/urls.py", "config/settings/jwt.py", "scripts/tool.py",
         "scripts/helpers.py"]
    )  # fmt: skip
    assert "jwt" not in found
    assert {"config", "helpers"} <= found


def test_the_folder_of_alembic_ini_is_an_import_root_even_inside_a_package() -> None:
    # src/ is a package, yet alembic runs beside src/alembic.ini: src/migrations/env.py
    # imports the application as ``app``, tests as ``src.app``.
    paths = [
        "src/__init__.py",
        "src/alembic.ini",
        "src/app/__init__.py",
        "src/app/main.py",
        "src/migrations/env.py",
        "tests/test_user.py",
    ]
    names = first_party_modules(paths)
    assert {"src", "app"} <= names
    # Without a project file there, src/app stays nested inside the package src.
    assert "app" not in first_party_modules([p for p in paths if p != "src/alembic.ini"])
