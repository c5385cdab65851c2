"""Shared set-up for the solutions tests: a team with a member and a coordinator, and outsiders."""

from dataclasses import dataclass
from functools import cached_property

import pytest
from sqlmodel import Session

from backend.orgs.models import Organisation
from backend.teams.models import Team
from tests.factories import (
    JoinedMember,
    LoggedInCoordinator,
    make_coordinator,
    make_member,
    make_org,
    make_team,
)


@dataclass
class World:
    session: Session
    org: Organisation
    team: Team
    member: JoinedMember
    # Outsiders: a member of another team in the same organisation, a coordinator of another org.
    other_team: Team
    other_member: JoinedMember

    @property
    def team_id(self) -> int:
        assert self.team.id is not None
        return self.team.id

    # Coordinators are made on first use: their password hash (argon2) is the slow part.
    @cached_property
    def coordinator(self) -> LoggedInCoordinator:
        return make_coordinator(self.session, self.org)

    @cached_property
    def other_coordinator(self) -> LoggedInCoordinator:
        return make_coordinator(self.session, make_org(self.session, name="Andet sted"))


@pytest.fixture
def world(session: Session) -> World:
    org = make_org(session)
    team = make_team(session, org)
    other_team = make_team(session, org, name="Stue Rød")
    return World(
        session=session,
        org=org,
        team=team,
        member=make_member(session, team),
        other_team=other_team,
        other_member=make_member(session, other_team),
    )
