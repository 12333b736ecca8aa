"""Small Markdown building blocks shared by the reports (escaping lives in decisions.exports)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from decisions.exports import escape_markdown_cell


def cell(value: Any) -> str:
    if value is None:
        return ""
    return escape_markdown_cell(str(value))


def text(value: str) -> str:
    """A paragraph of free text: line breaks kept, everything else escaped like a cell."""
    lines = [escape_markdown_cell(line) for line in (value or "").splitlines()]
    return "  \n".join(line for line in lines if line)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    yield "| " + " | ".join(cell(h) for h in headers) + " |\n"
    yield "|" + "---|" * len(headers) + "\n"
    for row in rows:
        yield "| " + " | ".join(cell(v) for v in row) + " |\n"


def code(value: str) -> str:
    """An inline code span; backticks and line breaks cannot occur in the names shown this way."""
    return "`" + " ".join(value.replace("`", "'").split()) + "`"


def code_block(body: str, *, language: str = "") -> str:
    """A fenced block longer than any backtick run inside ``body``, so it cannot be closed early."""
    longest = run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body.rstrip()}\n{fence}\n"
