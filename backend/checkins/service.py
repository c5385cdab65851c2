"""Rules for check-ins: record (create or replace), list, delete, and what Today shows.

`record_checkin` works on a SQLAlchemy Connection instead of a Session: it runs on the hot path
inside the group-commit writer (backend/checkins/writer.py), where it authenticates and upserts in
two statements. Like every service it never commits; the writer commits the whole batch."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, Table, bindparam, delete, insert
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, SQLModel, col, select

from backend import clock
from backend.checkins import workdates
from backend.checkins.models import CheckIn, CheckInSolution
from backend.checkins.schemas import (
    CheckInIn,
    CheckInPublic,
    SolutionMark,
    Today,
    TodaySolution,
    Window,
    WindowDate,
)
from backend.errors import NotFound, Unauthorized, Unprocessable
from backend.orgs.models import Organisation
from backend.solutions import service as solution_service
from backend.solutions.models import Situation
from backend.teams.models import Member, Team

DEFAULT_HISTORY_DAYS = 30
MAX_HISTORY_DAYS = 366


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

    @property
    def window(self) -> tuple[date, date]:
        return clock.checkin_window(self.timezone, self.window_days)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


_checkin = _table("checkin")
_marks = _table("checkin_solution")
_member = _table("member")
_member_token = _table("member_token")
_team = _table("team")
_org = _table("organisation")

# Token → member, team and org settings in one round trip (only the hash is ever stored).
_AUTHENTICATE = (
    core_select(
        _member.c.id,
        _member.c.team_id,
        _org.c.timezone,
        _org.c.checkin_window_days,
        _team.c.working_days,
    )
    .select_from(
        _member_token.join(_member, _member.c.id == _member_token.c.member_id)
        .join(_team, _team.c.id == _member.c.team_id)
        .join(_org, _org.c.id == _team.c.org_id)
    )
    .where(_member_token.c.token_hash == bindparam("token_hash"))
)


def _upsert(dialect_name: str) -> Insert:
    # One statement creates or replaces; `revision` tells the two apart (1 = just created), which
    # keeps PUT idempotent and race-free without a read first. Both databases speak this syntax.
    dialect_insert = sqlite.insert if dialect_name == "sqlite" else postgresql.insert
    stmt = dialect_insert(_checkin)
    replaced = ("team_id", "calm", "flow", "workload", "comment", "share_comment", "updated_at")
    return stmt.on_conflict_do_update(
        index_elements=["member_id", "work_date"],
        set_={
            **{name: stmt.excluded[name] for name in replaced},
            "revision": _checkin.c.revision + 1,
        },
    ).returning(_checkin.c.id, _checkin.c.revision, _checkin.c.created_at, _checkin.c.updated_at)


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}
_DELETE_MARKS = delete(_marks).where(_marks.c.checkin_id == bindparam("checkin_id"))
_INSERT_MARKS = insert(_marks)


def authenticate(*, connection: Connection, token_hash: str) -> MemberContext:
    row = connection.execute(_AUTHENTICATE, {"token_hash": token_hash}).first()
    if row is None:
        raise Unauthorized("A valid member token is required")
    return MemberContext(*row)


def record_checkin(
    *, connection: Connection, token_hash: str, work_date: date, data: CheckInIn
) -> tuple[CheckInPublic, bool]:
    """Creates or replaces the member's check-in for `work_date`; returns it and whether it is new.

    Every check runs before the first write, so a refused check-in stores nothing — not even the
    ratings. Replacing a check-in replaces its solution marks."""
    context = authenticate(connection=connection, token_hash=token_hash)
    workdates.check_work_date(work_date, context.window)
    if data.solutions:
        _check_marks(connection=connection, context=context, work_date=work_date, data=data)
    now = clock.now()
    row = connection.execute(
        _UPSERT[connection.dialect.name],
        {
            "member_id": context.member_id,
            "team_id": context.team_id,
            "work_date": work_date,
            "calm": data.calm,
            "flow": data.flow,
            "workload": data.workload,
            "comment": data.comment,
            "share_comment": data.share_comment,
            "revision": 1,
            "created_at": now,
            "updated_at": now,
        },
    ).one()
    created = row.revision == 1
    if not created:
        connection.execute(_DELETE_MARKS, {"checkin_id": row.id})
    if data.solutions:
        connection.execute(
            _INSERT_MARKS,
            [
                {"checkin_id": row.id, "solution_id": mark.solution_id, "used": mark.used}
                for mark in data.solutions
            ],
        )
    public = CheckInPublic(
        work_date=work_date,
        calm=data.calm,
        flow=data.flow,
        workload=data.workload,
        comment=data.comment,
        share_comment=data.share_comment,
        solutions=data.solutions,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
    return public, created


def _check_marks(
    *, connection: Connection, context: MemberContext, work_date: date, data: CheckInIn
) -> None:
    # A Session on the writer's connection joins its transaction and only reads here.
    with Session(bind=connection) as session:
        active = solution_service.active_solutions(
            session=session, team_id=context.team_id, on_date=work_date
        )
    allowed = {solution.id for solution in active}
    unknown = sorted(m.solution_id for m in data.solutions if m.solution_id not in allowed)
    if unknown:
        raise UnknownSolution(
            f"solution {', '.join(map(str, unknown))} is not active in your team on {work_date}"
        )


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
