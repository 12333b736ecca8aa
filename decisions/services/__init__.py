"""Every write of the decisions app. Views and tasks call these; nothing else saves records."""

from __future__ import annotations

from decisions.services.api_tokens import (
    TooManyTokens,
    api_token_authenticate,
    api_token_create,
    api_token_lookup,
    api_token_revoke,
)
from decisions.services.meetings import (
    can_run_meetings,
    meeting_item_record,
    meeting_minutes_save,
    meeting_start,
)
from decisions.services.notifications import notify
from decisions.services.records import (
    EDITABLE_FIELDS,
    record_bulk_update,
    record_update,
    review_reminders_send,
)
from decisions.services.repositories import repositories_add, repository_set_state
from decisions.services.scans import (
    ScanBusy,
    ScanInterrupted,
    records_reconcile,
    repository_scan,
    scan_request,
    scans_reap,
)
from decisions.services.workflow import record_move, review_window_days

__all__ = [
    "EDITABLE_FIELDS",
    "ScanBusy",
    "ScanInterrupted",
    "TooManyTokens",
    "api_token_authenticate",
    "api_token_create",
    "api_token_lookup",
    "api_token_revoke",
    "can_run_meetings",
    "meeting_item_record",
    "meeting_minutes_save",
    "meeting_start",
    "notify",
    "record_bulk_update",
    "record_move",
    "record_update",
    "records_reconcile",
    "repositories_add",
    "repository_scan",
    "repository_set_state",
    "review_reminders_send",
    "review_window_days",
    "scan_request",
    "scans_reap",
]
