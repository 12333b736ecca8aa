"""Make invisible or direction-changing characters visible in text from repositories."""

from __future__ import annotations

import re

# Bidirectional controls (Trojan Source) and zero-width characters.
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


def reveal(text: str) -> str:
    """Replace each hidden character with a visible ``⟨U+XXXX⟩`` marker."""
    return _HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)
