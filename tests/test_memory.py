from __future__ import annotations

import gc

from config import memory


def test_serving_processes_freeze_start_up_objects_and_collect_young_ones_less_often():
    threshold = gc.get_threshold()
    try:
        memory.tune_for_serving()
        assert gc.get_freeze_count() > 10_000  # Django and our modules are loaded here
        assert gc.get_threshold()[0] == memory.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == threshold[1:]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_wsgi_application_applies_it(monkeypatch):
    import importlib

    import config.wsgi

    called = []
    monkeypatch.setattr(memory, "tune_for_serving", lambda: called.append(True))
    importlib.reload(config.wsgi)
    assert called == [True]
