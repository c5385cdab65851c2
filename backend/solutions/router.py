"""Situations, solutions and follow-up evaluations of a team: parse, call the service, return."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from backend.db import SessionDep
from backend.openapi import raises
from backend.solutions import service
from backend.solutions.dependencies import SituationForActor, SolutionForActor
from backend.solutions.models import Solution
from backend.solutions.schemas import (
    EvaluationCreate,
    EvaluationPublic,
    SituationCreate,
    SituationPublic,
    SituationUpdate,
    SolutionCreate,
    SolutionPublic,
    SolutionStatus,
    SolutionUpdate,
)
from backend.solutions.service import (
    ClientIdConflict,
    InvalidStatusTransition,
    MeetingDateInFuture,
    SituationNotInTeam,
)
from backend.teams.dependencies import TeamForActor

router = APIRouter(tags=["solutions"])


def _public(solutions: list[Solution], session: SessionDep) -> list[SolutionPublic]:
    histories = service.status_histories(
        session=session, solution_ids=[s.id for s in solutions if s.id is not None]
    )
    return [
        SolutionPublic.model_validate(
            {
                **solution.model_dump(),
                "history": [change.model_dump() for change in histories[solution.id or 0]],
            }
        )
        for solution in solutions
    ]


@router.get("/teams/{team_id}/situations", response_model=list[SituationPublic])
def list_situations(team: TeamForActor, session: SessionDep) -> list[SituationPublic]:
    assert team.id is not None
    situations = service.list_situations(session=session, team_id=team.id)
    return [SituationPublic.model_validate(s, from_attributes=True) for s in situations]


@router.post(
    "/teams/{team_id}/situations",
    response_model=SituationPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_situation(
    team: TeamForActor, data: SituationCreate, session: SessionDep
) -> SituationPublic:
    assert team.id is not None
    situation = service.create_situation(session=session, team_id=team.id, data=data)
    return SituationPublic.model_validate(situation, from_attributes=True)


@router.patch("/situations/{situation_id}", response_model=SituationPublic)
def update_situation(
    situation: SituationForActor, data: SituationUpdate, session: SessionDep
) -> SituationPublic:
    situation = service.update_situation(session=session, situation=situation, data=data)
    return SituationPublic.model_validate(situation, from_attributes=True)


@router.get("/teams/{team_id}/solutions", response_model=list[SolutionPublic])
def list_solutions(
    team: TeamForActor,
    session: SessionDep,
    statuses: Annotated[list[SolutionStatus] | None, Query(alias="status")] = None,
) -> list[SolutionPublic]:
    """The team's solutions, P, U, X then oldest first; `?status=trial&status=adopted` filters."""
    assert team.id is not None
    solutions = service.list_solutions(session=session, team_id=team.id, statuses=statuses or ())
    return _public(list(solutions), session)


@router.post(
    "/teams/{team_id}/solutions",
    response_model=SolutionPublic,
    status_code=status.HTTP_201_CREATED,
)
@raises(SituationNotInTeam)
def create_solution(
    team: TeamForActor, data: SolutionCreate, session: SessionDep
) -> SolutionPublic:
    assert team.id is not None
    solution = service.create_solution(session=session, team_id=team.id, data=data)
    return _public([solution], session)[0]


@router.patch("/solutions/{solution_id}", response_model=SolutionPublic)
@raises(SituationNotInTeam, InvalidStatusTransition)
def update_solution(
    solution: SolutionForActor, data: SolutionUpdate, session: SessionDep
) -> SolutionPublic:
    """Edits a solution. A status change is recorded in the solution's history and must be one of
    proposed → trial | dropped, trial → adopted | dropped | proposed (a trial put back on the
    shelf), adopted → dropped, dropped → proposed; anything else is 422 `InvalidStatusTransition`.
    (A follow-up's "adjust" is the way back from adopted to trial.)"""
    solution = service.update_solution(session=session, solution=solution, data=data)
    return _public([solution], session)[0]


@router.get("/solutions/{solution_id}/evaluations", response_model=list[EvaluationPublic])
def list_evaluations(solution: SolutionForActor, session: SessionDep) -> list[EvaluationPublic]:
    evaluations = service.list_evaluations(session=session, solution=solution)
    return [EvaluationPublic.model_validate(e, from_attributes=True) for e in evaluations]


@router.post(
    "/solutions/{solution_id}/evaluations",
    response_model=EvaluationPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already recorded with this client_id; the stored one"}},
)
@raises(ClientIdConflict, InvalidStatusTransition, MeetingDateInFuture)
def record_evaluation(
    solution: SolutionForActor, data: EvaluationCreate, session: SessionDep, response: Response
) -> EvaluationPublic:
    """Records a follow-up meeting's evaluation; its decision moves the solution (keep → adopted,
    adjust → trial with the edited title/details, drop → dropped)."""
    evaluation, created = service.record_evaluation(session=session, solution=solution, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return EvaluationPublic.model_validate(evaluation, from_attributes=True)
