"""CSV and Markdown renderings of decision records, streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from decisions.models import DecisionRecord

COLUMNS = (
    ("repository", "Repository"),
    ("subject", "Subject"),
    ("kind", "Kind"),
    ("state", "State"),
    ("owner", "Owner"),
    ("next_action", "Next action"),
    ("review_date", "Review date"),
    ("priority", "Priority"),
    ("summary", "Summary"),
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _values(record: DecisionRecord) -> list[str]:
    return [
        record.repository.name,
        record.subject,
        record.kind,
        record.state,
        record.owner.username if record.owner else "",
        record.next_action,
        record.review_date.isoformat() if record.review_date else "",
        str(record.priority),
        record.summary,
    ]


def neutralise_formula(value: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading quote keeps them text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[DecisionRecord]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([title for _, title in COLUMNS])
    for record in records:
        yield writer.writerow([neutralise_formula(v) for v in _values(record)])


def escape_markdown_cell(value: str) -> str:
    """Keep a value inside its table cell: no pipes, no line breaks, no stray HTML."""
    value = " ".join(value.split())
    for char in ("\\", "|", "<", ">", "`", "*", "_", "[", "]"):
        value = value.replace(char, "\\" + char)
    return value


def markdown_lines(records: Iterable[DecisionRecord], *, title: str) -> Iterator[str]:
    yield f"# {escape_markdown_cell(title)}\n\n"
    yield "| " + " | ".join(t for _, t in COLUMNS) + " |\n"
    yield "|" + "---|" * len(COLUMNS) + "\n"
    for record in records:
        yield "| " + " | ".join(escape_markdown_cell(v) for v in _values(record)) + " |\n"
