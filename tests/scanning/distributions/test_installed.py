from __future__ import annotations

import importlib.metadata
import sys

import pytest

from scanning.distributions import mapping


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="inference rules of Python 3.11")
def test_the_fast_reading_of_installed_metadata_gives_the_standard_answer():
    standard = importlib.metadata.packages_distributions()
    fast = mapping.packages_distributions()
    assert {k: sorted(v) for k, v in fast.items()} == {k: sorted(v) for k, v in standard.items()}
    assert "django" in fast  # something was read
