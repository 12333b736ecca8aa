"""Who holds which role in a few teams, read once for a selection of many records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from inventory.models import EDITOR_ROLES, Membership


class Roster:
    """Every membership of ``team_ids`` with its user, from one query.

    Deciding a thousand records asks the same questions of the same few teams again and again
    (may this owner approve, who approves a proposal, may this person be notified); the roster
    answers them from memory instead of one query per record.
    """

    def __init__(self, team_ids: Iterable[int]) -> None:
        self.team_ids = frozenset(team_ids)
        self._roles: dict[tuple[int, int], str] = {}
        self._members: dict[int, list] = defaultdict(list)
        memberships = Membership.objects.filter(team_id__in=self.team_ids).select_related("user")
        for membership in memberships:
            self._roles[(membership.team_id, membership.user_id)] = membership.role
            self._members[membership.team_id].append((membership.user, membership.role))

    def role(self, *, user_id: int | None, team_id: int) -> str | None:
        """The member's role in the team, or None (not a member); only for the roster's teams."""
        if team_id not in self.team_ids:
            raise KeyError(f"team {team_id} is not in this roster")
        return self._roles.get((team_id, user_id)) if user_id is not None else None

    def is_editor(self, *, user_id: int | None, team_id: int) -> bool:
        return self.role(user_id=user_id, team_id=team_id) in EDITOR_ROLES

    def members(self, *, team_id: int, roles: Iterable[str]) -> list:
        """The users holding one of ``roles`` in the team, by username."""
        wanted = frozenset(roles)
        users = [user for user, role in self._members.get(team_id, ()) if role in wanted]
        return sorted(users, key=lambda user: user.username)
