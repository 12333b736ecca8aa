"""What one scan is told: everything the engine would otherwise read from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scanning.engine.limits import MAX_FILES, MAX_TOTAL_BYTES, MB, ParserLimits
from scanning.rules import weights

DEFAULT_WEIGHT_THRESHOLD_BYTES = weights.DEFAULT_THRESHOLD_BYTES
DEFAULT_CACHE_LIMIT_BYTES = 256 * MB


@dataclass(frozen=True)
class ScanOptions:
    """How to scan one checkout; built by the caller (from settings, or command-line flags).

    ``cache_key`` names the repository (never shared between two) whose previous scan's
    per-file evidence may be reused from ``cache_dir``; either None reads every file.
    """

    known_first_party: tuple[str, ...] = ()
    cache_key: object | None = None
    cache_dir: Path | None = None
    cache_limit_bytes: int = DEFAULT_CACHE_LIMIT_BYTES
    max_files: int = MAX_FILES
    max_total_bytes: int = MAX_TOTAL_BYTES
    parser_limits: ParserLimits = field(default_factory=ParserLimits)
    workers: int = 0  # parser children; 0 = up to two of the CPUs this process may use
    weight_threshold_bytes: int = DEFAULT_WEIGHT_THRESHOLD_BYTES
    # A server's checkouts are always shallow: saying so on every scan is noise there.
    note_shallow_clone: bool = True
    # Fork the parser children from this process (single-threaded: a command-line scan)
    # instead of from a supervisor process started for them.
    parse_in_process: bool = False
