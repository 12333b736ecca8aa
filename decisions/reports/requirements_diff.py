"""The change to requirement files that removing packages implies, as unified diffs.

Pure functions over text: which lines go (by the line numbers the scan stored, checked against
the current text) and the diff ``difflib`` renders from it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_SEPARATORS = re.compile(r"[-_.]+")


def _normalised(text: str) -> str:
    return _SEPARATORS.sub("-", text.lower())


def names_package(line: str, package: str) -> bool:
    """Whether ``line`` mentions the distribution ``package`` (PEP 503 name) as a whole word."""
    pattern = r"(?<![a-z0-9-])" + re.escape(_normalised(package)) + r"(?![a-z0-9-])"
    return re.search(pattern, _normalised(line)) is not None


@dataclass
class FileChange:
    path: str
    removed: list[int] = field(default_factory=list)  # 1-based line numbers
    problems: list[str] = field(default_factory=list)
    diff: str = ""


def remove_lines(path: str, text: str, targets: list[tuple[int, str]]) -> FileChange:
    """Drop each (line, package) from ``text`` (with its backslash continuation lines).

    A target whose line no longer names its package (the file changed since the scan) is left
    alone and reported in ``problems``.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"  # so the last line diffs like any other
    change = FileChange(path=path)
    drop: set[int] = set()
    for number, package in sorted(targets):
        index = number - 1
        if number < 1 or index >= len(lines) or not names_package(lines[index], package):
            change.problems.append(
                f"{path}: line {number} does not name {package} any more; edit it by hand."
            )
            continue
        drop.add(index)
        while lines[index].rstrip("\r\n").endswith("\\") and index + 1 < len(lines):
            index += 1
            drop.add(index)
    change.removed = sorted(n + 1 for n in drop)
    if drop:
        after = [line for n, line in enumerate(lines) if n not in drop]
        change.diff = "".join(
            difflib.unified_diff(lines, after, fromfile=f"a/{path}", tofile=f"b/{path}")
        )
    return change
