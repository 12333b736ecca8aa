from __future__ import annotations

import sys
import textwrap

from scanning.types import DYNAMIC_IMPORT, STATIC_IMPORT

from .conftest import Scan, names


def test_static_imports_record_the_whole_dotted_name_and_line(scan: Scan) -> None:
    # Whole names, so a namespace import (google.cloud.storage) resolves to its distribution.
    source = "import os\nimport requests.adapters, yaml as y\nfrom django.db import models\n"
    usages, errors = scan({"app/views.py": source})
    assert errors == []
    by_name = {u.name: u for u in usages}
    assert set(by_name) == {"os", "requests.adapters", "yaml", "django.db.models"}
    assert by_name["requests.adapters"].line == 2
    assert by_name["django.db.models"].line == 3
    assert by_name["django.db.models"].kind == STATIC_IMPORT
    assert by_name["django.db.models"].mode == "web"
    assert not any(u.optional for u in usages)


def test_relative_and_future_imports_are_ignored(scan: Scan) -> None:
    usages, _ = scan(
        {"pkg/mod.py": "from __future__ import annotations\nfrom . import x\nfrom ..y import z\n"}
    )
    assert usages == []


def test_import_in_try_except_import_error_is_optional_and_so_is_fallback(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        try:
            import ujson as json
        except ImportError:
            import json
        try:
            import orjson
        except (ValueError, ModuleNotFoundError):
            pass
        try:
            import required_one
        except KeyError:
            pass
        """
    )
    usages, _ = scan({"pkg/fast.py": source})
    assert names(usages, optional=True) == {"ujson", "json", "orjson"}
    assert names(usages, optional=False) == {"required_one"}


def test_bare_except_and_suppress_make_import_optional(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import contextlib
        try:
            import a_lib
        except:
            a_lib = None
        with contextlib.suppress(ImportError):
            import b_lib
        """
    )
    usages, _ = scan({"pkg/m.py": source})
    assert names(usages, optional=True) == {"a_lib", "b_lib"}


def test_type_checking_imports_are_optional_with_detail(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import typing
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from django_stubs_ext import WithAnnotations
        if typing.TYPE_CHECKING:
            import mypy_boto3_s3
        else:
            import boto3
        """
    )
    usages, _ = scan({"pkg/m.py": source})
    typed = {u.name: u for u in usages if u.detail == "type-checking"}
    assert set(typed) == {"django_stubs_ext.WithAnnotations", "mypy_boto3_s3"}
    assert all(u.optional for u in typed.values())
    assert names(usages, optional=False) == {"typing", "typing.TYPE_CHECKING", "boto3"}


def test_imports_in_if_and_elif_branches_are_conditional_but_still_required(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import sys
        def run():
            if sys.platform == "win32":
                import pywintypes
            elif sys.version_info < (3, 11):
                import tomli
            else:
                import uvloop
            import lazy_needed
        if __name__ == "__main__":
            import click
        """
    )
    usages, _ = scan({"pkg/m.py": source})
    assert names(usages, optional=True) == set()
    assert names(usages, detail="conditional") == {"pywintypes", "tomli", "uvloop"}
    assert names(usages, optional=False) == {
        "sys", "pywintypes", "tomli", "uvloop", "lazy_needed", "click"
    }  # fmt: skip


def test_try_inside_an_if_branch_is_still_optional(scan: Scan) -> None:
    source = (
        "import os\nif os.name == 'nt':\n    try:\n        import colorama\n"
        "    except ImportError:\n        colorama = None\n"
    )
    usages, _ = scan({"pkg/m.py": source})
    assert names(usages, optional=True) == {"colorama"}


def test_literal_dynamic_imports_are_recorded(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import importlib, importlib.util, pkgutil
        from importlib import import_module
        importlib.import_module("markdown.extensions")
        import_module("bleach")
        __import__("lxml.etree")
        import_module(".sub", package="plugins_pkg")
        importlib.import_module(name_from_config)
        importlib.import_module(f"x_{y}")
        """
    )
    usages, _ = scan({"pkg/loader.py": source})
    dynamic = {u.name: u for u in usages if u.kind == DYNAMIC_IMPORT}
    assert set(dynamic) == {"markdown", "bleach", "lxml", "plugins_pkg"}
    assert dynamic["bleach"].line == 5
    assert not dynamic["bleach"].optional


def test_availability_probes_are_optional_dynamic_imports(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import importlib.util, pytest
        HAS_NUMPY = importlib.util.find_spec("numpy") is not None
        pd = pytest.importorskip("pandas")
        """
    )
    usages, _ = scan({"tests/test_x.py": source})
    dynamic = {u.name: u for u in usages if u.kind == DYNAMIC_IMPORT}
    assert set(dynamic) == {"numpy", "pandas"}
    assert all(u.optional and u.mode == "test" for u in dynamic.values())


def test_unparseable_python2_file_reports_error_and_falls_back_to_line_scan(scan: Scan) -> None:
    usages, errors = scan({"legacy/old.py": "import urllib2\nprint 'hello'\n"})
    assert len(errors) == 1
    assert errors[0].path == "legacy/old.py"
    assert errors[0].line == 2
    assert "syntax error" in errors[0].message
    assert names(usages) == {"urllib2"}
    assert usages[0].detail == "unparsed file: line scan"


def test_newer_f_string_syntax_still_yields_its_imports(scan) -> None:
    source = 'import requests\nfrom yaml import safe_load\nrow = {"a": 1}\nprint(f"{row["a"]}")\n'
    usages, errors = scan({"app/report.py": source})
    assert {u.name for u in usages} == {"requests", "yaml"}
    if sys.version_info < (3, 12):  # PEP 701 quotes do not parse here: say why, read lines
        assert len(errors) == 1
        assert "newer than this server's Python" in errors[0].message
    else:
        assert errors == []


def test_a_jinja_templated_settings_file_is_read_with_its_tags_blanked(scan) -> None:
    source = (
        "import os\n"
        "{%- if cookiecutter.use_celery == 'y' %}\n"
        "from celery.schedules import crontab\n"
        "{%- endif %}\n"
        "INSTALLED_APPS = [\n"
        "    'django.contrib.admin',\n"
        "    'crispy_forms',\n"
        "    '{{ cookiecutter.project_slug }}.users',\n"
        "]\n"
        "CACHES = {'default': {'BACKEND': 'django_redis.cache.RedisCache'}}\n"
    )
    usages, errors = scan({"{{cookiecutter.project_slug}}/config/settings/base.py": source})
    assert errors == []
    tops = {u.name.split(".")[0] for u in usages}
    assert tops == {"os", "celery", "django", "crispy_forms", "django_redis"}
    assert {u.line for u in usages if u.name == "crispy_forms"} == {7}
