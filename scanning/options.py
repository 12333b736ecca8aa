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

_DEFAULTS = ScanOptions()


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def cache_dir() -> Path | None:
    """Where scan caches live; None (no caching) when no setting names a folder or it is off."""
    if not getattr(settings, "DEBTBOARD_SCAN_CACHE", True):
        return None
    configured = getattr(settings, "DEBTBOARD_SCAN_CACHE_DIR", None)
    if configured:
        return Path(configured)
    data_dir = getattr(settings, "DATA_DIR", None)
    return Path(data_dir) / "scan-cache" if data_dir else None


def scan_options(
    *,
    cache_key: object | None = None,
    known_first_party: Iterable[str] = (),
    weight_threshold_bytes: int | None = None,
    note_shallow_clone: bool = True,
) -> ScanOptions:
    """Options for one scan from the ``DEBTBOARD_*`` settings, with the caller's additions."""
    parser = _DEFAULTS.parser_limits
    if weight_threshold_bytes is None:
        weight_threshold_bytes = int(
            _setting("DEBTBOARD_WEIGHT_FILE_MB", _DEFAULTS.weight_threshold_bytes / MB) * MB
        )
    return ScanOptions(
        known_first_party=tuple(known_first_party),
        cache_key=cache_key,
        cache_dir=cache_dir() if cache_key is not None else None,
        cache_limit_bytes=int(
            _setting("DEBTBOARD_SCAN_CACHE_MB", _DEFAULTS.cache_limit_bytes / MB) * MB
        ),
        max_files=int(_setting("DEBTBOARD_MAX_FILES", _DEFAULTS.max_files)),
        max_total_bytes=int(_setting("DEBTBOARD_MAX_SCAN_MB", _DEFAULTS.max_total_bytes // MB))
        * MB,
        parser_limits=ParserLimits(
            memory_bytes=int(_setting("DEBTBOARD_PARSER_MEMORY_MB", parser.memory_bytes // MB))
            * MB,
            cpu_seconds=int(_setting("DEBTBOARD_PARSER_CPU_SECONDS", parser.cpu_seconds)),
            timeout_seconds=_setting("DEBTBOARD_PARSER_TIMEOUT_SECONDS", parser.timeout_seconds),
        ),
        workers=int(getattr(settings, "DEBTBOARD_SCAN_WORKERS", 0) or 0),
        weight_threshold_bytes=weight_threshold_bytes,
        note_shallow_clone=note_shallow_clone,
    )
