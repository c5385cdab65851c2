"""Shared set-up for the solutions tests: a team with a member and a coordinator, and outsiders."""

from dataclasses import dataclass

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
    org: Organisation
    team: Team
    member: JoinedMember
    coordinator: LoggedInCoordinator
    # Outsiders: a member of another team in the same organisation, a coordinator of another org.
    other_team: Team
    other_member: JoinedMember
    other_coordinator: LoggedInCoordinator

    @property
    def team_id(self) -> int:
        assert self.team.id is not None
        return self.team.id


@pytest.fixture
def world(session: Session) -> World:
    org = make_org(session)
    team = make_team(session, org)
    other_team = make_team(session, org, name="Stue Rød")
    return World(
        org=org,
        team=team,
        member=make_member(session, team),
        coordinator=make_coordinator(session, org),
        other_team=other_team,
        other_member=make_member(session, other_team),
        other_coordinator=make_coordinator(session, make_org(session, name="Andet sted")),
    )
