"""Packages a distribution loads by itself whenever they are installed.

Nothing of the project names them: no import, setting or call. redis-py parses replies with
hiredis when it is importable; uvicorn's default ``--loop auto`` and ``--http auto`` pick uvloop
and httptools when installed. Declared beside a used parent, such a package is in use; beside
an unused one it is as unused as its parent. Each entry gives the parent's documentation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Autoload:
    packages: tuple[str, ...]  # canonical distribution names the parent picks up
    source: str  # the parent's documentation saying so


LOADED_WHEN_INSTALLED: dict[str, Autoload] = {
    "redis": Autoload(("hiredis",), "https://github.com/redis/redis-py#installation"),
    "uvicorn": Autoload(
        ("httptools", "uvloop"), "https://www.uvicorn.org/settings/#implementation"
    ),
}


def parents_loading(name: str) -> tuple[str, ...]:
    """Distributions that load ``name`` (canonical) on their own when it is installed."""
    return tuple(
        sorted(parent for parent, entry in LOADED_WHEN_INSTALLED.items() if name in entry.packages)
    )
