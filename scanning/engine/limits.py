"""How much of a stranger's repository a scan is willing to fetch, list and parse.

Every limit has a default here and can be changed with a ``DEBTBOARD_*`` setting; they are read
when a scan starts, so a settings override in a test applies to the next scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

MB = 1024 * 1024


@dataclass(frozen=True)
class ParserLimits:
    """What the parser child may use: memory for the process; CPU and wall time per file."""

    memory_bytes: int
    cpu_seconds: int
    timeout_seconds: float


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_clone_bytes() -> int:
    """Size of a clone (``.git`` plus working tree) above which git is killed."""
    return _setting("DEBTBOARD_MAX_CLONE_MB", 500) * MB


def max_files() -> int:
    """Files listed per repository; the rest are reported as one "skipped" error."""
    return _setting("DEBTBOARD_MAX_FILES", 50_000)


def max_total_bytes() -> int:
    """Bytes of readable files listed per repository (files too large to read do not count)."""
    return _setting("DEBTBOARD_MAX_SCAN_MB", 1024) * MB


def parser_limits() -> ParserLimits:
    return ParserLimits(
        memory_bytes=_setting("DEBTBOARD_PARSER_MEMORY_MB", 1024) * MB,
        cpu_seconds=_setting("DEBTBOARD_PARSER_CPU_SECONDS", 20),
        timeout_seconds=float(_setting("DEBTBOARD_PARSER_TIMEOUT_SECONDS", 30)),
    )
