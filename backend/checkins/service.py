"""Rules for check-ins: record (create or replace), list, delete, and what Today shows.

`record_checkins` works on a SQLAlchemy Connection instead of a Session: it runs on the hot path
inside the group-commit writer (backend/checkins/writer.py), where it authenticates and upserts a
whole batch of requests in a few hand-written statements (backend/checkins/sql.py). Like every
service it never commits; the writer commits the batch."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

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
from backend.checkins.sql import Key, Statements, Stored, statements
from backend.errors import AppError, NotFound, PreconditionFailed, Unauthorized, Unprocessable
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


class EmptyCheckIn(Unprocessable):
    """A check-in with no rating and no solution mark: nothing a member could have meant to say
    (a comment alone is not a check-in either)."""


class StaleCheckIn(PreconditionFailed):
    """A replacement based on an answer that is no longer the stored one (If-Match), or meant
    as the day's first answer when there is one already (If-None-Match: *). Nothing is written;
    `current` is the stored answer (None: there is none any more)."""

    def __init__(self, detail: str, current: CheckInPublic | None) -> None:
        super().__init__(detail)
        self.current = current


def etag(checkin_id: int, revision: int, created_at: datetime) -> str:
    """The entity tag of a stored check-in: its row, the row's revision and the instant the row was
    created — so a check-in deleted and made again (revision 1 once more, on SQLite perhaps even
    the same id) never matches the old one's."""
    # Whole seconds from the float are exact (far more precision than a microsecond to spare).
    micros = int(created_at.timestamp()) * 1_000_000 + created_at.microsecond
    return f'"{checkin_id:x}.{revision}.{micros:x}"'


@dataclass(frozen=True)
class Precondition:
    """A PUT's If-Match / If-None-Match (RFC 9110 §13.1): entity tags, or {"*"} for "any"."""

    if_match: frozenset[str] | None = None
    if_none_match: frozenset[str] | None = None

    def holds(self, current: str | None) -> bool:
        """Whether the write may go ahead when the stored check-in's tag is `current` (None:
        there is none)."""
        if self.if_match is not None and (
            current is None or not ("*" in self.if_match or current in self.if_match)
        ):
            return False
        return not (
            self.if_none_match is not None
            and current is not None
            and ("*" in self.if_none_match or current in self.if_none_match)
        )

    @property
    def only_if_new(self) -> bool:
        """Exactly "create, never replace": written without reading first."""
        return (
            self.if_match is None and self.if_none_match is not None and "*" in self.if_none_match
        )


def check_not_empty(data: CheckInIn) -> None:
    if data.calm is None and data.flow is None and data.workload is None and not data.solutions:
        raise EmptyCheckIn("a check-in needs at least one rating or one solution mark")


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
        first, last = workdates.checkin_window(
            self.timezone, workdates.parse_working_days(self.working_days), self.window_days
        )
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
    # None: an old client that sends no condition, and replaces whatever is stored.
    precondition: Precondition | None = None


Recorded = tuple[CheckInPublic, bool]  # the check-in as stored, and whether it was created


