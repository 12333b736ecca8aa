"""Markdown building blocks shared by every Markdown output (exports, minutes, audit logs,
pull-request bodies, the CI gate's comment); ``escape`` is the one escaping function they all use.
Pure (no Django), so the command-line gate escapes exactly as the server does."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from inventory.text import reveal

# A URL of any scheme but http(s), or one that runs or embeds content without "//"; prose
# ("no lock file: …", "data: none") is no link.
_UNSAFE_LINK = re.compile(
    r"(?i)(?<![a-z0-9+.-])(?!https?://)[a-z][a-z0-9+.-]*://\S*"
    r"|(?<![a-z0-9+.-])(?:javascript|vbscript):\S+"
    r"|(?<![a-z0-9+.-])data:(?:[\w.+-]+/[\w.+-]+)?(?:;[^\s,;]*)*,\S*"
    r"|(?<![a-z0-9+.-])file:/\S*"
)
_RISKY_SCHEMES = ("javascript:", "vbscript:", "data:", "file:/")
LINK_REMOVED = "(link removed)"
# ASCII punctuation that is markup anywhere in a line (a backslash makes each literal), and
# "&", which would start an entity such as "&#64;".
_MARKDOWN_SPECIAL = re.compile(r"[\\|<>`*_\[\]#~&]")
# What starts a block when it starts a line: list items, setext underlines, ordered lists.
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")
# "@name" not preceded by a word character is a mention on GitHub (a notification to that
# person or team); a zero-width space after "@" keeps the text and drops the notification.
_MENTION = re.compile(r"(?<![0-9A-Za-z_])@(?=[0-9A-Za-z])")
NO_MENTION = "@&#8203;"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def drop_unsafe_links(value: str) -> str:
    """Replace links that are not http(s) (``javascript:``, ``data:``, ``ftp://`` …)."""
    return _UNSAFE_LINK.sub(LINK_REMOVED, value)


def _may_link(lowered: str) -> bool:
    # Cheap substring checks first: the regex runs only on values that could hold a link.
    return "://" in lowered or any(scheme in lowered for scheme in _RISKY_SCHEMES)


def escape(value: str) -> str:
    """Text from outside as Markdown that shows exactly that text, on one line.

    The one escaping function of every Markdown output (exports, minutes, audit logs,
    pull-request bodies). Hidden characters are shown as ``⟨U+XXXX⟩``; whitespace runs (line
    breaks too) become one space; links but http(s) are removed; every character that would be
    markup (emphasis, code, links, HTML, entities, table pipes, headings, a block start) is
    backslash-escaped; and "@name" notifies nobody. It stays inside a table cell.
    """
    value = " ".join(reveal(value).split())
    if ":" in value and _may_link(value.lower()):
        value = drop_unsafe_links(value)
    value = _MARKDOWN_SPECIAL.sub(r"\\\g<0>", value)
    value = _BLOCK_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), value
    )
    return _MENTION.sub(NO_MENTION, value)


def cell(value: Any) -> str:
    if value is None:
        return ""
    return escape(str(value))


def text(value: str) -> str:
    """A paragraph of free text: line breaks kept, everything else escaped like a cell."""
    # Only real line breaks: separators such as U+2028 are shown, not obeyed.
    lines = [escape(line) for line in _LINE_BREAK.split(reveal(value or ""))]
    return "  \n".join(line for line in lines if line)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    yield "| " + " | ".join(cell(h) for h in headers) + " |\n"
    yield "|" + "---|" * len(headers) + "\n"
    for row in rows:
        yield "| " + " | ".join(cell(v) for v in row) + " |\n"


def code(value: str) -> str:
    """An inline code span (no mention, no markup inside): hidden characters revealed, and the
    backticks and line breaks that would end it replaced."""
    return "`" + " ".join(reveal(value).replace("`", "'").split()) + "`"


def code_block(body: str, *, language: str = "") -> str:
    """A fenced block longer than any backtick run inside ``body``, so it cannot be closed early."""
    body = reveal(body)
    longest = run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body.rstrip()}\n{fence}\n"
