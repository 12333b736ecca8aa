from __future__ import annotations

import pytest

from scanning.advisories.index import AdvisoryIndex
from tests.scanning.advisories.support import fixture_advisories


@pytest.fixture
def fixture_index() -> AdvisoryIndex:
    return AdvisoryIndex(fixture_advisories())
