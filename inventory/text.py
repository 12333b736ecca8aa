"""Text from outside: hidden characters made visible, ids read without surprises."""

from __future__ import annotations

import re

# Characters nobody sees but that change what text means or does: bidirectional controls
# (Trojan Source), zero-width characters, line and paragraph separators, tag characters (hidden
# ASCII), and C0/C1 controls but tab and line breaks (terminal escapes, bells, NUL).
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


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
