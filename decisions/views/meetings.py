"""Weekly review pages: agenda preview, meeting mode (one item at a time), minutes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url, trigger_client_event

from decisions import exports, services
from decisions.forms.meetings import AgendaForm, MeetingItemForm, MinutesForm
from decisions.models import MeetingItem, ReviewMeeting
from decisions.reports import minutes
from decisions.selectors import meetings
from inventory import text
from inventory.models import Repository
from scanning import selectors as scanning_selectors


def _meeting(request: HttpRequest, pk: int) -> ReviewMeeting:
    return get_object_or_404(
        ReviewMeeting.objects.for_user(request.user).select_related("team"), pk=pk
    )


def _item_context(request: HttpRequest, meeting: ReviewMeeting, item: MeetingItem | None) -> dict:
    items = list(meetings.meeting_items(user=request.user, meeting=meeting))
    can_run = services.can_run_meetings(user=request.user, team=meeting.team)
    if item is None and items:
        item = next((i for i in items if not i.discussed_at), items[0])
    position = items.index(item) if item in items else -1
    return {
        "meeting": meeting,
        "items": items,
        "item": item,
        "can_run": can_run,
        "item_form": (
            MeetingItemForm(record=item.record, user=request.user) if item and can_run else None
        ),
        "previous_item": items[position - 1] if position > 0 else None,
        "next_item": items[position + 1] if 0 <= position < len(items) - 1 else None,
    }


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Meetings of the user's teams, and the agenda a team would have on a chosen day."""
    form = AgendaForm(request.GET or None, user=request.user)
    if not form.is_bound:
        # One team: its agenda for today at once, instead of a form to confirm first.
        teams = list(form.fields["team"].queryset[:2])
        if len(teams) == 1:
            form = AgendaForm(
                {"team": teams[0].pk, "date": form.fields["date"].initial}, user=request.user
            )
    preview = None
    if form.is_bound and form.is_valid():
        preview = meetings.agenda(
            user=request.user, team=form.cleaned_data["team"], on=form.cleaned_data["date"]
        )
    context = {
        "form": form,
        "preview": preview,
        "meetings": ReviewMeeting.objects.for_user(request.user).select_related("team")[:100],
    }
    if preview is not None:
        # The same team and date start the meeting, for those who may run the team's review.
        startable = AgendaForm(user=request.user, editable_only=True).fields["team"].queryset
        context["can_start"] = startable.filter(pk=preview.team.pk).exists()
    template = "decisions/meeting_list.html"
    if request.htmx and request.htmx.target == "agenda-preview":
        template = "decisions/_agenda_preview.html"
    return render(request, template, context)


@require_POST
def meeting_start(request: HttpRequest) -> HttpResponse:
    form = AgendaForm(request.POST, user=request.user, editable_only=True)
    if not form.is_valid():
        if "team" in form.errors:
            raise PermissionDenied("Choose one of your teams and a date.")
        messages.error(request, " ".join(form.errors["date"]))
        return redirect("decisions:meeting-list")
    meeting = services.meeting_start(
        team=form.cleaned_data["team"], on=form.cleaned_data["date"], actor=request.user
    )
    return redirect("decisions:meeting-detail", pk=meeting.pk)


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = None
    item_id = text.as_id(request.GET.get("item", ""))
    if item_id is not None:
        item = get_object_or_404(
            meetings.meeting_items(user=request.user, meeting=meeting), pk=item_id
        )
    context = _item_context(request, meeting, item)
    if request.htmx and request.htmx.target == "meeting-item":
        response = render(request, "decisions/_meeting_item.html", context | {"oob": True})
        # The item's links push this address: the browser must not show this fragment for it.
        patch_vary_headers(response, ("HX-Request",))
        return response
    previous, changes = meetings.meeting_changes(user=request.user, meeting=meeting)
    context |= {
        "previous": previous,
        "changes": changes,
        "minutes_form": MinutesForm(
            team=meeting.team,
            initial={"attendees": meeting.attendees.all(), "minutes": meeting.minutes},
        ),
    }
    response = render(request, "decisions/meeting_detail.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
def meeting_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Record the meeting's decision on one item and re-render that item in place."""
    meeting = _meeting(request, pk)
    item = get_object_or_404(meetings.meeting_items(user=request.user, meeting=meeting), pk=item_pk)
    if not services.can_run_meetings(user=request.user, team=meeting.team):
        raise PermissionDenied("Viewers cannot record decisions in a review.")
    form = MeetingItemForm(request.POST, record=item.record, user=request.user)
    error = ""
    if form.is_valid():
        try:
            services.meeting_item_record(
                item=item,
                actor=request.user,
                changes=form.changes(),
                expected=form.loaded(),
                move=form.cleaned_data["move"],
                comment=form.cleaned_data["comment"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", None) or [str(exc)])
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    detail = reverse("decisions:meeting-detail", args=[meeting.pk])
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{detail}?item={item.pk}")
    item.refresh_from_db()
    context = _item_context(request, meeting, item) | {"error": error, "oob": True}
    if error:
        context["item_form"] = form
    response = render(request, "decisions/_meeting_item.html", context)
    # The address names the item, so a reload stays on it.
    push_url(response, f"{detail}?item={item.pk}")
    if not error:
        trigger_client_event(response, "meeting-item-saved", {"id": item.pk})
    return response


@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MinutesForm(request.POST, team=meeting.team)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.meeting_minutes_save(
                meeting=meeting,
                actor=request.user,
                attendees=list(form.cleaned_data["attendees"]),
                minutes=form.cleaned_data["minutes"],
            )
            messages.success(request, "Minutes saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    # Back to the item the meeting was on, not to the first open one.
    detail = reverse("decisions:meeting-detail", args=[meeting.pk])
    item_id = text.as_id(request.POST.get("item", ""))
    if item_id is not None and meeting.items.filter(pk=item_id).exists():
        return redirect(f"{detail}?item={item_id}")
    return redirect(detail)


@require_GET
def meeting_minutes_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    meeting = _meeting(request, pk)
    previous, changes = meetings.meeting_changes(user=request.user, meeting=meeting)
    lines = minutes.minutes_lines(
        meeting=meeting,
        items=meetings.meeting_items(user=request.user, meeting=meeting),
        previous=previous,
        changes=changes,
        gate=scanning_selectors.combined_gate(
            repositories=Repository.objects.for_user(request.user).filter(team=meeting.team)
        ),
    )
    response = StreamingHttpResponse(lines, content_type="text/markdown; charset=utf-8")
    filename = exports.safe_filename(
        "review", meeting.team.slug, meeting.date.isoformat(), extension="md"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
