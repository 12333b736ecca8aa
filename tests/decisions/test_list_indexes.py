"""The triage list's filters find their records through an index, not the whole table.

At a million records a superuser's "overdue vulnerable" count read 100,000 rows of the table
(70 ms). Partial indexes only serve a query whose filter implies their condition, so these
check the plan of the list's own queries: with the table scan ruled out, the planner must still
be able to use the index meant for each filter. PostgreSQL only (what the scale targets are
measured on): SQLite's planner chooses among indexes by its own estimates and cannot be told
to leave the table alone.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from decisions.models import DecisionRecord
from decisions.selectors import records as selectors

TODAY = datetime.date(2026, 6, 1)
FILTERS = {"team": None, "repository": None, "kind": "", "owner": None, "severity": ""}
FILTERS |= {"state": "", "due": "", "unowned": False, "sort": ""}


def _count_plan(**filters) -> str:
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    records = selectors.records_filtered(
        records=DecisionRecord.objects.all(), filters=FILTERS | filters, today=TODAY
    )
    sql, params = records.order_by()[:10001].values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def records(repository):
    """3,000 records, a tenth of them vulnerable (with a severity), a third with a review date
    from 20 days past to 20 days ahead, in every state: enough for the planner to weigh."""
    states = ["new", "done", "triaged", "kept", "new", "rejected"]
    DecisionRecord.objects.bulk_create(
        DecisionRecord(
            repository=repository,
            subject=f"package-{n}",
            kind="vulnerable" if n % 10 == 0 else "unused",
            severity="high" if n % 10 == 0 else "",
            state=states[n % 6],
            review_date=TODAY + datetime.timedelta(days=n % 41 - 20) if n % 3 == 0 else None,
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE decisions_decisionrecord")


@pytest.mark.parametrize(
    ("filters", "indexes"),
    [
        # Either index of open dated records: which one is the planner's estimate.
        ({"due": "due"}, {"record_open_review_idx", "record_open_kind_review_idx"}),
        ({"due": "overdue"}, {"record_open_review_idx", "record_open_kind_review_idx"}),
        ({"due": "overdue", "kind": "vulnerable"}, {"record_open_kind_review_idx"}),
        ({"due": "due", "kind": "vulnerable"}, {"record_open_kind_review_idx"}),
        ({"severity": "high"}, {"record_severity_idx"}),
    ],
)
def test_list_filters_count_through_their_index(records, filters, indexes):
    plan = _count_plan(**filters)
    assert any(f"using {index} on" in plan for index in indexes), plan


def test_due_and_overdue_still_find_only_open_dated_records(records):
    def found(**filters):
        return set(
            selectors.records_filtered(
                records=DecisionRecord.objects.all(), filters=FILTERS | filters, today=TODAY
            ).values_list("pk", flat=True)
        )

    open_dated = DecisionRecord.objects.open().exclude(review_date=None)
    assert found(due="due") == set(
        open_dated.filter(review_date__lte=TODAY).values_list("pk", flat=True)
    )
    assert found(due="overdue", kind="vulnerable") == set(
        open_dated.filter(review_date__lt=TODAY, kind="vulnerable").values_list("pk", flat=True)
    )
    assert found(due="due")  # the fixture has some
