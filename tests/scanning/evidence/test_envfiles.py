from __future__ import annotations

from .conftest import Scan, names


def test_pythonbreakpoint_in_an_env_file_imports_the_module_of_its_callable(scan: Scan) -> None:
    usages, errors = scan({".env.example": "DEBUG=1\nexport PYTHONBREAKPOINT='ipdb.set_trace'\n"})
    assert errors == []
    assert "ipdb" in names(usages)


def test_pythonbreakpoint_zero_and_other_variables_load_nothing(scan: Scan) -> None:
    usages, _ = scan({".env": "PYTHONBREAKPOINT=0\nSECRET_KEY=abc.def\nNAME=pandas\n"})
    assert usages == []


def test_a_broker_url_in_an_env_file_names_the_driver_celery_loads(scan: Scan) -> None:
    usages, _ = scan({"deploy/app.env": "CELERY_BROKER_URL=redis://cache:6379/0\n"})
    assert "redis" in names(usages)
