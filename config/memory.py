"""Garbage-collector settings for long-running server processes (gunicorn workers).

A Django process keeps a few hundred thousand long-lived objects (modules, URL patterns,
settings, compiled templates). Every full collection walks all of them: in the triage
benchmark that was 80 to 100 ms, landing inside a request. Once the application is loaded they
are frozen (``gc.freeze``), so collections look only at what requests create, and young
objects are collected less often.
"""

from __future__ import annotations

import gc

# Allocations between young-generation collections (CPython's default is 700).
YOUNG_THRESHOLD = 20_000


def tune_for_serving() -> None:
    """Freeze what start-up built and collect young objects less often; call once loaded."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
