"""How much of a stranger's repository a scan is willing to list and parse.

Pure values: the defaults live here, and callers that read settings (the Django app, the
command line) pass their own in ``ScanOptions``.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
MAX_FILES = 50_000  # files listed per repository; the rest are one "skipped" error
MAX_TOTAL_BYTES = 1024 * MB  # bytes of readable files listed per repository


@dataclass(frozen=True)
class ParserLimits:
    """What the parser child may use: memory for the process; CPU and wall time per file."""

    memory_bytes: int = 1024 * MB
    cpu_seconds: int = 20
    timeout_seconds: float = 30.0
