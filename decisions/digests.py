"""Reads for the weekly digest: the review agenda (``meetings.agenda``) of each of a person's
teams, cut down to what is due, what a watch signal reopened and what waits for approval.

The digest and the meeting read the same selector, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from decisions import lifecycle
from decisions.models import MeetingSection
from decisions.selectors import meetings
from inventory.models import Membership, Role, Team

# The sections a digest shows, in this order.
DIGEST_SECTIONS = (MeetingSection.DUE, MeetingSection.FIRED, MeetingSection.APPROVAL)
# Who gets a team's digest: the people who run its review.
TEAM_DIGEST_ROLES = frozenset({Role.TRIAGER, Role.ADMIN})
WEEK = timedelta(days=7)


@dataclass
class TeamDigest:
    team: Team
    sections: dict[str, list[meetings.AgendaEntry]] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.sections.values())


@dataclass
class Digest:
    user: object
    on: date
    personal: dict[str, list[meetings.AgendaEntry]] = field(default_factory=dict)
    teams: list[TeamDigest] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(e) for e in self.personal.values()) + sum(len(t) for t in self.teams)


def _mine(entry: meetings.AgendaEntry, user, second_teams: set[int]) -> bool:
    record = entry.record
    if entry.section != MeetingSection.APPROVAL:
        return record.owner_id == user.pk
    if record.proposed_by_id == user.pk:
        return False
    if record.owner_id and record.owner_id != record.proposed_by_id:
        return record.owner_id == user.pk
    return record.repository.team_id in second_teams


def digest(*, user, on: date, personal: bool = True, team: bool = True) -> Digest:
    """What ``user`` gets on the week ending ``on``: their own due records, reopened records
    and approvals (``personal``), and the whole agenda of each team they lead (``team``)."""
    since = timezone.make_aware(datetime.combine(on - WEEK, time.min))
    result = Digest(user=user, on=on, personal={s: [] for s in DIGEST_SECTIONS})
    roles = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
    second_teams = {t for t, r in roles.items() if r in lifecycle.SECOND_APPROVER_ROLES}
    for one_team in Team.objects.filter(pk__in=roles).order_by("name"):
        agenda = meetings.agenda(user=user, team=one_team, on=on, since=since)
        if personal:
            for section in DIGEST_SECTIONS:
                result.personal[section] += [
                    e for e in agenda.sections[section] if _mine(e, user, second_teams)
                ]
        if team and roles[one_team.pk] in TEAM_DIGEST_ROLES:
            shown = TeamDigest(
                team=one_team, sections={s: agenda.sections[s] for s in DIGEST_SECTIONS}
            )
            if len(shown):
                result.teams.append(shown)
    return result
