"""Reading many repositories at once: a pasted list or a CSV file, one repository a line.

Pure functions (no ORM): each line becomes a ``Line`` with its values, or with the reason it
is refused. Columns, in this order when there is no header: location, team, default branch,
release cycle (days), schedule (hours between scans). Only the location is required; a header
line naming the columns may reorder them (``release_cycle_days`` and ``scan_interval_hours``
are accepted as column names too).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from inventory import locations

COLUMNS = ("location", "team", "default_branch", "release_cycle", "schedule")
_ALIASES = {
    "release_cycle_days": "release_cycle",
    "scan_interval_hours": "schedule",
    "branch": "default_branch",
}
MAX_LINES = 2000
MAX_NUMBER = 10_000


@dataclass
class Line:
    number: int  # 1-based line of the input
    location: str = ""
    team: str = ""
    default_branch: str = ""
    release_cycle_days: int | None = None
    scan_interval_hours: int | None = None
    name: str = ""
    error: str = ""


def repository_name(location: str) -> str:
    """``https://host/org/shop.git`` -> ``shop``; ``git@host:org/shop`` -> ``shop``."""
    path = location.rstrip("/").rpartition(":")[2] if "://" not in location else location
    name = PurePosixPath(path.rstrip("/")).name
    return name.removesuffix(".git")[:200]


def _number(value: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_NUMBER:
        raise ValidationError(f"{label} must be a whole number from 1 to {MAX_NUMBER}.")
    return int(value)


def parse(text: str) -> list[Line]:
    """Every non-empty, non-comment line of ``text`` (a paste or a CSV file's content)."""
    rows = list(csv.reader(io.StringIO(text)))
    columns = list(COLUMNS)
    result: list[Line] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        header = [_ALIASES.get(c.lower(), c.lower()) for c in cells]
        if not result and "location" in header and set(header) <= set(COLUMNS):
            columns = header
            continue
        if len(result) >= MAX_LINES:
            result.append(Line(number, error=f"More than {MAX_LINES} lines: add the rest later."))
            break
        result.append(_line(number, dict(zip(columns, cells, strict=False)), extra=cells))
    return result


def _line(number: int, values: dict[str, str], *, extra: list[str]) -> Line:
    line = Line(number, location=values.get("location", ""), team=values.get("team", ""))
    line.default_branch = values.get("default_branch", "")[:200]
    try:
        if len(extra) > len(COLUMNS):
            raise ValidationError(f"At most {len(COLUMNS)} columns: {', '.join(COLUMNS)}.")
        bare, credentials = locations.split_credentials(line.location)
        if credentials is not None:
            raise ValidationError(
                "Credentials in a pasted location are refused; add them on the repository."
            )
        locations.validate_location(bare)
        line.release_cycle_days = _number(values.get("release_cycle", ""), "Release cycle")
        line.scan_interval_hours = _number(values.get("schedule", ""), "Schedule")
        line.name = repository_name(bare)
        if not line.name:
            raise ValidationError("No repository name can be read from this location.")
    except ValidationError as exc:
        line.location = locations.without_secrets(line.location)
        line.error = " ".join(exc.messages)
    return line
