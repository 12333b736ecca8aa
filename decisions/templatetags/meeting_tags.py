from __future__ import annotations

from django import template

from decisions.models import MeetingSection
from decisions.reports.minutes import event_summary

register = template.Library()


@register.filter
def section_label(value: str) -> str:
    return MeetingSection(value).label if value in MeetingSection.values else value


@register.filter
def event_text(event) -> str:
    return event_summary(event)
