"""Which execution modes a scan looked at, and how long the longest scheduled job waits.

Both feed decisions: a removal needs evidence for every mode the repository has, and the
review window grows by the longest schedule (a monthly cron adds a month).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from scanning.evidence.modes import mode_for
from scanning.types import FileError

_CODE_SUFFIXES = (".py", ".ipynb")
_MAX_SCHEDULE_BYTES = 512_000
# Cron: minute hour day-of-month month day-of-week (five fields), as in crontabs,
# Kubernetes CronJobs and CI schedules.
_CRON_LINE = re.compile(
    r"""(?:schedule|cron)\s*[:=]\s*["']?((?:[\d*/,\-]+\s+){4}[\d*/,\-A-Za-z]+)["']?""", re.I
)
_CRONTAB_ENTRY = re.compile(r"^\s*((?:[\d*/,\-]+\s+){4}[\d*/,\-A-Za-z]+)\s+\S", re.M)
_NICKNAMES = {"@yearly": 365, "@annually": 365, "@monthly": 31, "@weekly": 7, "@daily": 1}
_NICKNAME = re.compile(r"(@yearly|@annually|@monthly|@weekly|@daily)\b")
_TIMEDELTA_DAYS = re.compile(r"timedelta\(\s*(?:days\s*=\s*)?(\d+)")
_TIMEDELTA_WEEKS = re.compile(r"timedelta\([^)]*weeks\s*=\s*(\d+)")
_CELERY_CRONTAB = re.compile(r"crontab\(([^)]*)\)")


def mode_coverage(
    paths: Sequence[str], errors: Sequence[FileError]
) -> tuple[dict[str, int], list[str]]:
    """(files read per execution mode, modes in which some file could not be read)."""
    seen = Counter(mode_for(p) for p in paths if p.endswith(_CODE_SUFFIXES))
    failed = {e.path for e in errors if e.path.endswith(_CODE_SUFFIXES)}
    incomplete = sorted({mode_for(p) for p in failed})
    return dict(seen), incomplete


def cron_interval_days(expression: str) -> int:
    """Approximate days between runs of a five-field cron expression (0 for sub-daily)."""
    fields = expression.split()
    if len(fields) != 5:
        return 0
    _, _, day_of_month, month, day_of_week = fields
    if month != "*" and not month.startswith("*/"):
        months = len(month.split(","))
        return max(1, 365 // months)
    if month.startswith("*/") and month[2:].isdigit():
        return 31 * int(month[2:])
    if day_of_month != "*":
        if day_of_month.startswith("*/") and day_of_month[2:].isdigit():
            return int(day_of_month[2:])
        return 31 // max(1, len(day_of_month.split(",")))
    if day_of_week != "*":
        return 7 // max(1, len(day_of_week.split(",")))
    return 0


def _celery_crontab_days(arguments: str) -> int:
    values = dict(re.findall(r"(\w+)\s*=\s*['\"]?([^,'\")]+)", arguments))
    expression = " ".join(
        values.get(name, "*").strip()
        for name in ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    )
    return cron_interval_days(expression)


def longest_job_interval_days(root: Path, paths: Sequence[str]) -> int:
    """The longest interval, in days, of any schedule found in the repository's files."""
    longest = 0
    for path in paths:
        lowered = path.lower()
        if not lowered.endswith((".py", ".yml", ".yaml", ".toml", ".cfg", ".ini", ".json")) and (
            "cron" not in lowered
        ):
            continue
        try:
            with (root / path).open("rb") as handle:
                text = handle.read(_MAX_SCHEDULE_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        if "cron" not in text.lower() and "timedelta" not in text and "schedule" not in text:
            continue
        candidates = [cron_interval_days(m) for m in _CRON_LINE.findall(text)]
        if "cron" in lowered:
            candidates += [cron_interval_days(m) for m in _CRONTAB_ENTRY.findall(text)]
        candidates += [_NICKNAMES[m] for m in _NICKNAME.findall(text)]
        candidates += [_celery_crontab_days(m) for m in _CELERY_CRONTAB.findall(text)]
        if "schedule" in text:
            candidates += [int(d) for d in _TIMEDELTA_DAYS.findall(text) if int(d) <= 366]
            candidates += [7 * int(w) for w in _TIMEDELTA_WEEKS.findall(text) if int(w) <= 53]
        longest = max([longest, *candidates])
    return longest
