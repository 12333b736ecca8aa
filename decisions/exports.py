"""CSV and Markdown renderings of decision records, streamed row by row."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.db.models import QuerySet

from decisions.models import DecisionRecord
from inventory import markdown
from inventory.text import reveal

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


def neutralise_formula(value: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading quote keeps them text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+|\.{2,}")


def safe_filename(*parts: str, extension: str) -> str:
    """A download name of letters, digits, dot, dash and underscore only (no quotes, no paths)."""
    stem = "-".join(p for p in (_FILENAME_UNSAFE.sub("-", part).strip(".-") for part in parts) if p)
    return f"{stem[:120] or 'debtboard'}.{extension}"


# Columns of COLUMNS read straight from the database (no model instances: ~10x faster to stream).
_ROW_FIELDS = (
    "repository__name",
    "subject",
    "kind",
    "state",
    "owner__username",
    "next_action",
    "review_date",
    "priority_score",
    "summary",
)


def record_rows(
    records: QuerySet[DecisionRecord], *, chunk_size: int = 5000
) -> Iterator[list[str]]:
    """The cells of COLUMNS for each record, in the queryset's order, fetched in chunks."""
    rows = records.values_list(*_ROW_FIELDS).iterator(chunk_size=chunk_size)
    for repository, subject, kind, state, owner, action, review, priority, summary in rows:
        # Every text cell revealed: hidden characters and terminal escapes (ANSI) become visible
        # markers instead of reordering or recolouring what a spreadsheet or terminal shows.
        yield [
            reveal(repository),
            reveal(subject),
            kind,
            state,
            reveal(owner or ""),
            action,
            review.isoformat() if review else "",
            str(priority),
            reveal(summary),
        ]


def csv_stream(records: QuerySet[DecisionRecord]) -> Iterator[str]:
    """CSV of the records, streamed in chunks without building model instances."""
    writer = csv.writer(_Echo())
    yield writer.writerow([title for _, title in COLUMNS])
    for row in record_rows(records):
        yield writer.writerow([neutralise_formula(v) for v in row])


def markdown_stream(records: QuerySet[DecisionRecord], *, title: str) -> Iterator[str]:
    """A Markdown table of the records, streamed in chunks without model instances."""
    yield f"# {markdown.escape(title)}\n\n"
    yield "| " + " | ".join(t for _, t in COLUMNS) + " |\n"
    yield "|" + "---|" * len(COLUMNS) + "\n"
    for row in record_rows(records):
        yield "| " + " | ".join(markdown.escape(v) for v in row) + " |\n"
