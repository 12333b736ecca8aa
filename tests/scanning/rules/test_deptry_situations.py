from __future__ import annotations

import pytest

from scanning.engine.report import code_for

from .deptry_situations import EXPECTED, SITUATIONS

_DEPTRY_CODES = {"DEP001", "DEP002", "DEP003", "DEP004"}


@pytest.mark.parametrize("name", sorted(SITUATIONS))
def test_deptry_codes_on_deptry_shaped_projects(scan, name):
    findings = scan(SITUATIONS[name])
    codes = {(code_for(f.kind), f.subject) for f in findings}
    assert {c for c in codes if c[0] in _DEPTRY_CODES} == EXPECTED[name]
