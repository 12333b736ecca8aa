from __future__ import annotations

import gc

import pytest

from scanning.engine.gc_pause import collector_paused


@pytest.fixture
def collector_on():
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_collection_is_off_inside_and_back_on_after(collector_on) -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outermost block turns it back on

    assert gc.isenabled()


def test_collection_is_back_on_after_an_error(collector_on) -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")

    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on) -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_works_as_a_decorator(collector_on) -> None:
    @collector_paused()
    def enabled_inside() -> bool:
        return gc.isenabled()

    assert enabled_inside() is False
    assert gc.isenabled()
