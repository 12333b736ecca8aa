"""A server's configuration file kept in the repository is a use of that server."""

from __future__ import annotations

import pytest

from scanning.evidence import serverconfig
from scanning.types import CONFIG

from .conftest import Scan, names

_GUNICORN_SETTINGS = (
    'bind = "0.0.0.0:8000"\nworkers = 2\n\n\ndef pre_request(worker, req):\n    pass\n'
)


def test_a_gunicorn_configuration_module_is_a_use_of_gunicorn(scan: Scan) -> None:
    usages, errors = scan(
        {
            "notesserver/docker_gunicorn_configuration.py": (
                "from django.conf import settings\n" + _GUNICORN_SETTINGS
            ),
        }
    )
    assert not errors
    assert "gunicorn" in names(usages, kind=CONFIG, is_distribution=True, mode="web")
    assert "django.conf.settings" in names(usages)  # its own imports are still read


def test_a_server_default_configuration_name_is_a_use(scan: Scan) -> None:
    usages, _ = scan(
        {
            "gunicorn.conf.py": _GUNICORN_SETTINGS,
            "deploy/supervisord.conf": "[program:web]\ncommand=gunicorn app:app\n",
            "deploy/uwsgi.ini": "[uwsgi]\nmodule = app.wsgi\n",
        }
    )
    assert {"gunicorn", "supervisor", "uwsgi"} <= names(usages, kind=CONFIG)


@pytest.mark.parametrize(
    "name",
    ["gunicorn.py", "test_gunicorn.py", "gunicorn_workers.py", "uwsgi.py", "config.py", "conf.py"],
)
def test_a_file_only_mentioning_a_server_is_no_configuration(name: str) -> None:
    assert serverconfig.server_for(name) is None


@pytest.mark.parametrize(
    ("name", "server"),
    [
        ("gunicorn.conf.py", "gunicorn"),
        ("gunicorn_config.py", "gunicorn"),
        ("gunicorn-cfg.py", "gunicorn"),
        ("prod_gunicorn_settings.py", "gunicorn"),
        ("uwsgi.yaml", "uwsgi"),
        ("hypercorn_config.toml", "hypercorn"),
        ("supervisord.conf", "supervisor"),
        ("dagster_cloud.yaml", "dagster-cloud"),
    ],
)
def test_each_table_entry_names_its_server(name: str, server: str) -> None:
    found = serverconfig.server_for(name)
    assert found is not None
    assert found[0] == server
    assert found[1].startswith("https://")
