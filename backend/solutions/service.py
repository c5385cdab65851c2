"""Rules for situations, solutions (with status history) and follow-up evaluations."""

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from backend import clock
from backend.errors import Conflict, Unprocessable
from backend.orgs.models import Organisation
from backend.solutions.models import Evaluation, Situation, Solution, SolutionStatusChange
from backend.solutions.schemas import (
    EvaluationCreate,
    SituationCreate,
    SituationUpdate,
    SolutionCreate,
    SolutionUpdate,
)
from backend.teams.models import Team

ACTIVE_STATUSES = ("trial", "adopted")
_PERSPECTIVE_ORDER = case({"P": 0, "U": 1, "X": 2}, value=col(Solution.perspective), else_=3)

# The status changes a team may make. Beyond the method's path (proposed → trial → adopted, any
# of them → dropped, dropped → proposed) we allow trial → proposed: a trial that has not really
# started yet (postponed, or "Afprøves" tapped by mistake) goes back on the shelf without being
# called a failure. adopted → trial is not a manual move; a follow-up's "adjust" makes it.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"trial", "dropped"}),
    "trial": frozenset({"adopted", "dropped", "proposed"}),
    "adopted": frozenset({"dropped"}),
    "dropped": frozenset({"proposed"}),
}
# What a follow-up meeting decides, and from which statuses a solution can be evaluated at all.
DECISION_STATUS = {"keep": "adopted", "adjust": "trial", "drop": "dropped"}
EVALUABLE_STATUSES = ACTIVE_STATUSES


class InvalidStatusTransition(Unprocessable):
    pass


class SituationNotInTeam(Unprocessable):
    pass


class MeetingDateInFuture(Unprocessable):
    pass


class ClientIdConflict(Conflict):
    pass


def _org_timezone(*, session: Session, team_id: int) -> str:
    tz = session.exec(
        select(Organisation.timezone)
        .join(Team, col(Team.org_id) == Organisation.id)
        .where(Team.id == team_id)
    ).first()
    return tz or "Europe/Copenhagen"


# --- Situations -------------------------------------------------------------------------------


def list_situations(*, session: Session, team_id: int) -> Sequence[Situation]:
    return session.exec(
        select(Situation).where(Situation.team_id == team_id).order_by(col(Situation.id))
    ).all()


def create_situation(*, session: Session, team_id: int, data: SituationCreate) -> Situation:
    situation = Situation.model_validate(data.model_dump(), update={"team_id": team_id})
    session.add(situation)
    session.flush()
    return situation


def update_situation(*, session: Session, situation: Situation, data: SituationUpdate) -> Situation:
    changes = data.model_dump(exclude_unset=True)
    if changes:
        situation.sqlmodel_update(changes)
        situation.updated_at = clock.now()
        session.add(situation)
        session.flush()
    return situation


# --- Solutions --------------------------------------------------------------------------------


def _check_situation(*, session: Session, team_id: int, situation_id: int | None) -> None:
    if situation_id is None:
        return
    situation = session.get(Situation, situation_id)
    if situation is None or situation.team_id != team_id:
        raise SituationNotInTeam("situation_id: no such situation in this team")


def _enter_status(*, session: Session, solution: Solution, to_status: str) -> None:
    """Moves the solution to `to_status` and records the change with its time (no-op if same)."""
    assert solution.id is not None
    if solution.status == to_status:
        return
    session.add(
        SolutionStatusChange(
            solution_id=solution.id,
            from_status=solution.status,
            to_status=to_status,
            changed_at=clock.now(),
        )
    )
    solution.status = to_status


def list_solutions(
    *, session: Session, team_id: int, statuses: Collection[str] = ()
) -> Sequence[Solution]:
    query = select(Solution).where(Solution.team_id == team_id)
    if statuses:
        query = query.where(col(Solution.status).in_(statuses))
    return session.exec(query.order_by(_PERSPECTIVE_ORDER, col(Solution.id))).all()


def status_histories(
    *, session: Session, solution_ids: Collection[int]
) -> dict[int, list[SolutionStatusChange]]:
    """Each solution's status changes, oldest first, loaded in one query for a whole list."""
    histories: dict[int, list[SolutionStatusChange]] = {id_: [] for id_ in solution_ids}
    if not solution_ids:
        return histories
    rows = session.exec(
        select(SolutionStatusChange)
        .where(col(SolutionStatusChange.solution_id).in_(solution_ids))
        .order_by(col(SolutionStatusChange.changed_at), col(SolutionStatusChange.id))
    ).all()
    for row in rows:
        histories[row.solution_id].append(row)
    return histories


def create_solution(*, session: Session, team_id: int, data: SolutionCreate) -> Solution:
    _check_situation(session=session, team_id=team_id, situation_id=data.situation_id)
    solution = Solution.model_validate(data.model_dump(), update={"team_id": team_id})
    session.add(solution)
    session.flush()
    assert solution.id is not None
    # The creation is the first entry of the history, so "since when" is known for every status.
    session.add(
        SolutionStatusChange(
            solution_id=solution.id,
            from_status=None,
            to_status=solution.status,
            changed_at=solution.created_at,
        )
    )
    session.flush()
    return solution


def update_solution(*, session: Session, solution: Solution, data: SolutionUpdate) -> Solution:
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return solution
    if "situation_id" in changes:
        _check_situation(
            session=session, team_id=solution.team_id, situation_id=changes["situation_id"]
        )
    to_status = changes.pop("status", None)
    if to_status is not None and to_status != solution.status:
        if to_status not in TRANSITIONS[solution.status]:
            raise InvalidStatusTransition(
                f"status: a solution cannot go from {solution.status} to {to_status}"
            )
        _enter_status(session=session, solution=solution, to_status=to_status)
    solution.sqlmodel_update(changes)
    solution.updated_at = clock.now()
    session.add(solution)
    session.flush()
    return solution


