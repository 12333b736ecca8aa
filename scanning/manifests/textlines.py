"""Best-effort line numbers for formats whose parsers forget them (TOML, INI, JSON).

Lookups go through indexes built in one pass, so a hostile file with many entries and many
lines costs linear time, not entries times lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict

_QUOTED = re.compile(r'"([^"\\\n]*)"|\'([^\'\n]*)\'')


class LineFinder:
    """Finds the first line holding a string, searching from a table header when there is one."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.headers: dict[str, int] = {}
        self._quoted: dict[str, list[int]] = defaultdict(list)
        self._bare: dict[str, list[int]] = defaultdict(list)
        self._keys: dict[str, list[int]] = defaultdict(list)
        for index, line in enumerate(self.lines):
            stripped = line.strip()
            if stripped.startswith("["):
                self._add_header(stripped, index)
            if '"' in line or "'" in line:
                for match in _QUOTED.finditer(line):
                    self._quoted[match.group(1) or match.group(2) or ""].append(index)
            uncommented = stripped.split(" #", 1)[0].strip()
            self._bare[uncommented].append(index)
            key, equals, value = uncommented.partition("=")
            if equals:
                self._keys[key.strip().strip("\"'")].append(index)
                self._bare[value.strip()].append(index)  # INI: "tests_require = pytest"

    def section(self, name: str) -> int:
        """0-based index of the ``[name]`` header, or 0 when absent (search the whole text)."""
        return self.headers.get(name.replace(" ", ""), 0)

    def find(self, needle: str, start: int = 0) -> int:
        """1-based line from ``start`` holding ``needle`` quoted, as a whole line or as the value
        of ``key = needle``; else the first such line anywhere; else 0.
        """
        for index in (self._quoted, self._bare):
            found = _first_from(index.get(needle), start)
            if found:
                return found
        return 0

    def find_key(self, key: str, start: int = 0) -> int:
        """1-based line of ``key = ...`` (key bare or quoted) from ``start``; else 0."""
        return _first_from(self._keys.get(key), start)

    def text(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""

    def _add_header(self, stripped: str, index: int) -> None:
        body = stripped.split("#", 1)[0].strip()
        if body.endswith("]"):
            key = body.strip("[]").replace('"', "").replace("'", "").replace(" ", "")
            self.headers.setdefault(key, index)


def _first_from(indexes: list[int] | None, start: int) -> int:
    if not indexes:
        return 0
    position = bisect_left(indexes, start)
    return (indexes[position] if position < len(indexes) else indexes[0]) + 1
