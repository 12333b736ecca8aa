"""Scan options from this installation's settings: what the engine is told by the Django side.

The engine (``scanning.engine``) never reads settings; the worker and ``manage.py scan`` build
its options here, so a settings override applies to the next scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from scanning.engine.limits import MB, ParserLimits
from scanning.engine.options import ScanOptions


def cache_dir() -> Path | None:
    """Where scan caches live; None (no caching) when no folder is named or caching is off."""
    if not settings.DEBTBOARD_SCAN_CACHE or not settings.DEBTBOARD_SCAN_CACHE_DIR:
        return None
    return Path(settings.DEBTBOARD_SCAN_CACHE_DIR)


def scan_options(
    *,
    cache_key: object | None = None,
    known_first_party: Iterable[str] = (),
    weight_threshold_bytes: int | None = None,
    note_shallow_clone: bool = True,
) -> ScanOptions:
    """Options for one scan from the ``DEBTBOARD_*`` settings, with the caller's additions."""
    if weight_threshold_bytes is None:
        weight_threshold_bytes = int(settings.DEBTBOARD_WEIGHT_FILE_MB * MB)
    return ScanOptions(
        known_first_party=tuple(known_first_party),
        cache_key=cache_key,
        cache_dir=cache_dir() if cache_key is not None else None,
        cache_limit_bytes=int(settings.DEBTBOARD_SCAN_CACHE_MB * MB),
        max_files=int(settings.DEBTBOARD_MAX_FILES),
        max_total_bytes=int(settings.DEBTBOARD_MAX_SCAN_MB * MB),
        parser_limits=ParserLimits(
            memory_bytes=int(settings.DEBTBOARD_PARSER_MEMORY_MB * MB),
            cpu_seconds=int(settings.DEBTBOARD_PARSER_CPU_SECONDS),
            timeout_seconds=float(settings.DEBTBOARD_PARSER_TIMEOUT_SECONDS),
        ),
        workers=int(settings.DEBTBOARD_SCAN_WORKERS or 0),
        weight_threshold_bytes=weight_threshold_bytes,
        note_shallow_clone=note_shallow_clone,
    )
