from __future__ import annotations

from django import template

from inventory.text import reveal

register = template.Library()


@register.filter
def visible(value: object) -> str:
    """Show bidirectional and zero-width characters instead of letting them hide text."""
    return reveal("" if value is None else str(value))
