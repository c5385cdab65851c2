"""Rules for check-ins: record (create or replace), list, delete, and what Today shows.

`record_checkins` works on a SQLAlchemy Connection instead of a Session: it runs on the hot path
inside the group-commit writer (backend/checkins/writer.py), where it authenticates and upserts a
whole batch of requests in a few hand-written statements (backend/checkins/sql.py). Like every
service it never commits; the writer commits the batch."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, delete
from sqlmodel import Session, col, select

from backend import clock
from backend.checkins import workdates
from backend.checkins.models import CheckIn, CheckInSolution
from backend.checkins.schemas import (
    CheckInIn,
    CheckInPublic,
    DayOff,
    SolutionMark,
    Today,
    TodaySolution,
    Window,
    WindowDate,
)
from backend.checkins.sql import Statements, statements
from backend.errors import AppError, NotFound, Unauthorized, Unprocessable
from backend.insights import weeks
from backend.orgs.models import Organisation
from backend.solutions import service as solution_service
from backend.solutions.models import Situation
from backend.teams.models import Member, Team

DEFAULT_HISTORY_DAYS = 30
MAX_HISTORY_DAYS = 366
# How far ahead Today names the days off, for an offline copy opened on a later day (a month covers
# Christmas to New Year and Easter from any day before them).
COMING_HOLIDAY_DAYS = 31


class UnknownSolution(Unprocessable):
    """A mark for a solution that is not active in the member's own team on that date."""


class InvalidDateRange(Unprocessable):
    pass


@dataclass(frozen=True)
class MemberContext:
    """What the check-in rules need to know about a member: their team and org settings."""

    member_id: int
    team_id: int
    timezone: str
    window_days: int
    working_days: str
    # The team's newest frozen Sunday (backend/insights/weeks.py): nothing on or before it.
    frozen_through: date | None

    @property
    def window(self) -> tuple[date, date]:
        first, last = clock.checkin_window(self.timezone, self.window_days)
        # A window widened after a week closed does not reach back into the frozen week.
        if self.frozen_through is not None and first <= self.frozen_through:
            first = self.frozen_through + timedelta(days=1)
        return first, last


@dataclass(frozen=True)
class CheckInRequest:
    """One PUT /me/checkins/{work_date}, already parsed, waiting for the writer."""

    token_hash: str
    work_date: date
    data: CheckInIn


Recorded = tuple[CheckInPublic, bool]  # the check-in as stored, and whether it was created


def record_checkins(
    *, connection: Connection, requests: Sequence[CheckInRequest]
) -> list[Recorded | AppError]:
    """Creates or replaces each request's check-in; per request the stored check-in (and whether
    it is new), or the AppError that refused it.

    The outcome is that of running the requests one after another, in order, each by itself: a
    member is authenticated by token, the date must be in their org's window, marks must name
    solutions active in their own team on that date, and a refused request stores nothing — not
    even its ratings. Replacing a check-in replaces its marks. Done for many requests at once
    (writer.py's group commit) in a few set-based statements: all checks first, then the writes."""
    sql = statements(connection)
    contexts = sql.authenticate([r.token_hash for r in requests])
    outcomes: list[Recorded | AppError | None] = [None] * len(requests)
    in_window: list[tuple[int, MemberContext]] = []
    for index, request in enumerate(requests):
        try:
            row = contexts.get(request.token_hash)
            if row is None:
                raise Unauthorized("A valid member token is required")
            context = MemberContext(*row)
            weeks.check_open(request.work_date, context.frozen_through)
            workdates.check_work_date(request.work_date, context.window)
        except AppError as refusal:
            outcomes[index] = refusal
            continue
        in_window.append((index, context))
    active = _active_solution_ids(
        sql,
        {
            (context.team_id, requests[index].work_date)
            for index, context in in_window
            if requests[index].data.solutions
        },
    )
    accepted: list[tuple[int, MemberContext]] = []
    for index, context in in_window:
        request = requests[index]
        allowed = active.get((context.team_id, request.work_date), set())
        unknown = sorted(
            m.solution_id for m in request.data.solutions if m.solution_id not in allowed
        )
        if unknown:
            outcomes[index] = UnknownSolution(
                f"solution {', '.join(map(str, unknown))} is not active in your team "
                f"on {request.work_date}"
            )
            continue
        accepted.append((index, context))
    # A statement may touch a (member, date) once, so a repeat within the batch (a retry) waits
    # for the next round; rounds run in order, so the later request is the one that stays.
    rounds: list[dict[tuple[int, date], tuple[int, MemberContext]]] = []
    for index, context in accepted:
        key = (context.member_id, requests[index].work_date)
        target = next((r for r in rounds if key not in r), None)
        if target is None:
            target = {}
            rounds.append(target)
        target[key] = (index, context)
    for round_ in rounds:
        _write_round(sql=sql, requests=requests, round_=round_, outcomes=outcomes)
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(requests), "every request gets an outcome"
    return done


