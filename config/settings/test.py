"""Test settings: SQLite unless DATABASE_URL / CELERY_BROKER_URL point at real services."""

from __future__ import annotations

import os

from config.settings.base import *  # noqa: F403
from config.settings.env import env_int

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = True
# No heartbeat thread inside ordinary tests (it would need its own connection); the fault
# drills start real workers with short heartbeats through the environment.
DEBTBOARD_SCAN_HEARTBEAT_SECONDS = env_int("DEBTBOARD_SCAN_HEARTBEAT_SECONDS", 3600)
# The advisory fixtures (and the PyPA snapshot of the integration tests) are frozen: their
# newest record grows older every day. Tests of that limit set it themselves.
DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = env_int("DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS", 0)
LOGGING = {"version": 1, "disable_existing_loggers": False}

# One id per test run, inherited by the worker processes the tests start.
_RUN = os.environ.setdefault("DEBTBOARD_TEST_RUN_ID", str(os.getpid()))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so a real worker process can share the test database; one per
    # test process, so two runs side by side never share it.
    _test_db = DATA_DIR / f"test-debtboard-{_RUN}.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}  # noqa: F405
if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DATA_DIR / f"test-broker-{_RUN}"),  # noqa: F405
        "data_folder_out": str(DATA_DIR / f"test-broker-{_RUN}"),  # noqa: F405
        "control_folder": str(DATA_DIR / f"test-broker-control-{_RUN}"),  # noqa: F405
        "store_processed": False,
    }
    for _folder in (f"test-broker-{_RUN}", f"test-broker-control-{_RUN}"):
        (DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)  # noqa: F405
DEBTBOARD_CLONE_DIR = str(DATA_DIR / "test-clones")  # noqa: F405
