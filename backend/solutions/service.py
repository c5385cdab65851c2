"""Rules for situations, solutions (with status history) and follow-up evaluations."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import case
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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


def _day_bounds(on_date: date, timezone: str) -> tuple[datetime, datetime]:
    """The work date's first and last instant (exclusive) in UTC; a DST day has 23 or 25 hours."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(on_date, time.min, tz).astimezone(UTC)
    return start, datetime.combine(on_date + timedelta(days=1), time.min, tz).astimezone(UTC)


def _was_active(
    *,
    history: Sequence[tuple[str, datetime]],
    status_now: str,
    day: tuple[datetime, datetime],
    is_today_or_later: bool,
) -> bool:
    """Whether a solution was in trial or adopted at some time during `day` (its UTC bounds).

    `history` is the solution's status changes as (to_status, changed_at), oldest first; its
    first entry is the creation. For today (and later) the current status counts as well."""
    if is_today_or_later and status_now in ACTIVE_STATUSES:
        return True
    day_start, day_end = day
    status_at_start = None
    for to_status, changed_at in history:
        if changed_at <= day_start:
            status_at_start = to_status
        elif changed_at < day_end:
            if to_status in ACTIVE_STATUSES:
                return True
        else:
            break
    return status_at_start in ACTIVE_STATUSES


# (solution id, team id, current status, the organisation's time zone)
SolutionRow = tuple[int, int, str, str]
# (solution id, to_status, changed_at in UTC), oldest first per solution
StatusChangeRow = tuple[int, str, datetime]


def active_solution_ids(
    *, session: Session, team_days: Collection[tuple[int, date]]
) -> dict[tuple[int, date], set[int]]:
    """For each (team, work date): the ids of the team's solutions that were in trial or adopted
    at some time on that date, in the organisation's time zone (the rule: `active_ids`).

    Two queries for any number of teams and dates. The check-in writer fetches the same rows with
    raw SQL (checkins/sql.py) and applies the same rule."""
    team_ids = {team_id for team_id, _ in team_days}
    if not team_ids:
        return {key: set() for key in team_days}
    solutions = session.exec(
        select(Solution.id, Solution.team_id, Solution.status, Organisation.timezone)
        .join(Team, col(Team.id) == Solution.team_id)
        .join(Organisation, col(Organisation.id) == Team.org_id)
        .where(col(Solution.team_id).in_(team_ids))
    ).all()
    history = (
        session.exec(
            select(
                SolutionStatusChange.solution_id,
                SolutionStatusChange.to_status,
                SolutionStatusChange.changed_at,
            )
            .where(col(SolutionStatusChange.solution_id).in_([row[0] for row in solutions]))
            .order_by(col(SolutionStatusChange.changed_at), col(SolutionStatusChange.id))
        ).all()
        if solutions
        else []
    )
    return active_ids(
        team_days=team_days,
        # Read from the table, so never None (SQLModel types a primary key as int | None).
        solutions=cast(Sequence[SolutionRow], solutions),
        history=history,
    )


def active_ids(
    *,
    team_days: Collection[tuple[int, date]],
    solutions: Sequence[SolutionRow],
    history: Sequence[StatusChangeRow],
) -> dict[tuple[int, date], set[int]]:
    """The rule for "active on a date", over the teams' solutions and their status history.

    Past dates follow the status history, so a day is rated against the solutions that applied
    that day; for today a solution whose status is active now counts too."""
    found: dict[tuple[int, date], set[int]] = {key: set() for key in team_days}
    histories: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for changed_id, to_status, changed_at in history:
        histories[changed_id].append((to_status, changed_at))
    timezones: dict[int, str] = {}
    by_team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for solution_id, team_id, status, timezone in solutions:
        timezones[team_id] = timezone
        by_team[team_id].append((solution_id, status))
    for team_id, on_date in team_days:
        if team_id not in timezones:
            continue  # a team without solutions
        timezone = timezones[team_id]
        day = _day_bounds(on_date, timezone)
        is_today_or_later = on_date >= clock.local_today(timezone)
        for solution_id, status in by_team[team_id]:
            if _was_active(
                history=histories[solution_id],
                status_now=status,
                day=day,
                is_today_or_later=is_today_or_later,
            ):
                found[team_id, on_date].add(solution_id)
    return found


def active_solutions(*, session: Session, team_id: int, on_date: date) -> list[Solution]:
    """The team's solutions that were in trial or adopted at some time on `on_date` (see
    `active_solution_ids`), in a stable order: P, U, X, then oldest first."""
    active = active_solution_ids(session=session, team_days=[(team_id, on_date)])[team_id, on_date]
    return [s for s in list_solutions(session=session, team_id=team_id) if s.id in active]


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
