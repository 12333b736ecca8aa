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
