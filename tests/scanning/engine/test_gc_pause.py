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


def test_a_file_is_parsed_with_collection_off_and_hashed_before(collector_on, tmp_path) -> None:
    from scanning.engine import pipeline

    (tmp_path / "app.py").write_text("import requests\n")
    seen = []

    def parse(root, path, context):
        seen.append(gc.isenabled())
        return pipeline.parse_file(root, path, context)

    context = pipeline.ParseContext(venvs=())
    _, usages, errors, digest, _ = pipeline._packed(parse, True, tmp_path, "app.py", context)
    assert seen == [False]
    assert gc.isenabled()
    assert [row[0] for row in usages] == ["requests"] and errors == [] and digest
