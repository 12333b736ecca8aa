"""TOML 1.1 documents read with the standard library's TOML 1.0 parser.

TOML 1.1 lets an inline table span lines, hold comments and end with a comma; uv writes
``uv.lock`` that way when a formatter set to 1.1 (tombi, taplo) has been over it, and
``tomllib`` of Python < 3.15 refuses the file. Such a table is folded onto one line (the
newlines it held move after its closing brace, so every later line keeps its number) and
parsed again; anything else wrong with the document is reported as before.
"""

from __future__ import annotations

import tomllib


def loads(text: str) -> dict[str, object]:
    """``tomllib.loads``, accepting TOML 1.1 inline tables; raises ``TOMLDecodeError``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        folded = fold_inline_tables(text)
        if folded == text:
            raise
        try:
            return tomllib.loads(folded)
        except tomllib.TOMLDecodeError:
            pass
        raise


def fold_inline_tables(text: str) -> str:
    """``text`` with every multi-line inline table written on one line (TOML 1.0)."""
    out: list[str] = []
    depth = 0  # inline-table nesting
    held = 0  # newlines removed from the open outermost inline table
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            close = _string_end(text, i, quote)
            out.append(text[i:close])
            i = close
            continue
        if char == "#":
            stop = text.find("\n", i)
            stop = end if stop < 0 else stop
            if not depth:
                out.append(text[i:stop])
            i = stop
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            _drop_trailing_comma(out)
            depth -= 1
            out.append(char)
            if not depth and held:
                out.append("\n" * held)
                held = 0
            i += 1
            continue
        elif depth and char in "\r\n":
            held += char == "\n"
            out.append(" ")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _string_end(text: str, start: int, quote: str) -> int:
    """Index just past the string opening at ``start`` (the end of the text if unclosed)."""
    i = start + len(quote)
    while i < len(text):
        if quote[0] == '"' and text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        if len(quote) == 1 and text[i] == "\n":
            return i  # an unclosed one-line string: let the parser say so
        i += 1
    return len(text)


def _drop_trailing_comma(out: list[str]) -> None:
    """Remove a comma (and the blanks after it) that ends the inline table being closed."""
    j = len(out) - 1
    while j >= 0 and out[j].isspace():
        j -= 1
    if j >= 0 and out[j] == ",":
        del out[j]
