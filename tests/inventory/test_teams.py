"""``Team.objects.for_user`` / ``.editable_by``: the one answer to "which teams may this person
see, and change the records of"."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from inventory.models import Role, Team
from tests import factories


def test_a_member_sees_their_teams_only_and_edits_those_where_their_role_edits(db):
    mine, led, other = factories.team("mine"), factories.team("led"), factories.team("other")
    person = factories.member(mine, Role.VIEWER)
    led.memberships.create(user=person, role=Role.TRIAGER)
    factories.member(other, Role.ADMIN)
    assert set(Team.objects.for_user(person)) == {mine, led}
    assert set(Team.objects.editable_by(person)) == {led}


def test_superusers_see_and_edit_every_team_and_anonymous_visitors_none(db):
    teams = {factories.team("a"), factories.team("b")}
    admin = factories.user(is_superuser=True)
    assert set(Team.objects.for_user(admin)) == teams
    assert set(Team.objects.editable_by(admin)) == teams
    assert not Team.objects.for_user(AnonymousUser()).exists()
    assert not Team.objects.editable_by(AnonymousUser()).exists()
