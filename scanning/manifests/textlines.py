"""Best-effort line numbers for formats whose parsers forget them (TOML, INI, JSON)."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")


class LineFinder:
    """Finds the first line holding a string, searching from a table header when there is one."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.headers: dict[str, int] = {}
        for index, line in enumerate(self.lines):
            if "[" in line:
                match = _HEADER.match(line)
                if match:
                    key = match.group(1).replace('"', "").replace("'", "").replace(" ", "")
                    self.headers.setdefault(key, index)

    def section(self, name: str) -> int:
        """0-based index of the ``[name]`` header, or 0 when absent (search the whole text)."""
        return self.headers.get(name.replace(" ", ""), 0)

    def find(self, needle: str, start: int = 0) -> int:
        """1-based line of the first line from ``start`` holding ``needle`` quoted or bare, or 0."""
        if not needle:
            return 0
        for candidate in (f'"{needle}"', f"'{needle}'", needle):
            found = self._scan(candidate, start)
            if not found and start:
                found = self._scan(candidate, 0)
            if found:
                return found
        return 0

    def find_key(self, key: str, start: int = 0) -> int:
        """1-based line of ``key = ...`` (key bare or quoted) from ``start``; else 0."""
        for index in range(start, len(self.lines)):
            stripped = self.lines[index].lstrip()
            if key not in stripped:
                continue
            for quote in ("", '"', "'"):
                head = f"{quote}{key}{quote}"
                if stripped.startswith(head) and stripped[len(head) :].lstrip().startswith("="):
                    return index + 1
        return 0

    def text(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""

    def _scan(self, needle: str, start: int) -> int:
        for index in range(start, len(self.lines)):
            if needle in self.lines[index]:
                return index + 1
        return 0