def _write_round(
    *,
    sql: Statements,
    requests: Sequence[CheckInRequest],
    round_: dict[tuple[int, date], tuple[int, MemberContext]],
    outcomes: list[Recorded | AppError | None],
) -> None:
    driver = sql.driver
    now = driver.datetime_param(clock.now())
    rows = []
    for index, context in round_.values():
        request = requests[index]
        data = request.data
        rows.append(
            (
                context.member_id,
                context.team_id,
                driver.date_param(request.work_date),
                data.calm,
                data.flow,
                data.workload,
                data.comment,
                data.share_comment,
                1,
                now,
                now,
            )
        )
    stored = {
        (member_id, work_date): (checkin_id, revision, created_at, updated_at)
        for member_id, work_date, checkin_id, revision, created_at, updated_at in sql.upsert(rows)
    }
    replaced: list[int] = []
    marks: list[tuple[int, int, str]] = []
    for (member_id, work_date), (index, _) in round_.items():
        data = requests[index].data
        checkin_id, revision, created_at, updated_at = stored[
            (member_id, driver.date_param(work_date))
        ]
        if revision != 1:
            replaced.append(checkin_id)
        marks += [(checkin_id, mark.solution_id, mark.used) for mark in data.solutions]
        public = CheckInPublic(
            work_date=work_date,
            calm=data.calm,
            flow=data.flow,
            workload=data.workload,
            comment=data.comment,
            share_comment=data.share_comment,
            solutions=data.solutions,
            created_at=driver.datetime_value(created_at),
            updated_at=driver.datetime_value(updated_at),
        )
        outcomes[index] = (public, revision == 1)
    if replaced:
        sql.delete_marks(replaced)
    if marks:
        sql.insert_marks(marks)


def _active_solution_ids(
    sql: Statements, team_days: set[tuple[int, date]]
) -> dict[tuple[int, date], set[int]]:
    """The batch's (team, date) pairs' active solutions, asked in one go: the rows come by raw
    SQL (the ORM's overhead was most of a marked check-in's cost), the rule is the solutions
    domain's."""
    if not team_days:
        return {}
    solutions, history = sql.solutions({team_id for team_id, _ in team_days})
    return solution_service.active_ids(team_days=team_days, solutions=solutions, history=history)


def member_context(*, session: Session, member: Member) -> MemberContext:
    team, org = session.exec(
        select(Team, Organisation)
        .join(Organisation, col(Organisation.id) == Team.org_id)
        .where(Team.id == member.team_id)
    ).one()
    assert member.id is not None and team.id is not None
    return MemberContext(
        member_id=member.id,
        team_id=team.id,
        timezone=org.timezone,
        window_days=org.checkin_window_days,
        working_days=team.working_days,
        frozen_through=team.frozen_through,
    )


def _to_public(
    checkins: list[CheckIn], marks: dict[int, list[SolutionMark]]
) -> list[CheckInPublic]:
    return [
        CheckInPublic(
            work_date=c.work_date,
            calm=c.calm,
            flow=c.flow,
            workload=c.workload,
            comment=c.comment,
            share_comment=c.share_comment,
            solutions=marks.get(c.id or 0, []),
            created_at=c.created_at,
            updated_at=c.updated_at,
        )
        for c in checkins
    ]


