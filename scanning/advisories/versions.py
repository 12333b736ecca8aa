"""PEP 440 versions as plain tuples of ints and strings.

``packaging`` parses; this turns a parsed ``Version`` into a tuple that orders and compares
exactly as the ``Version`` does, so matching thousands of pins sorts, bisects and hashes in C
instead of calling ``Version.__lt__``, ``__eq__`` and ``__hash__`` millions of times.

A key is ``(epoch, release, pre_rank, pre, post_rank, post, dev_rank, dev)``, followed by the
local label's segments when there is one: its first ``PUBLIC_LENGTH`` items are the key of the
public version, and a version without a local label sorts before the same one with a label.
"""

from __future__ import annotations

import functools

from packaging.version import InvalidVersion, Version

VersionKey = tuple  # see the module docstring for its layout
PUBLIC_LENGTH = 8

# A dev release with neither pre nor post (1.0.dev1) sorts before 1.0a1; a final release
# (no pre) after 1.0rc9.
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_DEV_ONLY = -1
_NO_PRE = 3


def key_of(version: Version) -> VersionKey:
    """The order key of ``version``, local label included."""
    release = version.release
    end = len(release)
    while end and release[end - 1] == 0:  # 1.0.0 == 1.0 == 1
        end -= 1
    pre, post, dev = version.pre, version.post, version.dev
    if pre is not None:
        pre_rank, pre_number = _PRE_RANK[pre[0]], pre[1]
    elif post is None and dev is not None:
        pre_rank, pre_number = _DEV_ONLY, 0
    else:
        pre_rank, pre_number = _NO_PRE, 0
    key = (
        version.epoch,
        release[:end],
        pre_rank,
        pre_number,
        0 if post is None else 1,
        post or 0,
        1 if dev is None else 0,  # 1.0.dev1 < 1.0
        dev or 0,
    )
    if version.local is None:
        return key
    # PEP 440: numeric segments compare as numbers and above any alphanumeric segment.
    segments = version.local.split(".")
    return (*key, tuple((int(part), "") if part.isdigit() else (-1, part) for part in segments))


@functools.lru_cache(maxsize=65_536)
def parse_key(text: str) -> VersionKey | None:
    """The order key of the version ``text`` (local label included), or ``None`` if not PEP 440."""
    try:
        return key_of(Version(text.strip()))
    except InvalidVersion:
        return None


@functools.lru_cache(maxsize=65_536)
def public_key(text: str) -> VersionKey | None:
    """The order key of the public part of ``text`` (local label dropped), or ``None``."""
    key = parse_key(text)
    return key if key is None or len(key) == PUBLIC_LENGTH else key[:PUBLIC_LENGTH]
