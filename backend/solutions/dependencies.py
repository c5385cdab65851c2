"""Path-resource checks for situations and solutions: reachable by the team's members and the
coordinators of its organisation; anything else answers 404 like an id that does not exist."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from backend.auth.dependencies import Actor, CurrentActor
from backend.db import PathId, SessionDep
from backend.errors import NotFound
from backend.openapi import raises
from backend.solutions.models import Situation, Solution
from backend.teams import service as team_service


def _reaches_team(*, session: Session, actor: Actor, team_id: int) -> bool:
    # The one team access rule (teams.service), so situations follow the same rule as teams.
    try:
        team_service.get_team_for_actor_or_404(session=session, team_id=team_id, actor=actor)
    except NotFound:
        return False
    return True


@raises(NotFound)
def situation_for_actor(
    situation_id: PathId, session: SessionDep, actor: CurrentActor
) -> Situation:
    situation = session.get(Situation, situation_id)
    if situation is None or not _reaches_team(
        session=session, actor=actor, team_id=situation.team_id
    ):
        raise NotFound("Situation not found")
    return situation


@raises(NotFound)
def solution_for_actor(solution_id: PathId, session: SessionDep, actor: CurrentActor) -> Solution:
    solution = session.get(Solution, solution_id)
    if solution is None or not _reaches_team(
        session=session, actor=actor, team_id=solution.team_id
    ):
        raise NotFound("Solution not found")
    return solution


SituationForActor = Annotated[Situation, Depends(situation_for_actor)]
SolutionForActor = Annotated[Solution, Depends(solution_for_actor)]
