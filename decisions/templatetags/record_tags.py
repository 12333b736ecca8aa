from __future__ import annotations

from django import template

from decisions.forms.record_layout import SCALES

register = template.Library()


@register.filter
def score_scale(name: str) -> str:
    """What the ends of a 1-5 score mean (empty for any other field)."""
    return SCALES.get(name, "")
