"""The decision record state machine: which move is allowed from which state, and for whom.

Pure rules (no writes): services call ``check`` before they change anything, so the same
answer serves the buttons a page shows and the server's refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from decisions.models import CLOSED_STATES, DecisionRecord, NextAction, State
from inventory.models import EDITOR_ROLES, Membership, Role
from inventory.roster import Roster

# Next actions that change the repository and therefore need the owner's approval.
CHANGING_ACTIONS = frozenset(
    {
        NextAction.REMOVE,
        NextAction.ARCHIVE,
        NextAction.DISABLE,
        NextAction.REDUCE,
        NextAction.DECLARE,
        NextAction.UPGRADE,
    }
)

# What an approval approves: changing any of these afterwards withdraws it.
PROPOSAL_FIELDS = (
    "next_action",
    "mode_notes",
    "first_reversible_move",
    "rollback_notes",
    "watch_signal",
)
# Who decides on a proposal whose proposer is also the record's owner.
SECOND_APPROVER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]  # team roles allowed to make it (superusers always may, but see approve)
    needs_comment: bool = False


_LEADS = frozenset({Role.TRIAGER, Role.ADMIN})
_OPEN_UNDECIDED = frozenset({State.NEW, State.TRIAGED, State.REOPENED})

MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move(
            "triage",
            "Mark triaged",
            frozenset({State.NEW, State.REOPENED}),
            State.TRIAGED,
            EDITOR_ROLES,
        ),
        Move(
            "propose",
            "Request approval",
            _OPEN_UNDECIDED,
            State.AWAITING_APPROVAL,
            _LEADS,
        ),
        Move(
            "approve", "Approve", frozenset({State.AWAITING_APPROVAL}), State.APPROVED, EDITOR_ROLES
        ),
        Move(
            "reject",
            "Reject",
            frozenset({State.AWAITING_APPROVAL}),
            State.REJECTED,
            EDITOR_ROLES,
            needs_comment=True,
        ),
        Move(
            "start-window",
            "Change made: start review window",
            frozenset({State.APPROVED}),
            State.IN_REVIEW_WINDOW,
            EDITOR_ROLES,
        ),
        Move(
            "keep",
            "Keep",
            _OPEN_UNDECIDED | {State.AWAITING_APPROVAL},
            State.KEPT,
            _LEADS,
            needs_comment=True,
        ),
        Move(
            "reopen",
            "Reopen",
            frozenset({State.DONE, State.REJECTED, State.KEPT}),
            State.REOPENED,
            EDITOR_ROLES,
        ),
    )
}
# Reached only by a scan confirming the change: ``done`` after the review window closed.
SYSTEM_TARGETS = frozenset({State.DONE})

# Moves only a scan makes, on what it found or no longer found (``decisions.services.scans``):
# never offered to anyone, so no role may make them.
SYSTEM_MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        # Untouched and no longer found, or gone when its review window closed.
        Move(
            "confirm-gone",
            "Confirmed gone by scan",
            frozenset({State.NEW, State.IN_REVIEW_WINDOW}),
            State.DONE,
            frozenset(),
        ),
        # The watch signal: a decided package back, or a keep whose reason ran out.
        Move(
            "watch-signal",
            "Reopened by scan",
            CLOSED_STATES | {State.IN_REVIEW_WINDOW},
            State.REOPENED,
            frozenset(),
        ),
    )
}


class MoveRefused(Exception):
    """The move is not allowed; the message says why, for the person who tried."""


def role_of(user, record: DecisionRecord, roster: Roster | None = None) -> str | None:
    """``user``'s role in the record's team (admin for a superuser); from ``roster`` when given."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    if roster is not None:
        return roster.role(user_id=user.pk, team_id=record.repository.team_id)
    return (
        Membership.objects.filter(user=user, team_id=record.repository.team_id)
        .values_list("role", flat=True)
        .first()
    )


