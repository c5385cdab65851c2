"""Path-resource checks for teams: one dependency per kind of caller, typed aliases for routes."""

from typing import Annotated

from fastapi import Depends

from backend.auth.dependencies import CurrentActor, CurrentCoordinator
from backend.db import PathId, SessionDep
from backend.errors import NotFound
from backend.openapi import raises
from backend.teams import service as team_service
from backend.teams.models import Team


@raises(NotFound)
def team_for_coordinator(
    team_id: PathId, session: SessionDep, coordinator: CurrentCoordinator
) -> Team:
    """`{team_id}` of a team in one of the coordinator's organisations; otherwise 404."""
    return team_service.get_team_for_coordinator_or_404(
        session=session, team_id=team_id, coordinator=coordinator
    )


@raises(NotFound)
def team_for_actor(team_id: PathId, session: SessionDep, actor: CurrentActor) -> Team:
    """`{team_id}` of the calling member's own team, or of a team in the calling coordinator's
    organisations; anything else is 404 (existence is not revealed)."""
    return team_service.get_team_for_actor_or_404(session=session, team_id=team_id, actor=actor)


TeamForCoordinator = Annotated[Team, Depends(team_for_coordinator)]
TeamForActor = Annotated[Team, Depends(team_for_actor)]
