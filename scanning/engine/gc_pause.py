"""Build large acyclic structures without the cyclic garbage collector running meanwhile."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold automatic cycle collection until the block ends.

    CPython collects every few hundred new container objects, and walks the whole heap each
    time the long-lived objects grow by a quarter. Loading the advisory mirror and matching
    20,000 pins creates some hundred thousand tuples, none of them in a cycle, and paid for
    one to three full walks of the worker's heap: a quarter of the run. Reference counting
    still frees everything at once; only cycle detection waits for the end of the block.
    Nested blocks are harmless: the outermost one turns collection back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
