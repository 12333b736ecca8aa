from __future__ import annotations

from django import template

from inventory.text import reveal

register = template.Library()


@register.filter
def visible(value: object) -> str:
    """Show bidirectional and zero-width characters instead of letting them hide text."""
    return reveal("" if value is None else str(value))


@register.simple_tag(takes_context=True)
def signup_open(context) -> bool:
    """Whether people may create their own accounts here (the login page says so, or not)."""
    from allauth.account.adapter import get_adapter

    request = context.get("request")
    return request is not None and get_adapter(request).is_open_for_signup(request)
