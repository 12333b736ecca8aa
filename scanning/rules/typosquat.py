"""Declared names that imitate a popular distribution: a typo away, or spelled with look-alikes.

Suspects only: a near name may be a legitimate package, and the finding says which popular name
it resembles so a person can check in seconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from scanning.distributions.popular import POPULAR
from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import asked_for
from scanning.types import Declaration, FileError, Finding

# Edits allowed by name length: two edits turn a short name into another real one, while a long
# name three edits away still reads as the same word. (length from, edits), longest first.
_EDITS_BY_LENGTH = ((15, 3), (8, 2), (0, 1))
_MIN_POPULAR_LENGTH = 4
_RAW_NAME = re.compile(r"^\s*([^\s<>=!~;\[(@,]+)")
_INVALID = ("invalid requirement:", "invalid name:")
# Letters from other scripts that render like Latin ones.
_HOMOGLYPHS = str.maketrans(
    {
        "\u0430": "a",
        "\u0435": "e",
        "\u043e": "o",
        "\u0440": "p",
        "\u0441": "c",
        "\u0443": "y",
        "\u0445": "x",
        "\u0456": "i",
        "\u0458": "j",
        "\u0455": "s",
        "\u0501": "d",
        "\u0261": "g",
        "\u03bf": "o",
        "\u03bd": "v",
        "\u03b1": "a",
        "\u03b9": "i",
        "\u03ba": "k",
        "\u03c1": "p",
        "\u03c4": "t",
        "\u017f": "s",
        "\u0131": "i",
        "\u212a": "k",
    }
)

_BY_LENGTH: dict[int, list[str]] = {}
for _name in sorted(POPULAR):
    if len(_name) >= _MIN_POPULAR_LENGTH:
        _BY_LENGTH.setdefault(len(_name), []).append(_name)


def distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (optimal string alignment); ``limit + 1`` once above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _is_word_swap(name: str, popular: str) -> bool:
    """``pytest-env`` vs ``pytest-cov``: one whole word differs, which is a sibling, not a typo."""
    words, popular_words = name.split("-"), popular.split("-")
    if len(words) != len(popular_words) or len(words) == 1:
        return False
    for word, other in zip(words, popular_words, strict=True):
        if word != other and distance(word, other) * 2 >= max(len(word), len(other)):
            return True
    return False


def max_edits(length: int) -> int:
    """How many edits away a name of ``length`` characters still imitates another."""
    return next(edits for shortest, edits in _EDITS_BY_LENGTH if length >= shortest)


@lru_cache(maxsize=8192)
def resembles(name: str) -> tuple[str, int] | None:
    """The popular name ``name`` is one or two edits from, with the distance; else None."""
    if name in POPULAR:
        return None
    limit = max_edits(len(name))
    best: tuple[str, int] | None = None
    for length in range(len(name) - limit, len(name) + limit + 1):
        for popular in _BY_LENGTH.get(length, ()):
            found = distance(name, popular, limit)
            closer = best is None or found < best[1]
            if found <= limit and closer and not _is_word_swap(name, popular):
                best = (popular, found)
    return best


def _scripts(text: str) -> list[str]:
    scripts = set()
    for char in text:
        if char.isalpha():
            scripts.add(unicodedata.name(char, "UNKNOWN").split()[0])
    return sorted(scripts)


def latin_skeleton(text: str) -> str:
    """ASCII look-alike of ``text``: homoglyphs replaced, accents dropped, lower case."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_HOMOGLYPHS))
    ascii_only = "".join(c for c in decomposed if c.isascii())
    return re.sub(r"[-_.]+", "-", ascii_only).lower()


def typosquats(
    declarations: list[Declaration],
    errors: list[FileError] = (),
    *,
    direct_kinds: dict[str, str] | None = None,
) -> list[Finding]:
    """Suspect names among declarations, and among requirement lines rejected for odd letters.

    Only names a person asked for are suspects (a lock lists what others pulled in). Declaring
    or importing the popular name too changes nothing: ``reqeusts`` beside ``requests`` is the
    usual typosquat, since the code works. Real siblings (``cattrs`` beside ``attrs``) are in
    the popular table themselves.
    """
    if direct_kinds is not None:
        declarations = asked_for(declarations, direct_kinds)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        by_name.setdefault(declaration.name, []).append(declaration)
    findings = []
    for name, found in sorted(by_name.items()):
        near = resembles(name)
        if near is not None:
            popular, edits = near
            findings.append(
                Finding(
                    kind=kinds.TYPOSQUAT,
                    subject=name,
                    summary=(
                        f"{name} is {edits} edit(s) from the popular package {popular}; "
                        f"check it is the package meant (declared at {found[0].path}:"
                        f"{found[0].line})."
                    ),
                    evidence=tuple(found),
                )
            )
    findings += _confusables(errors)
    return findings


def _confusables(errors: list[FileError]) -> list[Finding]:
    """Requirement lines whose name uses non-ASCII letters (rejected by the parser as invalid)."""
    findings: dict[str, Finding] = {}
    for error in errors:
        message = error.message
        prefix = next((p for p in _INVALID if message.startswith(p)), None)
        if prefix is None:
            continue
        match = _RAW_NAME.match(message.removeprefix(prefix))
        if not match or match.group(1).isascii() or not _typed(match.group(1)):
            continue
        written = match.group(1)
        skeleton = latin_skeleton(written)
        imitates = f"; it reads as {skeleton}"
        if skeleton in POPULAR:
            imitates += " (a popular package)"
        scripts = _scripts(written)
        mixed = " uses non-ASCII letters"
        if len(scripts) > 1:
            mixed = f" mixes scripts ({', '.join(scripts)})"
        evidence = Declaration(path=error.path, line=error.line, name=written, raw=written)
        findings.setdefault(
            written,
            Finding(
                kind=kinds.TYPOSQUAT,
                subject=written.lower(),
                summary=(
                    f"Requirement name {written!a} at {error.path}:{error.line}{mixed}{imitates}."
                ),
                evidence=(evidence,),
            ),
        )
    return list(findings.values())


def _typed(written: str) -> bool:
    """Whether a person could have typed ``written`` as a name: binary content read as text
    gives replacement characters (U+FFFD) and control characters, which imitate nothing.
    (Invisible format characters, such as a zero-width space, stay suspects.)"""
    return "\ufffd" not in written and not any(unicodedata.category(c) == "Cc" for c in written)


def find(context: RuleContext) -> list[Finding]:
    return typosquats(context.declarations, context.errors, direct_kinds=context.direct_kinds)
