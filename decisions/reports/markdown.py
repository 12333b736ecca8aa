"""Markdown building blocks shared by every Markdown output (exports, minutes, audit logs,
pull-request bodies); ``escape`` is the one escaping function they all use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# A URL of any scheme but http(s), or a scheme that runs or embeds content without "//".
_UNSAFE_LINK = re.compile(
    r"(?i)(?<![a-z0-9+.-])(?!https?://)[a-z][a-z0-9+.-]*://\S*"
    r"|(?<![a-z0-9+.-])(?:javascript|vbscript|data|file):\S*"
)
_RISKY_SCHEMES = ("javascript", "vbscript", "data", "file")
LINK_REMOVED = "(link removed)"
_MARKDOWN_SPECIAL = re.compile(r"[\\|<>`*_\[\]]")


def drop_unsafe_links(value: str) -> str:
    """Replace links that are not http(s) (``javascript:``, ``data:``, ``ftp://`` …)."""
    return _UNSAFE_LINK.sub(LINK_REMOVED, value)


def _may_link(lowered: str) -> bool:
    # Cheap substring checks first: the regex runs only on values that could hold a link.
    return "://" in lowered or any(f"{scheme}:" in lowered for scheme in _RISKY_SCHEMES)


def escape(value: str) -> str:
    """Keep a value inside its table cell: no pipes, no line breaks, no stray HTML, and no
    link but http(s)."""
    value = " ".join(value.split())
    if ":" in value and _may_link(value.lower()):
        value = drop_unsafe_links(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", value)


def cell(value: Any) -> str:
    if value is None:
        return ""
    return escape(str(value))


def text(value: str) -> str:
    """A paragraph of free text: line breaks kept, everything else escaped like a cell."""
    lines = [escape(line) for line in (value or "").splitlines()]
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