def check(
    move_name: str,
    *,
    record: DecisionRecord,
    user,
    role: str | None = None,
    roster: Roster | None = None,
) -> Move:
    """The move if ``user`` may make it on ``record`` now; otherwise MoveRefused with the reason.

    ``roster``: the memberships of the record's team, read once for many records.
    """
    move = MOVES.get(move_name)
    if move is None:
        raise MoveRefused(f"Unknown action {move_name!r}.")
    role = role if role is not None else role_of(user, record, roster)
    if role not in move.roles:
        raise MoveRefused(f"Your role cannot {move.label.lower()} records of this team.")
    if record.state not in move.sources:
        raise MoveRefused(
            f"A record that is {record.get_state_display().lower()} cannot be "
            f"moved with “{move.label}”."
        )
    if move_name == "propose":
        if record.next_action not in CHANGING_ACTIONS:
            raise MoveRefused(
                "Choose a next action that changes the repository (remove, reduce, archive, "
                "disable, declare or upgrade) before asking for approval."
            )
        if not record.owner_id:
            raise MoveRefused("Assign an owner first: the owner approves the change.")
        owner_role = role_of(record.owner, record, roster)
        if owner_role not in EDITOR_ROLES:
            raise MoveRefused(
                f"{record.owner} cannot approve ({owner_role or 'not in the team'}): "
                "choose an owner who can."
            )
        if record.owner_id == user.pk and not approvers(record, proposer=user, roster=roster):
            raise MoveRefused(
                "You own this record and no one else on the team can approve: "
                "choose another owner or ask for an owner or admin to join the team."
            )
    vulnerable = move_name == "keep" and record.kind == "vulnerable"
    if vulnerable and not (record.suppression and record.review_date):
        raise MoveRefused(
            "Keeping a vulnerability needs a reason (not affected, false positive or "
            "accepted risk) and a review date, after which it comes back."
        )
    if move_name in ("approve", "reject"):
        if record.proposed_by_id == user.pk:
            raise MoveRefused("You proposed this change; someone else must decide on it.")
        if _self_owned(record):
            if role not in SECOND_APPROVER_ROLES:
                raise MoveRefused(
                    "The proposer owns this record: another owner or an admin of the team "
                    "decides on it."
                )
        elif record.owner_id != user.pk and role != Role.ADMIN:
            raise MoveRefused("Only the record's owner (or a team admin) decides on its removal.")
    return move


def system_check(move_name: str, *, record: DecisionRecord) -> Move:
    """The system move if a scan may make it on ``record`` now; otherwise MoveRefused."""
    move = SYSTEM_MOVES.get(move_name)
    if move is None:
        raise MoveRefused(f"Unknown system move {move_name!r}.")
    if record.state not in move.sources:
        raise MoveRefused(
            f"A record that is {record.get_state_display().lower()} cannot be "
            f"moved with “{move.label}”."
        )
    return move


def _self_owned(record: DecisionRecord) -> bool:
    return record.owner_id is not None and record.owner_id == record.proposed_by_id


def approvers(record: DecisionRecord, *, proposer=None, roster: Roster | None = None) -> list:
    """The people asked to decide on a proposal of ``record`` made by ``proposer``.

    The owner, unless the owner proposed it; then the team's other owners and admins, by
    username. Active users only. From ``roster`` when given (no query).
    """
    proposer_id = proposer.pk if proposer is not None else record.proposed_by_id
    if roster is not None:
        if record.owner_id and record.owner_id != proposer_id:
            return [record.owner] if record.owner.is_active else []
        team = roster.members(team_id=record.repository.team_id, roles=SECOND_APPROVER_ROLES)
        return [user for user in team if user.is_active and user.pk != proposer_id]
    users = get_user_model().objects.filter(is_active=True)
    if record.owner_id and record.owner_id != proposer_id:
        return list(users.filter(pk=record.owner_id))
    second = Membership.objects.filter(
        team_id=record.repository.team_id, role__in=SECOND_APPROVER_ROLES
    ).exclude(user_id=proposer_id)
    return list(users.filter(pk__in=second.values("user")).order_by("username"))


def allowed_moves(*, record: DecisionRecord, user, role: str | None = None) -> list[Move]:
    role = role if role is not None else role_of(user, record)
    allowed = []
    for name in MOVES:
        try:
            allowed.append(check(name, record=record, user=user, role=role))
        except MoveRefused:
            continue
    return allowed


def done_text(move_name: str, *, record: DecisionRecord, actor) -> str:
    """What a move did, told to the person who made it (``record`` as the move left it)."""
    action = f"“{record.get_next_action_display()}”"
    if move_name == "triage":
        what = "marked triaged."
    elif move_name == "propose":
        asked = ", ".join(user.username for user in approvers(record, proposer=actor))
        what = f"approval of {action} requested from {asked}."
    elif move_name == "approve":
        what = f"{action} approved. Once the change is made, start its review window."
    elif move_name == "reject":
        what = f"{action} rejected; the record is closed until someone reopens it."
    elif move_name == "start-window":
        end = record.review_window_end.isoformat() if record.review_window_end else "its end"
        what = f"review window started; a scan after {end} confirms the change."
    elif move_name == "keep":
        what = "kept" + (
            f"; it comes back for review on {record.review_date.isoformat()}."
            if record.review_date
            else "."
        )
    elif move_name == "reopen":
        what = "reopened; it is back in triage."
    else:
        what = f"{MOVES[move_name].label.lower()}."
    return f"{record.subject}: {what}"