def _checkins_between(
    *, session: Session, member_id: int, first: date, last: date
) -> list[CheckInPublic]:
    checkins = list(
        session.exec(
            select(CheckIn)
            .where(CheckIn.member_id == member_id, CheckIn.work_date >= first)
            .where(CheckIn.work_date <= last)
            .order_by(col(CheckIn.work_date).desc())
        ).all()
    )
    marks: dict[int, list[SolutionMark]] = defaultdict(list)
    if checkins:
        rows = session.exec(
            select(CheckInSolution)
            .where(col(CheckInSolution.checkin_id).in_([c.id for c in checkins]))
            .order_by(col(CheckInSolution.solution_id))
        ).all()
        for mark in rows:
            marks[mark.checkin_id].append(
                SolutionMark(solution_id=mark.solution_id, used=mark.used)  # type: ignore[arg-type]
            )
    return _to_public(checkins, marks)


def list_checkins(
    *, session: Session, member: Member, first: date | None, last: date | None
) -> list[CheckInPublic]:
    """The member's check-ins from `first` to `last` (default: last 30 days), newest first."""
    context = member_context(session=session, member=member)
    today = clock.local_today(context.timezone)
    last = last or (today if first is None else first + timedelta(days=DEFAULT_HISTORY_DAYS - 1))
    first = first or last - timedelta(days=DEFAULT_HISTORY_DAYS - 1)
    if first > last:
        raise InvalidDateRange(f"from ({first}) is after to ({last})")
    if (last - first).days + 1 > MAX_HISTORY_DAYS:
        raise InvalidDateRange(f"at most {MAX_HISTORY_DAYS} days can be asked for at once")
    return _checkins_between(session=session, member_id=context.member_id, first=first, last=last)


def delete_checkin(*, session: Session, member: Member, work_date: date) -> None:
    """Deletes the member's check-in (and its marks, by cascade) while the date is in the window."""
    context = member_context(session=session, member=member)
    weeks.check_open(work_date, context.frozen_through)
    workdates.check_work_date(work_date, context.window)
    checkin = session.exec(
        select(CheckIn).where(
            CheckIn.member_id == context.member_id, CheckIn.work_date == work_date
        )
    ).first()
    if checkin is None:
        raise NotFound(f"No check-in for {work_date}")
    session.exec(delete(CheckInSolution).where(col(CheckInSolution.checkin_id) == checkin.id))
    session.delete(checkin)


def today(*, session: Session, member: Member, on_date: date | None = None) -> Today:
    """What the Today screen needs: the suggested (or asked-for) date, the window, which dates are
    rated, the team's active solutions on that date and the member's check-in for it."""
    context = member_context(session=session, member=member)
    window = context.window
    dates = workdates.window_dates(window)
    checkins = {
        c.work_date: c
        for c in _checkins_between(
            session=session, member_id=context.member_id, first=window[0], last=window[1]
        )
    }
    working_days = workdates.parse_working_days(context.working_days)
    if on_date is None:
        work_date = workdates.suggested_work_date(
            timezone=context.timezone,
            window=window,
            working_days=working_days,
            rated=set(checkins),
        )
    else:
        workdates.check_work_date(on_date, window)
        work_date = on_date
    return Today(
        work_date=work_date,
        today=window[1],
        window=Window(from_=window[0], to=window[1]),
        dates=[
            WindowDate(
                work_date=day,
                rated=day in checkins,
                holiday=workdates.holiday_name(day),
                working_day=workdates.is_working_day(day, working_days),
            )
            for day in dates
        ],
        solutions=_today_solutions(session=session, team_id=context.team_id, on_date=work_date),
        checkin=checkins.get(work_date),
        coming_holidays=[
            DayOff(work_date=day, holiday=name)
            for day in (window[1] + timedelta(days=n) for n in range(1, COMING_HOLIDAY_DAYS + 1))
            if (name := workdates.holiday_name(day)) is not None
        ],
    )


def _today_solutions(*, session: Session, team_id: int, on_date: date) -> list[TodaySolution]:
    active = solution_service.active_solutions(session=session, team_id=team_id, on_date=on_date)
    situation_ids = {s.situation_id for s in active if s.situation_id is not None}
    titles: dict[int, str] = {}
    if situation_ids:
        for situation in session.exec(
            select(Situation).where(col(Situation.id).in_(situation_ids))
        ).all():
            assert situation.id is not None
            titles[situation.id] = situation.title
    return [
        TodaySolution(
            id=s.id or 0,
            title=s.title,
            perspective=s.perspective,
            details=s.details,
            situation_title=titles.get(s.situation_id) if s.situation_id else None,
        )
        for s in active
    ]
