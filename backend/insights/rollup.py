"""Freezing closed weeks into roll-ups, and deleting raw check-ins after the retention period.

Whatever first needs a team's closed weeks final — a query, `pux rollup`, the server's background
maintenance, a settings change, an erasure — calls `freeze`. It is idempotent: per team it rolls
up the weeks between the team's `frozen_through` and the newest closed Sunday, writes each
team × week once (a concurrent freezer's rows win, `ON CONFLICT DO NOTHING`), and moves
`frozen_through` forward, never back. The UPDATE of `frozen_through` comes first: it takes the
team rows' locks (PostgreSQL) or the write lock (SQLite) before anything is read, so two freezers
do not interleave."""

import bisect
import calendar
import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from backend import clock
from backend.checkins.models import CheckIn, CheckInSolution
from backend.checkins.sql import DRIVERS
from backend.checkins.workdates import parse_working_days
from backend.insights import weeks
from backend.insights.models import WeekRollup, WeekSolutionUse
from backend.orgs.models import Organisation
from backend.teams.models import Member, Team

USED = ("yes", "partly", "no", "not_relevant")


@dataclass
class FreezeResult:
    teams: int = 0  # teams whose frozen_through moved
    weeks: int = 0  # team × week roll-ups written
    seconds: float = 0.0


@dataclass
class PurgeResult:
    checkins: int = 0
    freeze: FreezeResult = field(default_factory=FreezeResult)


