"""Teams, their invites and members: who may reach a team, and the rules for joining it."""

from sqlmodel import Session, col, select

from backend.auth.dependencies import Actor
from backend.auth.models import Coordinator, CoordinatorOrg
from backend.errors import NotFound
from backend.teams.models import Team

# Teams the caller may not reach answer 404 exactly like teams that do not exist (never 403), so
# team ids cannot be probed across organisations or teams.
TEAM_NOT_FOUND = "Team not found"


def get_team_for_coordinator_or_404(
    *, session: Session, team_id: int, coordinator: Coordinator
) -> Team:
    """The team if the coordinator is linked to its organisation."""
    team = session.exec(
        select(Team)
        .join(CoordinatorOrg, col(CoordinatorOrg.org_id) == Team.org_id)
        .where(Team.id == team_id, CoordinatorOrg.coordinator_id == coordinator.id)
    ).first()
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    return team


def get_team_for_actor_or_404(*, session: Session, team_id: int, actor: Actor) -> Team:
    """The team if the actor is one of its members or a coordinator of its organisation."""
    if actor.member is not None:
        if actor.member.team_id != team_id:
            raise NotFound(TEAM_NOT_FOUND)
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound(TEAM_NOT_FOUND)
        return team
    if actor.coordinator is not None:
        return get_team_for_coordinator_or_404(
            session=session, team_id=team_id, coordinator=actor.coordinator
        )
    raise NotFound(TEAM_NOT_FOUND)
