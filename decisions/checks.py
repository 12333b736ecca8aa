"""System checks of the ``DEBTBOARD_*`` settings of the decisions app (pages, links)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from inventory.checks import http_url, whole_numbers

MINIMUMS = {"DEBTBOARD_PAGE_SIZE": 1, "DEBTBOARD_COUNT_LIMIT": 1}
MAX_PAGE_SIZE = 500


@register(Tags.compatibility)
def check_decisions_settings(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list:
    return [*whole_numbers(MINIMUMS), *_page_size(), *http_url("DEBTBOARD_BASE_URL", required=True)]


def _page_size() -> list[CheckMessage]:
    page_size = settings.DEBTBOARD_PAGE_SIZE
    if isinstance(page_size, int) and not isinstance(page_size, bool) and page_size > MAX_PAGE_SIZE:
        return [
            Error(
                f"DEBTBOARD_PAGE_SIZE is {page_size}; pages over {MAX_PAGE_SIZE} rows make the "
                "triage list slow for everyone.",
                id="debtboard.E002",
            )
        ]
    return []
