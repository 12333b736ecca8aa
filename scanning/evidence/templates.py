"""Python files that are Jinja templates (cookiecutter, copier): read with their tags blanked.

``{{ cookiecutter.project_slug }}.users`` and ``{%- if cookiecutter.use_celery == "y" %}``
make a settings file unparseable, and a line scan finds its imports but not the apps and
backends its settings name. Blanking the tags (same length, so lines and columns stay) and
putting a placeholder where a value was lets ``ast`` read the rest; both branches of a
template ``if`` are kept, since either may be generated.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_VALUE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
PLACEHOLDER = "TEMPLATED"


def has_tags(source: str) -> bool:
    return "{{" in source or "{%" in source


def blank_tags(source: str) -> str:
    """``source`` with statement/comment tags as spaces and ``{{ value }}`` as a placeholder."""

    def spaces(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    def placeholder(match: re.Match[str]) -> str:
        newlines = match.group().count("\n")
        return PLACEHOLDER + "\n" * newlines

    return _VALUE.sub(placeholder, _TAG.sub(spaces, source))


def from_placeholder(name: str) -> bool:
    """Whether a module name was made from a template value (the generated project's own)."""
    return name.split(".")[0].startswith(PLACEHOLDER)