def record_checkins(
    *, connection: Connection, requests: Sequence[CheckInRequest]
) -> list[Recorded | AppError]:
    """Creates or replaces each request's check-in; per request the stored check-in (and whether
    it is new), or the AppError that refused it.

    The outcome is that of running the requests one after another, in order, each by itself: a
    member is authenticated by token, the date must be in their org's window, marks must name
    solutions active in their own team on that date, the check-in must say something (a rating or
    a mark), a precondition (If-Match / If-None-Match) must hold, and a refused request stores
    nothing — not even its ratings. Replacing a check-in replaces its marks. Done for many
    requests at once (writer.py's group commit) in a few set-based statements: all checks first,
    then the writes."""
    sql = statements(connection)
    contexts = sql.authenticate([r.token_hash for r in requests])
    outcomes: list[Recorded | AppError | None] = [None] * len(requests)
    in_window: list[tuple[int, MemberContext]] = []
    for index, request in enumerate(requests):
        try:
            row = contexts.get(request.token_hash)
            if row is None:
                raise Unauthorized("A valid member token is required")
            context = MemberContext(**row)
            check_not_empty(request.data)
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
    round_: dict[Key, tuple[int, MemberContext]],
    outcomes: list[Recorded | AppError | None],
) -> None:
    """Writes one round (each (member, date) once). Without a precondition a request upserts;
    "only if new" inserts-or-nothing; any other precondition is checked against the stored row,
    read (and on PostgreSQL locked) first. A request whose precondition fails writes nothing —
    unless the stored answer already says exactly what it says (a retry whose first answer was
    lost), which is then its outcome."""
    now = clock.now()
    checked = [
        key
        for key, (index, _) in round_.items()
        if (p := requests[index].precondition) is not None and not p.only_if_new
    ]
    current = sql.stored(checked) if checked else {}
    replace: list[Key] = []
    create: list[Key] = []
    stale: list[Key] = []
    for key, (index, _) in round_.items():
        precondition = requests[index].precondition
        if precondition is None:
            replace.append(key)
        elif precondition.only_if_new:
            create.append(key)
        else:
            row = current.get(key)
            if not precondition.holds(
                None if row is None else etag(row.id, row.revision, row.created_at)
            ):
                stale.append(key)
            else:
                (create if row is None else replace).append(key)

    def rows(keys: list[Key]) -> list[dict[str, Any]]:
        made = []
        for key in keys:
            index, context = round_[key]
            data = requests[index].data
            made.append(
                {
                    "member_id": context.member_id,
                    "team_id": context.team_id,
                    "work_date": key[1],
                    "calm": data.calm,
                    "flow": data.flow,
                    "workload": data.workload,
                    "comment": data.comment,
                    "share_comment": data.share_comment,
                    "revision": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        return made

    written = sql.upsert(rows(replace)) if replace else {}
    if create:
        created = sql.insert_new(rows(create))
        written.update(created)
        # Created meanwhile by someone else (another device, another server process).
        stale += [key for key in create if key not in created]
    replaced: list[int] = []
    marks: list[tuple[int, int, str]] = []
    for key, stored in written.items():
        index, _ = round_[key]
        data = requests[index].data
        if stored.revision != 1:
            replaced.append(stored.id)
        marks += [(stored.id, mark.solution_id, mark.used) for mark in data.solutions]
        public = CheckInPublic(
            work_date=key[1],
            etag=etag(stored.id, stored.revision, stored.created_at),
            calm=data.calm,
            flow=data.flow,
            workload=data.workload,
            comment=data.comment,
            share_comment=data.share_comment,
            solutions=data.solutions,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
        )
        outcomes[index] = (public, stored.revision == 1)
    if replaced:
        sql.delete_marks(replaced)
    if marks:
        sql.insert_marks(marks)
    if stale:
        _refuse_stale(sql=sql, requests=requests, round_=round_, keys=stale, outcomes=outcomes)


def _refuse_stale(
    *,
    sql: Statements,
    requests: Sequence[CheckInRequest],
    round_: dict[Key, tuple[int, MemberContext]],
    keys: list[Key],
    outcomes: list[Recorded | AppError | None],
) -> None:
    """StaleCheckIn, with the stored answer, for each key whose precondition failed — or the
    stored answer itself where it is what the request says (nothing to choose between)."""
    stored = sql.stored(keys)
    marks = sql.marks([row.id for row in stored.values()])
    for key in keys:
        index, _ = round_[key]
        data = requests[index].data
        row = stored.get(key)
        current = None if row is None else _stored_public(key[1], row, marks.get(row.id, []))
        if current is not None and _same_answer(current, data):
            outcomes[index] = (current, False)
            continue
        outcomes[index] = StaleCheckIn(
            f"the check-in for {key[1]} has changed since this answer was made"
            if current is not None
            else f"the check-in for {key[1]} is no longer stored",
            current,
        )


def _stored_public(day: date, row: Stored, marks: list[tuple[int, str]]) -> CheckInPublic:
    assert row.content is not None, "read by Statements.stored"
    calm, flow, workload, comment, share_comment = row.content
    return CheckInPublic(
        work_date=day,
        etag=etag(row.id, row.revision, row.created_at),
        calm=calm,
        flow=flow,
        workload=workload,
        comment=comment,
        share_comment=bool(share_comment),
        solutions=[SolutionMark(solution_id=s, used=u) for s, u in marks],  # type: ignore[arg-type]
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _same_answer(stored: CheckInPublic, data: CheckInIn) -> bool:
    def marks(items: list[SolutionMark]) -> list[tuple[int, str]]:
        return sorted((m.solution_id, m.used) for m in items)

    return (stored.calm, stored.flow, stored.workload, stored.comment, stored.share_comment) == (
        data.calm,
        data.flow,
        data.workload,
        data.comment,
        data.share_comment,
    ) and marks(stored.solutions) == marks(data.solutions)


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
    # CurrentMember loaded the team and organisation with the member (auth.dependencies), so
    # these are answered from the session.
    team = session.get(Team, member.team_id)
    assert team is not None
    org = session.get(Organisation, team.org_id)
    assert member.id is not None and team.id is not None and org is not None
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
            etag=etag(c.id or 0, c.revision, c.created_at),
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
        checkins=list(checkins.values()),
        window_days=context.window_days,
        working_days=sorted(working_days),
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
