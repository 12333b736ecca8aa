"""Text from outside: hidden characters made visible, ids read without surprises."""

from __future__ import annotations

import re

# Bidirectional controls (Trojan Source) and zero-width characters.
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


def reveal(text: str) -> str:
    """Replace each hidden character with a visible ``⟨U+XXXX⟩`` marker."""
    return _HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


# Larger ids than a 64-bit column holds make SQLite raise instead of finding nothing.
_MAX_ID_DIGITS = 18


def as_id(value: str) -> int | None:
    """``value`` as a primary key when it is one written in ASCII digits, else None.

    ``str.isdigit`` alone lets through "²" (which ``int`` refuses) and numbers no column holds.
    """
    if value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS:
        return int(value)
    return None
