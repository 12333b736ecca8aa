from __future__ import annotations

import pytest

from inventory.models import Role
from tests import factories


@pytest.fixture
def team(db):
    return factories.team()


@pytest.fixture
def viewer(team):
    return factories.member(team, Role.VIEWER)


@pytest.fixture
def triager(team):
    return factories.member(team, Role.TRIAGER)


@pytest.fixture
def repository(team):
    return factories.repository(team)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no login counted against 127.0.0.1: allauth keeps its rate
    limits (30 logins a minute per address) in the process's cache, which the browser tests'
    live server shares, so a fast run of many sign-ins was refused with 429 in a later test."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    default = caches["default"]
    if isinstance(default, LocMemCache):  # never a shared server's cache
        default.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _remove_test_broker_folders():
    yield
    import os
    import shutil

    from django.conf import settings

    run = os.environ.get("DEBTBOARD_TEST_RUN_ID")
    if run:
        for name in (f"test-broker-{run}", f"test-broker-control-{run}"):
            shutil.rmtree(settings.DATA_DIR / name, ignore_errors=True)


@pytest.fixture
def package_index(settings):
    """A local PEP 691 index (see tests/package_index.py), configured as the package index."""
    from tests.package_index import serve

    index, server = serve()
    settings.DEBTBOARD_PACKAGE_INDEX_URL = index.url
    settings.DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS = 2
    yield index
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server in its own process on a free localhost port, for the whole session."""
    from tests import s3_server as server

    with server.running() as running:
        yield running


@pytest.fixture
def s3(s3_server, settings):
    """The S3 server, with loopback endpoints allowed for artifact stores."""
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    return s3_server