def week_of(column: Any, dialect: str) -> Any:
    """SQL for the Monday of a date column's ISO week, on either database."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    # SQLite: forward to the week's Sunday (the same day if it is one), then back to Monday.
    return func.date(column, "weekday 0", "-6 days", type_=Date)


def closed_through(org: Organisation, working_days: str, today: date | None = None) -> date:
    """The newest closed Sunday today for a team of `org` with these working days."""
    return weeks.closed_through(
        today or clock.local_today(org.timezone),
        parse_working_days(working_days),
        org.checkin_window_days,
    )


class OrgState:
    """What one small query tells about an organisation's teams: whether every team is frozen
    through its newest closed week, the newest week closed for all of them, the teams in name
    order, and a version of their roll-ups (for insights.cache). Built on every insights request,
    so per team it only keeps the row; the rest is worked out when asked for."""

    def __init__(self, rows: Sequence[Any], *, driver: Any, frozen: bool, oldest: Any) -> None:
        self._rows = rows  # (id, name, frozen_through, created_at) as the driver gives them
        self._date = driver.date_value
        self.frozen = frozen
        self._oldest = None if oldest is None else self._date(oldest)

    def closed_through(self, org: Organisation) -> date:
        """The oldest frozen_through (or today's rule if no team is frozen)."""
        return self._oldest if self._oldest is not None else closed_through(org, "1,2,3,4,5")

    @cached_property
    def teams(self) -> tuple[tuple[int, str], ...]:
        """(id, name), by name, then id."""
        return tuple((row[0], row[1]) for row in self._rows)

    @cached_property
    def version(self) -> tuple[Any, ...]:
        """Per team its id, creation time and frozen_through: roll-ups are written once, when
        frozen_through moves, and deleted only with their team, so equal versions (and equal k)
        mean equal roll-ups. The whole tuple, not a digest of it: no collision can serve stale
        figures."""
        return tuple((row[0], row[2], row[3]) for row in self._rows)

    @cached_property
    def _by_id(self) -> dict[int, Any]:
        return {row[0]: row for row in self._rows}

    def team_version(self, team_id: int) -> tuple[Any, ...] | None:
        """The same for one team (None: not a team of the organisation, or never frozen)."""
        row = self._by_id.get(team_id)
        return None if row is None or row[2] is None else (row[0], row[2], row[3])

    def frozen_through(self, team_id: int) -> date | None:
        row = self._by_id.get(team_id)
        return None if row is None or row[2] is None else self._date(row[2])


_TEAMS = """
SELECT id, name, frozen_through, created_at, working_days FROM team WHERE org_id = {m}
ORDER BY name, id
"""


def org_state(*, session: Session, org: Organisation) -> OrgState:
    """The state of the organisation's teams, straight from the driver (one query, no ORM: it runs
    on every insights request)."""
    session.flush()  # the raw query does not autoflush as the ORM's would
    connection = session.connection()
    driver = DRIVERS[connection.dialect.name]
    rows = connection.exec_driver_sql(_TEAMS.format(m=driver.marker), (org.id,)).all()
    today = clock.local_today(org.timezone)
    # The newest closed Sunday per working-days setting, as the driver stores dates: ISO text
    # (SQLite) compares like the dates it spells.
    targets: dict[str, Any] = {}
    frozen = True
    oldest = None
    for row in rows:
        through = row[2]
        if through is None:
            frozen = False
            continue
        if oldest is None or through < oldest:
            oldest = through
        target = targets.get(row[4])
        if target is None:
            target = targets[row[4]] = driver.date_param(closed_through(org, row[4], today))
        if through < target:
            frozen = False
    return OrgState(rows, driver=driver, frozen=frozen, oldest=oldest)


def is_frozen(*, session: Session, org: Organisation) -> bool:
    return org_state(session=session, org=org).frozen


def ensure_frozen_state(*, session: Session, org: Organisation) -> OrgState:
    """Freezes the organisation's closed weeks unless that is done already (the usual case), and
    returns the state of its teams after that. Its `closed_through` is the newest week closed for
    every team of the organisation: a week the organisation's figures may show."""
    state = org_state(session=session, org=org)
    if not state.frozen:
        freeze(session=session, org=org)
        state = org_state(session=session, org=org)
    return state


def ensure_frozen(*, session: Session, org: Organisation) -> date:
    """`ensure_frozen_state`'s newest week closed for every team."""
    return ensure_frozen_state(session=session, org=org).closed_through(org)


def freeze(
    *, session: Session, org: Organisation, team_ids: Collection[int] | None = None
) -> FreezeResult:
    """Rolls up every closed, not yet frozen week of the organisation's teams (or of `team_ids`
    among them) and records their new `frozen_through`. The caller commits."""
    started = time.perf_counter()
    result = FreezeResult()
    today = clock.local_today(org.timezone)
    query = select(
        col(Team.id), col(Team.working_days), col(Team.frozen_through), col(Team.created_at)
    ).where(col(Team.org_id) == org.id)
    if team_ids is not None:
        query = query.where(col(Team.id).in_(list(team_ids)))
    pending: dict[date, dict[int, tuple[date | None, datetime]]] = defaultdict(dict)
    for team_id, working_days, frozen_through, created_at in session.execute(query).all():
        target = closed_through(org, working_days, today)
        if frozen_through is None or frozen_through < target:
            pending[target][team_id] = (frozen_through, created_at)
    for target, teams in pending.items():
        claimed = _claim(session=session, team_ids=list(teams), target=target)
        if claimed:
            starts = _first_weeks(
                session=session,
                org=org,
                teams={team_id: teams[team_id] for team_id in claimed},
            )
            result.weeks += _roll_up(session=session, org=org, starts=starts, last_sunday=target)
            result.teams += len(claimed)
    result.seconds = time.perf_counter() - started
    return result


def _claim(*, session: Session, team_ids: list[int], target: date) -> list[int]:
    """Moves the teams' frozen_through to `target` where it is older; the teams it moved.

    From here on no check-in can land on or before `target`, and a concurrent freezer of the same
    teams waits for this transaction and then finds nothing left to do."""
    rows = session.execute(
        update(Team)
        .where(
            col(Team.id).in_(team_ids),
            or_(col(Team.frozen_through).is_(None), col(Team.frozen_through) < target),
        )
        .values(frozen_through=target)
        .returning(col(Team.id))
        .execution_options(synchronize_session=False)
    ).all()
    return [row[0] for row in rows]


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _first_weeks(
    *, session: Session, org: Organisation, teams: dict[int, tuple[date | None, datetime]]
) -> dict[int, date]:
    """Per team the Monday of the first week to roll up: the week after its frozen_through, or for
    a team never frozen its first week (created, or its oldest check-in if that is older)."""
    zone = ZoneInfo(org.timezone)
    starts: dict[int, date] = {}
    never = [team_id for team_id, (frozen, _) in teams.items() if frozen is None]
    oldest: dict[int, date] = {}
    if never:
        oldest = dict(
            session.execute(
                select(col(CheckIn.team_id), func.min(col(CheckIn.work_date)))
                .where(col(CheckIn.team_id).in_(never))
                .group_by(col(CheckIn.team_id))
            ).all()
        )
    for team_id, (frozen, created_at) in teams.items():
        if frozen is not None:
            starts[team_id] = frozen + timedelta(days=1)
        else:
            first = _local_date(created_at, zone)
            if team_id in oldest:
                first = min(first, oldest[team_id])
            starts[team_id] = weeks.week_start(first)
    return starts


def _roll_up(
    *, session: Session, org: Organisation, starts: dict[int, date], last_sunday: date
) -> int:
    """Writes a roll-up for every week from each team's start through `last_sunday` (weeks
    without check-ins too, with zero respondents); returns how many."""
    dialect = session.get_bind().dialect.name
    team_ids = list(starts)
    first = min(starts.values())
    if first > last_sunday:
        return 0
    week = week_of(col(CheckIn.work_date), dialect).label("week")
    in_range = (
        col(CheckIn.team_id).in_(team_ids),
        col(CheckIn.work_date) >= first,
        col(CheckIn.work_date) <= last_sunday,
    )
    cells: dict[tuple[int, date], tuple[int, ...]] = {
        (team_id, week_start): tuple(values)
        for team_id, week_start, *values in session.execute(
            select(
                col(CheckIn.team_id),
                week,
                func.count(func.distinct(col(CheckIn.member_id))),
                func.count(),
                func.coalesce(func.sum(col(CheckIn.calm)), 0),
                func.count(col(CheckIn.calm)),
                func.coalesce(func.sum(col(CheckIn.flow)), 0),
                func.count(col(CheckIn.flow)),
                func.coalesce(func.sum(col(CheckIn.workload)), 0),
                func.count(col(CheckIn.workload)),
            )
            .where(*in_range)
            .group_by(col(CheckIn.team_id), week)
        ).all()
    }
    uses: dict[tuple[int, date, int], dict[str, int]] = defaultdict(dict)
    for team_id, week_start, solution_id, used, count in session.execute(
        select(
            col(CheckIn.team_id),
            week,
            col(CheckInSolution.solution_id),
            col(CheckInSolution.used),
            func.count(),
        )
        .join(CheckIn, col(CheckIn.id) == col(CheckInSolution.checkin_id))
        .where(*in_range)
        .group_by(
            col(CheckIn.team_id), week, col(CheckInSolution.solution_id), col(CheckInSolution.used)
        )
    ).all():
        if used in USED:
            uses[team_id, week_start, solution_id][used] = count
    joined = _joined_dates(session=session, org=org, team_ids=team_ids)
    rollups: list[dict[str, Any]] = []
    for team_id, start in starts.items():
        for week_start in weeks.weeks_between(start, last_sunday):
            respondents, checkins, *sums = cells.get((team_id, week_start), (0,) * 8)
            members = bisect.bisect_right(joined.get(team_id, []), weeks.week_end(week_start))
            rollups.append(
                {
                    "team_id": team_id,
                    "week_start": week_start,
                    "threshold": org.anonymity_threshold,
                    # A member who answered and has left since is not counted by joined dates.
                    "members": max(members, respondents),
                    "respondents": respondents,
                    "checkins": checkins,
                    "calm_sum": sums[0],
                    "calm_count": sums[1],
                    "flow_sum": sums[2],
                    "flow_count": sums[3],
                    "workload_sum": sums[4],
                    "workload_count": sums[5],
                }
            )
    solution_uses = [
        {
            "team_id": team_id,
            "week_start": week_start,
            "solution_id": solution_id,
            **{used: counts.get(used, 0) for used in USED},
        }
        for (team_id, week_start, solution_id), counts in uses.items()
        if week_start >= starts[team_id]
    ]
    _insert_new(session, WeekRollup, rollups)
    _insert_new(session, WeekSolutionUse, solution_uses)
    return len(rollups)


def _joined_dates(
    *, session: Session, org: Organisation, team_ids: list[int]
) -> dict[int, list[date]]:
    """Per team its members' local join dates, sorted (to count who belonged in each week)."""
    zone = ZoneInfo(org.timezone)
    joined: dict[int, list[date]] = defaultdict(list)
    for team_id, joined_at in session.execute(
        select(col(Member.team_id), col(Member.joined_at)).where(col(Member.team_id).in_(team_ids))
    ).all():
        joined[team_id].append(_local_date(joined_at, zone))
    for dates in joined.values():
        dates.sort()
    return joined


_CHUNK = 2000


def _insert_new(session: Session, table: type[Any], rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: a row a concurrent freezer wrote first stays as it is."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for n in range(0, len(rows), _CHUNK):
        session.execute(make(table).on_conflict_do_nothing(), rows[n : n + _CHUNK])


# --- retention ---------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def purge(*, session: Session, org: Organisation) -> PurgeResult:
    """Deletes the organisation's raw check-ins (and their marks) older than its retention, after
    their weeks are rolled up; a check-in in a week that is not frozen is never deleted."""
    result = PurgeResult(freeze=freeze(session=session, org=org))
    cutoff = months_before(clock.local_today(org.timezone), org.retention_months)
    frozen: dict[date, list[int]] = defaultdict(list)
    for team_id, frozen_through in session.execute(
        select(col(Team.id), col(Team.frozen_through)).where(
            col(Team.org_id) == org.id, col(Team.frozen_through).is_not(None)
        )
    ).all():
        frozen[min(cutoff, frozen_through + timedelta(days=1))].append(team_id)
    for bound, team_ids in frozen.items():
        old = select(col(CheckIn.id)).where(
            col(CheckIn.team_id).in_(team_ids), col(CheckIn.work_date) < bound
        )
        # Marks first: on SQLite a cascade per deleted row is much slower than one statement.
        session.execute(
            delete(CheckInSolution).where(col(CheckInSolution.checkin_id).in_(old)),
            execution_options={"synchronize_session": False},
        )
        deleted = session.execute(
            delete(CheckIn).where(
                col(CheckIn.team_id).in_(team_ids), col(CheckIn.work_date) < bound
            ),
            execution_options={"synchronize_session": False},
        )
        result.checkins += deleted.rowcount  # type: ignore[attr-defined]
    return result