def _active_statement(*, or_active_now: bool) -> SelectOfScalar[Solution]:
    """Built once (the aliases and subqueries cost more to build than to run); the team and the
    day's bounds are bind parameters."""
    before = aliased(SolutionStatusChange)
    during = aliased(SolutionStatusChange)
    # The status the solution had when the day began: its last change at or before that instant.
    status_at_start = (
        select(before.to_status)
        .where(before.solution_id == Solution.id, col(before.changed_at) <= bindparam("day_start"))
        .order_by(col(before.changed_at).desc(), col(before.id).desc())
        .limit(1)
        .correlate(Solution)
        .scalar_subquery()
    )
    # A correlated LIMIT 1 rather than EXISTS: PostgreSQL turns an OR-ed EXISTS into a hashed
    # subplan that scans every team's history; this one reads the solution's few rows by index.
    entered_during_day = (
        select(during.id)
        .where(
            during.solution_id == Solution.id,
            col(during.changed_at) > bindparam("day_start"),
            col(during.changed_at) < bindparam("day_end"),
            col(during.to_status).in_(ACTIVE_STATUSES),
        )
        .limit(1)
        .correlate(Solution)
        .scalar_subquery()
    )
    was_active = or_(status_at_start.in_(ACTIVE_STATUSES), entered_during_day.is_not(None))
    if or_active_now:
        was_active = or_(col(Solution.status).in_(ACTIVE_STATUSES), was_active)
    return (
        select(Solution)
        .where(Solution.team_id == bindparam("team_id"), was_active)
        .order_by(_PERSPECTIVE_ORDER, col(Solution.id))
    )


_ACTIVE_ON_PAST_DATE = _active_statement(or_active_now=False)
_ACTIVE_TODAY = _active_statement(or_active_now=True)


def active_solutions(*, session: Session, team_id: int, on_date: date) -> list[Solution]:
    """The team's solutions that were in trial or adopted at some time on `on_date` (a work date
    in the organisation's time zone), in a stable order: P, U, X, then oldest first.

    Past dates follow the status history, so a day is rated against the solutions that applied
    that day. For today (and later) a solution whose status is active now counts as well."""
    tz_name = _org_timezone(session=session, team_id=team_id)
    tz = ZoneInfo(tz_name)
    day_start = datetime.combine(on_date, time.min, tz).astimezone(UTC)
    day_end = datetime.combine(on_date + timedelta(days=1), time.min, tz).astimezone(UTC)
    statement = _ACTIVE_TODAY if on_date >= clock.local_today(tz_name) else _ACTIVE_ON_PAST_DATE
    params = {"team_id": team_id, "day_start": day_start, "day_end": day_end}
    return list(session.exec(statement, params=params).all())


# --- Evaluations ------------------------------------------------------------------------------


def list_evaluations(*, session: Session, solution: Solution) -> Sequence[Evaluation]:
    """Newest meeting first."""
    return session.exec(
        select(Evaluation)
        .where(Evaluation.solution_id == solution.id)
        .order_by(col(Evaluation.meeting_date).desc(), col(Evaluation.id).desc())
    ).all()


def _stored_for_client_id(
    *, session: Session, solution: Solution, client_id: str
) -> Evaluation | None:
    stored = session.exec(select(Evaluation).where(Evaluation.client_id == client_id)).first()
    if stored is not None and stored.solution_id != solution.id:
        raise ClientIdConflict("client_id: already used for another solution's follow-up")
    return stored


def record_evaluation(
    *, session: Session, solution: Solution, data: EvaluationCreate
) -> tuple[Evaluation, bool]:
    """Stores a follow-up and applies its decision to the solution; returns (evaluation, created).

    A retry with a known `client_id` returns the stored evaluation and changes nothing, so a
    follow-up queued offline and sent twice is recorded (and decided) once."""
    assert solution.id is not None
    if data.client_id is not None:
        stored = _stored_for_client_id(session=session, solution=solution, client_id=data.client_id)
        if stored is not None:
            return stored, False
    if solution.status not in EVALUABLE_STATUSES:
        raise InvalidStatusTransition(
            f"status: only solutions in trial or adopted can be followed up, "
            f"this one is {solution.status}"
        )
    if data.meeting_date > clock.local_today(
        _org_timezone(session=session, team_id=solution.team_id)
    ):
        raise MeetingDateInFuture("meeting_date: the follow-up meeting cannot be in the future")

    evaluation = Evaluation.model_validate(
        data.model_dump(exclude={"title", "details", "review_date"}),
        update={"solution_id": solution.id},
    )
    try:
        # A savepoint, so two retries racing with the same client_id end in one stored row.
        with session.begin_nested():
            session.add(evaluation)
    except IntegrityError:
        assert data.client_id is not None
        stored = _stored_for_client_id(session=session, solution=solution, client_id=data.client_id)
        if stored is None:
            raise
        return stored, False

    _enter_status(session=session, solution=solution, to_status=DECISION_STATUS[data.decision])
    edits = data.model_dump(include={"title", "details", "review_date"}, exclude_unset=True)
    solution.sqlmodel_update(edits)
    solution.updated_at = clock.now()
    session.add(solution)
    session.flush()
    return evaluation, True
