"""Reads for the weekly review: the agenda of a team on a date, and what changed between meetings.

Every read starts from ``DecisionRecord.objects.for_user(user)``, so a meeting never shows a
record its viewer could not open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from decisions.models import (
    DecisionEvent,
    DecisionRecord,
    MeetingSection,
    NextAction,
    ReviewMeeting,
    State,
)
from inventory.models import Membership, Team
from scanning.models import ScanRun

# Confidence at or below this makes a record "unclear" on the agenda.
UNCLEAR_CONFIDENCE = 2
# Without an earlier meeting, watch signals of this many days before the date are shown.
FIRST_MEETING_LOOKBACK = timedelta(days=7)
WATCH_SIGNAL_PREFIX = "Watch signal"
_MAX_CHANGES = 1000
# Days an agenda can be built for: it reads a week back and up to the end of its day, and
# date arithmetic past the calendar's ends raises OverflowError.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)


def check_day(on: date) -> None:
    """Raise ValidationError unless ``on`` is a day an agenda can be built for."""
    if not FIRST_DAY <= on <= LAST_DAY:
        raise ValidationError(
            f"Choose a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."
        )


@dataclass(frozen=True)
class AgendaEntry:
    record: DecisionRecord
    section: str
    overdue: bool = False


@dataclass
class Agenda:
    team: Team
    on: date
    since: datetime
    sections: dict[str, list[AgendaEntry]] = field(default_factory=dict)

    def entries(self) -> list[AgendaEntry]:
        return [entry for section in MeetingSection.values for entry in self.sections[section]]

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.sections.values())


def day_end(on: date) -> datetime:
    """The first instant after ``on`` in the current time zone."""
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


def team_records(*, user, team: Team) -> QuerySet[DecisionRecord]:
    return (
        DecisionRecord.objects.for_user(user)
        .filter(repository__team=team)
        .select_related("repository", "owner")
    )


def previous_meeting(*, team: Team, on: date) -> ReviewMeeting | None:
    return ReviewMeeting.objects.filter(team=team, date__lt=on).order_by("-date", "-id").first()


def watch_signal_events(*, records: QuerySet[DecisionRecord], since: datetime, until: datetime):
    """State events that reopened a record, or that a scan wrote as a watch signal."""
    return DecisionEvent.objects.filter(
        record__in=records,
        field="state",
        created_at__gte=since,
        created_at__lt=until,
    ).filter(Q(new_value=State.REOPENED) | Q(comment__startswith=WATCH_SIGNAL_PREFIX))


def agenda(*, user, team: Team, on: date, since: datetime | None = None) -> Agenda:
    """The review agenda of ``team`` for the day ``on``; each record appears once, in the first
    section that matches (not made, due, unclear, unclaimed, fired, approval, approved).

    - not made: removals in their review window that the latest scan still finds declared;
    - due: open records whose review date is ``on`` or earlier, highest priority first;
    - unclear: next action "investigate", or confidence of ``UNCLEAR_CONFIDENCE`` or less,
      unless it waits for or has its owner's approval;
    - unclaimed: no owner, or an owner who is inactive, has left the team or can no longer
      approve (a viewer);
    - fired: watch signals since ``since`` (default: the previous meeting was started, or a
      week before ``on``);
    - approval: proposals waiting for their owner;
    - approved: approved changes nobody has made yet (no review window started).
    """
    check_day(on)
    if since is None:
        previous = previous_meeting(team=team, on=on)
        since = (
            previous.created_at
            if previous
            else timezone.make_aware(datetime.combine(on - FIRST_MEETING_LOOKBACK, time.min))
        )
    records = team_records(user=user, team=team)
    open_records = records.open()
    # Owners who can still act on the record: active, and able to approve in this team.
    members = Membership.objects.editors().filter(team=team, user__is_active=True).values("user")
    fired_ids = watch_signal_events(records=records, since=since, until=day_end(on)).values(
        "record"
    )
    latest_scan = (
        ScanRun.objects.succeeded()
        .filter(repository=OuterRef("repository"))
        .order_by("-finished_at", "-id")
    )
    by_priority = (F("priority_score").desc(), F("review_date").asc(nulls_last=True), "id")
    queries = {
        MeetingSection.NOT_MADE: open_records.filter(
            state=State.IN_REVIEW_WINDOW,
            change_not_made_scan=Subquery(latest_scan.values("pk")[:1]),
        ).order_by(*by_priority),
        MeetingSection.DUE: open_records.filter(review_date__lte=on).order_by(
            F("review_date").asc(), *by_priority
        ),
        # A proposal waiting for or holding its owner's approval is decided, whatever the
        # confidence: it is listed in its own section below.
        MeetingSection.UNCLEAR: open_records.filter(
            Q(next_action=NextAction.INVESTIGATE) | Q(confidence__lte=UNCLEAR_CONFIDENCE)
        )
        .exclude(state__in=(State.AWAITING_APPROVAL, State.APPROVED))
        .order_by(*by_priority),
        MeetingSection.UNCLAIMED: open_records.filter(
            Q(owner__isnull=True) | ~Q(owner__in=members)
        ).order_by(*by_priority),
        MeetingSection.FIRED: open_records.filter(pk__in=fired_ids).order_by(*by_priority),
        MeetingSection.APPROVAL: records.filter(state=State.AWAITING_APPROVAL).order_by(
            *by_priority
        ),
        MeetingSection.APPROVED: records.filter(state=State.APPROVED).order_by(*by_priority),
    }
    result = Agenda(team=team, on=on, since=since)
    listed: set[int] = set()
    for section, query in queries.items():
        entries = []
        for record in query:
            if record.pk in listed:
                continue
            listed.add(record.pk)
            overdue = record.review_date is not None and record.review_date < on
            entries.append(AgendaEntry(record=record, section=section, overdue=overdue))
        if section == MeetingSection.DUE:
            # Overdue and due alike are ordered by impact, not by how late they are.
            entries.sort(
                key=lambda e: (-e.record.priority_score, e.record.review_date, e.record.pk)
            )
        result.sections[section] = entries
    return result


def changes_between(
    *, user, team: Team, start: datetime | None, end: datetime
) -> list[DecisionEvent]:
    """History of the team's visible records written in [start, end), oldest first."""
    events = DecisionEvent.objects.filter(
        record__in=DecisionRecord.objects.for_user(user).filter(repository__team=team),
        created_at__lt=end,
    )
    if start is not None:
        events = events.filter(created_at__gte=start)
    return list(
        events.select_related("record__repository", "actor").order_by("created_at", "id")[
            :_MAX_CHANGES
        ]
    )


def meeting_changes(*, user, meeting: ReviewMeeting) -> tuple[ReviewMeeting | None, list]:
    """(previous meeting, what changed from when it started until this one started)."""
    previous = meeting.previous()
    if previous is None:
        return None, []
    return previous, changes_between(
        user=user, team=meeting.team, start=previous.created_at, end=meeting.created_at
    )


def meeting_items(*, user, meeting: ReviewMeeting):
    """The meeting's agenda items whose records ``user`` may see, in agenda order."""
    return (
        meeting.items.filter(record__in=DecisionRecord.objects.for_user(user))
        .select_related("record__repository", "record__owner", "discussed_by")
        .order_by("position")
    )
