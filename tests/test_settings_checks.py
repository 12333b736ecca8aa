from __future__ import annotations

import pytest
from django.core import checks


def _ids(*, deploy: bool = False) -> list[str]:
    return sorted(
        message.id
        for message in checks.run_checks(include_deployment_checks=deploy)
        if message.id.startswith("debtboard.")
    )


def test_the_shipped_settings_pass():
    assert _ids() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBTBOARD_PAGE_SIZE", 0),
        ("DEBTBOARD_SCAN_MAX_ATTEMPTS", 0),
        ("DEBTBOARD_WEIGHT_FILE_MB", "10"),
        ("DEBTBOARD_GIT_TIMEOUT_SECONDS", True),
        ("DEBTBOARD_ADVISORY_MAX_AGE_DAYS", -1),
        ("DEBTBOARD_IMPORT_NAMES_THREADS", 0),
        ("DEBTBOARD_MAX_FILES", 0),
        ("DEBTBOARD_PARSER_CPU_SECONDS", 1.5),
        ("DEBTBOARD_ARTIFACT_MIN_AGE_DAYS", -1),
        ("DEBTBOARD_ARTIFACT_MAX_OBJECTS", 0),
        ("DEBTBOARD_ARTIFACT_TICK_MINUTES", 0),
    ],
)
def test_a_number_out_of_range_is_an_error(settings, name, value):
    setattr(settings, name, value)
    assert _ids() == ["debtboard.E001"]


def test_a_huge_page_is_refused(settings):
    settings.DEBTBOARD_PAGE_SIZE = 10_000
    assert _ids() == ["debtboard.E002"]


@pytest.mark.parametrize("value", ["ftp://example.com", "example.com/debtboard", "https://"])
def test_the_base_url_must_be_absolute_http(settings, value):
    settings.DEBTBOARD_BASE_URL = value
    assert _ids() == ["debtboard.E003"]


def test_an_index_url_with_credentials_is_refused(settings):
    settings.DEBTBOARD_PACKAGE_INDEX_URL = "https://user:secret@pypi.example.com/simple"
    messages = [m for m in checks.run_checks() if m.id == "debtboard.E004"]
    assert len(messages) == 1
    assert "secret" not in messages[0].msg


def test_no_index_is_fine(settings):
    settings.DEBTBOARD_PACKAGE_INDEX_URL = ""
    assert _ids() == []


def test_an_advisory_source_over_plain_http_is_refused(settings):
    settings.DEBTBOARD_ADVISORY_SOURCE = "http://mirror.example.com/all.zip"
    assert _ids() == ["debtboard.E005"]


def test_a_missing_advisory_folder_is_a_warning(settings, tmp_path):
    settings.DEBTBOARD_ADVISORY_SOURCE = str(tmp_path / "not-there")
    assert _ids() == ["debtboard.W002"]
    settings.DEBTBOARD_ADVISORY_SOURCE = str(tmp_path)
    assert _ids() == []


def test_an_unknown_licence_family_is_refused(settings):
    settings.DEBTBOARD_LICENSE_DENYLIST = ["GPL", "MIT"]
    messages = [m for m in checks.run_checks() if m.id == "debtboard.E006"]
    assert len(messages) == 1
    assert "'MIT'" in messages[0].msg


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH", -0.01),
        ("DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH", float("nan")),
        ("DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH", "0.023"),
        ("DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS", "GLACIER-IR"),
        ("DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS", "STANDARD"),
    ],
)
def test_a_bad_artifact_price_or_cold_storage_class_is_an_error(settings, name, value):
    setattr(settings, name, value)
    messages = [m for m in checks.run_checks() if m.id.startswith("debtboard.")]
    assert [m.id for m in messages] == ["debtboard.E011"]
    assert name in messages[0].msg


def test_the_cold_storage_classes_are_those_s3_transitions_to():
    import botocore.session

    from scanning.checks import COLD_STORAGE_CLASSES

    model = botocore.session.get_session().get_service_model("s3")
    assert frozenset(model.shape_for("TransitionStorageClass").enum) == COLD_STORAGE_CLASSES


def test_local_repositories_warn_only_on_deploy(settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = True
    assert "debtboard.W001" not in _ids()
    assert "debtboard.W001" in _ids(deploy=True)


def test_a_credential_key_that_is_not_a_fernet_key_is_refused(settings):
    from cryptography.fernet import Fernet

    settings.DEBTBOARD_CREDENTIAL_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    messages = [m for m in checks.run_checks() if m.id == "debtboard.E007"]
    assert [m.msg for m in messages] == ["DEBTBOARD_CREDENTIAL_KEYS: key 2 is not a Fernet key."]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_a_per_process_cache_is_an_error_on_deploy(settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend}}
    assert "debtboard.E008" not in _ids()
    assert "debtboard.E008" in _ids(deploy=True)


def test_a_shared_cache_passes_on_deploy(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert "debtboard.E008" not in _ids(deploy=True)


def _production_check(**env: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    keep = {k: v for k, v in os.environ.items() if not k.endswith(("_URL", "SETTINGS_MODULE"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=Path(__file__).resolve().parents[1],
        env=keep
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "debtboard.example.com",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_cache_url_says_a_shared_cache_is_required():
    result = _production_check()
    assert result.returncode != 0
    assert "debtboard.E008" in result.stderr and "shared cache" in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"DEBTBOARD_CACHE_URL": "redis://127.0.0.1:1/3"},
        {"CELERY_BROKER_URL": "redis://127.0.0.1:1/15"},
    ],
    ids=["cache-url", "broker-redis"],
)
def test_production_uses_the_redis_it_is_given_as_its_cache(env):
    result = _production_check(**env)
    assert "debtboard.E008" not in result.stdout + result.stderr


def test_production_refuses_a_cache_url_it_cannot_use():
    result = _production_check(DEBTBOARD_CACHE_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "DEBTBOARD_CACHE_URL" in result.stderr
