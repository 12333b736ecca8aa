"""``{% triage_row row %}``: one row of the triage list, from what ``triage.Rows`` made.

The row is written here, not in a template: a page prints 25 of them, and Django's template
engine spent some 90 microseconds on each (2.3 ms, a sixth of a team lead's request) resolving
and escaping its forty variables, where filling these strings takes a few. Every value is
escaped as a template escapes it (``conditional_escape``: option lists come already escaped,
as safe text), by ``_html``; ``format_html`` would do the same at ten times the cost. The
markup and its whitespace are the template's as it was.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe

from decisions.selectors.triage import escaped

register = template.Library()

_START = """
<tr id="record-{id}" class="{css_class}" tabindex="-1"
    data-href="{detail_url}">
  <td class="select">{select}</td>
  <td class="repository">{repository}</td>
  <td class="subject"><a href="{detail_url}"><strong>{subject}</strong></a></td>
  <td class="kind"><span class="tag kind-{kind}">{kind_label}</span>{severity}{also}</td>
  <td class="state">{state_label}</td>
  <td class="priority"><span class="card-label">Priority </span>{priority}</td>
  <td class="summary">{summary}</td>
  <td class="decision">
"""
_SELECT = (
    '<input type="checkbox" name="ids" value="{id}" form="bulk-form" aria-label="Select {label}">'
)
_SEVERITY = ' <span class="tag sev-{severity}">{severity_label}</span>'
_ALSO = '<span class="also-kinds" title="Other findings about this package here">{links}</span>'
_SIBLING = ' <a class="tag sibling" href="{link}">+ {label}</a>'
_EDITOR = """    <form method="post" action="{triage_url}" class="triage"
          hx-post="{triage_url}" hx-target="#record-{id}" hx-swap="outerHTML">
      {csrf}
      <input type="hidden" name="initial-owner" value="{loaded_owner}">
      <input type="hidden" name="initial-next_action" value="{loaded_next_action}">
      <input type="hidden" name="initial-review_date" value="{loaded_review_date}">
      <label class="visually-hidden" for="owner-{id}">Owner of {label}</label>
      <select name="owner" id="owner-{id}" data-key="a">
        <option value="">Unowned</option>
        {owner_options}
      </select>
      <label class="visually-hidden" for="next-action-{id}">Next action for {label}</label>
      <select name="next_action" id="next-action-{id}" data-key="n">
        <option value="">No next action</option>
        {action_options}
      </select>
      <label class="visually-hidden" for="review-date-{id}">Review date for {label}</label>
      <input type="date" name="review_date" id="review-date-{id}" data-key="r" value="{date}">
      <button type="submit">Save</button>
      {error}
    </form>
"""
_ERROR = '<p class="row-error" role="alert">{error}</p>'
_READ_ONLY = "    {owner} · {next_action}{review_date}\n"
_END = "  </td>\n</tr>\n"


def _html(markup: str, **values: object) -> SafeString:
    """``format_html(markup, **values)``: each value escaped unless it is safe text already."""
    # Safe: every value is escaped (or was safe), and the markup is ours.
    return mark_safe(markup.format_map({name: escaped(v) for name, v in values.items()}))  # noqa: S308


def _joined(markup: str, pairs: list[tuple[str, str]]) -> SafeString:
    # Safe: each part is _html's.
    return mark_safe("".join(_html(markup, link=link, label=label) for link, label in pairs))  # noqa: S308


@register.simple_tag(takes_context=True)
def triage_row(context: template.Context, row: dict, error: str = "") -> SafeString:
    """The ``<tr>`` of ``row`` (a dict from ``triage.Rows.row``), with ``error`` under its
    editors when a save was refused."""
    editable = row["can_edit"]
    parts = [
        _html(
            _START,
            id=row["id"],
            css_class=row["css_class"],
            detail_url=row["detail_url"],
            select=_html(_SELECT, id=row["id"], label=row["label"]) if editable else "",
            repository=row["repository"],
            subject=row["subject"],
            kind=row["kind"],
            kind_label=row["kind_label"],
            severity=_html(
                _SEVERITY, severity=row["severity"], severity_label=row["severity_label"]
            )
            if row["severity"]
            else "",
            also=_html(_ALSO, links=_joined(_SIBLING, row["also"])) if row["also"] else "",
            state_label=row["state_label"],
            priority=row["priority"],
            summary=row["summary"],
        )
    ]
    if editable:
        loaded = row["loaded"]
        parts.append(
            _html(
                _EDITOR,
                id=row["id"],
                triage_url=row["triage_url"],
                csrf=CsrfTokenNode().render(context),
                loaded_owner=loaded["owner"],
                loaded_next_action=loaded["next_action"],
                loaded_review_date=loaded["review_date"],
                label=row["label"],
                owner_options=row["owner_options"],
                action_options=row["action_options"],
                date=row["review_date"],
                error=_html(_ERROR, error=error) if error else "",
            )
        )
    else:
        parts.append(
            _html(
                _READ_ONLY,
                owner=row["owner_name"] or "Unowned",
                next_action=row["next_action_label"] or "no next action",
                review_date=f" · {row['review_date']}" if row["review_date"] else "",
            )
        )
    parts.append(_END)
    # Safe: each part is _html's, which escaped its values.
    return mark_safe("".join(parts))  # noqa: S308
