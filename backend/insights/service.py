"""Every figure anyone but the member sees: team summaries, organisation trends, solution effects.

The one rule (docs/privacy.md): a figure is a sum of whole *shown* team × week cells — roll-ups of
closed weeks with at least k distinct respondents — and nothing else. A suppressed cell adds
nothing to any sum; an open week is not read at all; date ranges snap to whole closed weeks. The
roll-ups are read, never the raw check-ins (except the comments members shared, which are only
taken from shown weeks)."""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import to_json
from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from backend import http
from backend.checkins.models import CheckIn
from backend.checkins.sql import DRIVERS
from backend.config import settings
from backend.errors import NotFound, Unprocessable
from backend.insights import cache, rollup, weeks
from backend.insights.models import WeekRollup
from backend.orgs.models import Organisation
from backend.solutions import service as solution_service
from backend.teams.models import Team

DEFAULT_WEEKS = 12
MAX_WEEKS = 156  # three years
DEFAULT_WEEKS_BEFORE = 4
ACTIVE = solution_service.ACTIVE_STATUSES


class InvalidRange(Unprocessable):
    pass


# --- cells and their sums ----------------------------------------------------------------------

# A roll-up as read: (threshold, members, respondents, calm_sum, calm_count, flow_sum, flow_count,
# workload_sum, workload_count).
Cell = tuple[int, int, int, int, int, int, int, int, int]
_CELL_COLUMNS = (
    col(WeekRollup.threshold),
    col(WeekRollup.members),
    col(WeekRollup.respondents),
    col(WeekRollup.calm_sum),
    col(WeekRollup.calm_count),
    col(WeekRollup.flow_sum),
    col(WeekRollup.flow_count),
    col(WeekRollup.workload_sum),
    col(WeekRollup.workload_count),
)
# Whole cells added up: (cells, respondents, members, calm_sum, calm_count, flow_sum,
# flow_count, workload_sum, workload_count).
Values = tuple[int, int, int, int, int, int, int, int, int]


def is_shown(cell: Cell, threshold: int) -> bool:
    """A cell is shown with at least k distinct respondents — the k of today, or the k it closed
    with if that was higher (lowering k does not unveil a week that closed suppressed)."""
    return cell[2] >= threshold and cell[2] >= cell[0]


def shown_clause(threshold: int) -> Any:
    """`is_shown` in SQL, for sums the database adds up itself."""
    respondents = col(WeekRollup.respondents)
    return and_(respondents >= col(WeekRollup.threshold), respondents >= threshold)


def values_of(cell: Cell) -> Values:
    return (1, cell[2], cell[1], *cell[3:])


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def means_of(values: Sequence[int]) -> dict[str, float | None]:
    return {
        "calm": _mean(values[3], values[4]),
        "flow": _mean(values[5], values[6]),
        "workload": _mean(values[7], values[8]),
    }


@dataclass
class Sums:
    """Whole shown cells added up, and the weeks they are from."""

    weeks: set[date] = field(default_factory=set)
    values: list[int] = field(default_factory=lambda: [0] * 9)

    def add(self, week: date, values: Sequence[int]) -> None:
        self.weeks.add(week)
        for n in range(9):
            self.values[n] += values[n]

    @property
    def cells(self) -> int:
        return self.values[0]

    @property
    def respondents(self) -> int:
        return self.values[1]

    def raw_means(self) -> dict[str, float | None]:
        v = self.values
        return {
            name: (v[3 + 2 * n] / v[4 + 2 * n] if v[4 + 2 * n] else None)
            for n, name in enumerate(("calm", "flow", "workload"))
        }

    def side(self) -> dict[str, Any]:
        return {
            "weeks": len(self.weeks),
            "respondents": self.respondents,
            "first_week": min(self.weeks) if self.weeks else None,
            "last_week": max(self.weeks) if self.weeks else None,
            **means_of(self.values),
        }


def _change(after: Sums, before: Sums) -> dict[str, float | None]:
    a, b = after.raw_means(), before.raw_means()
    return {
        name: None if a[name] is None or b[name] is None else a[name] - b[name]  # type: ignore[operator]
        for name in a
    }


def _rounded(values: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 2) for k, v in values.items()}


# --- ranges ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    first: date  # a Monday
    last: date  # a Sunday, never after closed_through
    closed_through: date

    @property
    def weeks(self) -> list[date]:
        return weeks.weeks_between(self.first, self.last) if self.first <= self.last else []

    def dated(self) -> dict[str, date]:
        return {"from": self.first, "to": self.last, "closed_through": self.closed_through}


def span(*, first: date | None, last: date | None, closed_through: date) -> Span:
    """The whole closed weeks from `first`'s week through `last`'s week (default: the last 12
    closed weeks); an open week is never part of it."""
    if first is not None and last is not None and first > last:
        raise InvalidRange(f"from ({first}) is after to ({last})")
    end = weeks.week_end(weeks.week_start(last)) if last is not None else closed_through
    start = (
        weeks.week_start(first)
        if first is not None
        else weeks.week_start(min(end, closed_through)) - weeks.WEEK * (DEFAULT_WEEKS - 1)
    )
    if (end - start).days // 7 + 1 > MAX_WEEKS:
        raise InvalidRange(f"at most {MAX_WEEKS} weeks can be asked for at once")
    return Span(first=start, last=min(end, closed_through), closed_through=closed_through)


# --- reading roll-ups --------------------------------------------------------------------------


def shown_sums(
    *,
    session: Session,
    org: Organisation,
    by: Any,
    first: date,
    last: date,
    week_starts: Collection[date] | None = None,
) -> dict[Any, tuple[Values, int]]:
    """The organisation's shown cells added up by the database, grouped `by` week or team: per
    group the values of the shown cells and the number of all cells (shown or not)."""
    shown = shown_clause(org.anonymity_threshold)

    def if_shown(column: Any) -> Any:
        return func.coalesce(func.sum(case((shown, column), else_=0)), 0)

    query = (
        select(
            by,
            if_shown(1),
            if_shown(col(WeekRollup.respondents)),
            if_shown(col(WeekRollup.members)),
            *(if_shown(column) for column in _CELL_COLUMNS[3:]),
            func.count(),
        )
        .join(Team, col(Team.id) == col(WeekRollup.team_id))
        .where(
            col(Team.org_id) == org.id,
            col(WeekRollup.week_start) >= first,
            col(WeekRollup.week_start) <= last,
        )
        .group_by(by)
    )
    if week_starts is not None:
        query = query.where(col(WeekRollup.week_start).in_(sorted(week_starts)))
    return {
        row[0]: (tuple(int(v) for v in row[1:10]), int(row[10]))  # type: ignore[misc]
        for row in session.execute(query).all()
    }


_USES = """
SELECT team_id, week_start, solution_id, yes, partly, no, not_relevant FROM week_solution_use
WHERE team_id IN ({markers}) AND week_start >= {m} AND week_start <= {m}
ORDER BY solution_id
"""


def _solution_uses(
    *, session: Session, team_ids: Collection[int], first: date, last: date
) -> dict[tuple[int, date], list[tuple[int, int, int, int, int]]]:
    """(team, week) → [(solution_id, yes, partly, no, not_relevant)]. Not kept in insights.cache:
    deleting a solution deletes its rows."""
    found: dict[tuple[int, date], list[tuple[int, int, int, int, int]]] = defaultdict(list)
    if not team_ids:
        return found
    connection = session.connection()
    driver = DRIVERS[connection.dialect.name]
    sql = _USES.format(markers=", ".join([driver.marker] * len(team_ids)), m=driver.marker)
    params = (*team_ids, driver.date_param(first), driver.date_param(last))
    days: dict[Any, date] = {}
    for team_id, week, *counts in connection.exec_driver_sql(sql, params):
        day = days.get(week)
        if day is None:
            day = days[week] = driver.date_value(week)
        found[team_id, day].append(tuple(counts))
    return found


# --- solutions: before / after -----------------------------------------------------------------


@dataclass(frozen=True)
class TrialSolution:
    """What a trial's figures show of its solution (read on every request: it can change)."""

    id: int
    team_id: int
    title: str
    perspective: str
    status: str
    situation_id: int | None
    situation_title: str | None
    review_date: date | None


@dataclass(frozen=True)
class Trial:
    solution: TrialSolution
    since: date  # local date it (last) entered trial
    ended: date | None  # local date it left trial/adopted, if it did

    @property
    def week(self) -> date:
        return weeks.week_start(self.since)


_TRIALS = """
SELECT s.id, s.team_id, s.title, s.perspective, s.status, s.situation_id, sit.title,
    s.review_date, c.to_status, c.changed_at
FROM solution AS s
JOIN solution_status_change AS c ON c.solution_id = s.id
LEFT JOIN situation AS sit ON sit.id = s.situation_id
WHERE s.team_id IN ({markers})
ORDER BY s.id, c.changed_at, c.id
"""


def _team_order(trial: Trial) -> tuple[int, int, int]:
    return (trial.solution.team_id, "PUX".find(trial.solution.perspective), trial.solution.id)


def trials(*, session: Session, org: Organisation, team_ids: Collection[int]) -> list[Trial]:
    """The teams' solutions that have been in trial, with when that run started (and ended).

    The run is the latest one that began with trial (proposed or dropped → trial; a follow-up's
    adjust, adopted → trial, continues it), so a trial postponed and started again is measured
    from its real start. One query for the solutions, their histories and situations, straight
    from the driver (it runs on every summary)."""
    if not team_ids:
        return []
    zone = ZoneInfo(org.timezone)
    session.flush()  # the raw query does not autoflush as the ORM's would
    connection = session.connection()
    driver = DRIVERS[connection.dialect.name]
    markers = ", ".join([driver.marker] * len(team_ids))
    histories: dict[int, list[tuple[Any, ...]]] = defaultdict(list)  # oldest change first
    for row in connection.exec_driver_sql(_TRIALS.format(markers=markers), tuple(team_ids)):
        histories[row[0]].append(tuple(row))
    found: list[Trial] = []
    for changes in histories.values():
        start: Any = None
        end: Any = None
        active = False
        for *_, to_status, changed_at in changes:
            if to_status == "trial" and not active:
                start, end = changed_at, None
            elif to_status not in ACTIVE and active and start is not None:
                end = changed_at
            active = to_status in ACTIVE
        if start is None:
            continue
        id_, team_id, title, perspective, status, situation_id, situation, review = changes[0][:8]
        solution = TrialSolution(
            id=id_,
            team_id=team_id,
            title=title,
            perspective=perspective,
            status=status,
            situation_id=situation_id,
            situation_title=situation,
            review_date=None if review is None else driver.date_value(review),
        )
        ended = None if end is None else driver.datetime_value(end).astimezone(zone).date()
        since = driver.datetime_value(start).astimezone(zone).date()
        found.append(Trial(solution=solution, since=since, ended=ended))
    # In each team P, U, X, then oldest first (as the team sees them).
    found.sort(
        key=lambda t: (t.solution.team_id, "PUX".find(t.solution.perspective), t.solution.id)
    )
    return found


@dataclass(frozen=True)
class TrialWeeks:
    before: list[date]
    after: list[date]
    use: list[date]  # the trial week and the after weeks


def trial_weeks(
    trial: Trial, *, closed_through: date, weeks_before: int, weeks_after: int | None
) -> TrialWeeks:
    """The closed weeks each side may use: up to `weeks_before` weeks before the trial week, and
    the weeks after it until the week it ended (both of those weeks left out: each is partly
    before and partly after), at most `weeks_after` of them."""
    w0 = trial.week
    newest = weeks.week_start(closed_through)
    last = newest
    if trial.ended is not None:
        last = min(last, weeks.week_start(trial.ended) - weeks.WEEK)
    after = weeks.weeks_between(w0 + weeks.WEEK, last) if w0 + weeks.WEEK <= last else []
    if weeks_after is not None:
        after = after[:weeks_after]
    before = [w0 - weeks.WEEK * n for n in range(weeks_before, 0, -1)]
    # Marks count from the trial week through the week it ended (they were given while it ran).
    use_last = newest if trial.ended is None else min(newest, weeks.week_start(trial.ended))
    return TrialWeeks(
        before=[w for w in before if w <= newest],
        after=after,
        use=weeks.weeks_between(w0, use_last) if w0 <= use_last else [],
    )


def _effect(
    trial: Trial,
    *,
    own: dict[date, Cell],
    org_weeks: dict[date, Values],
    uses: dict[date, list[tuple[int, int, int, int, int]]],
    periods: TrialWeeks,
    threshold: int,
) -> dict[str, Any]:
    solution = trial.solution
    assert solution.id is not None
    sides: dict[str, Sums] = {}
    others: dict[str, Sums] = {}
    for name, week_list in (("before", periods.before), ("after", periods.after)):
        mine, rest = Sums(), Sums()
        for week in week_list:
            cell = own.get(week)
            if cell is None or not is_shown(cell, threshold):
                continue
            values = values_of(cell)
            mine.add(week, values)
            # The same weeks for the rest of the organisation: all its shown cells but this one.
            everyone = org_weeks.get(week)
            if everyone is not None and everyone[0] > 1:
                rest.add(week, [a - b for a, b in zip(everyone, values, strict=True)])
        sides[name], others[name] = mine, rest
    counts = dict.fromkeys(rollup.USED, 0)
    use_weeks = 0
    for week in periods.use:
        cell = own.get(week)
        if cell is None or not is_shown(cell, threshold):
            continue
        marked = [u for u in uses.get(week, []) if u[0] == solution.id]
        if marked:
            use_weeks += 1
        for _, *numbers in marked:
            for used, number in zip(rollup.USED, numbers, strict=True):
                counts[used] += number
    marks = counts["yes"] + counts["partly"] + counts["no"]
    change = _change(sides["after"], sides["before"])
    others_change = _change(others["after"], others["before"])
    return {
        "id": solution.id,
        "team_id": solution.team_id,
        "title": solution.title,
        "perspective": solution.perspective,
        "status": solution.status,
        "situation_id": solution.situation_id,
        "situation_title": solution.situation_title,
        "review_date": solution.review_date,
        "trial_since": trial.since,
        "trial_week": trial.week,
        "ended": trial.ended,
        "before": sides["before"].side(),
        "after": sides["after"].side(),
        "change": _rounded(change),
        "others": {
            "before": {**others["before"].side(), "cells": others["before"].cells},
            "after": {**others["after"].side(), "cells": others["after"].cells},
            "change": _rounded(others_change),
        },
        "difference": _rounded(
            {
                name: None
                if change[name] is None or others_change[name] is None
                else change[name] - others_change[name]  # type: ignore[operator]
                for name in change
            }
        ),
        "use": {
            "weeks": use_weeks,
            "marks": marks,
            **counts,
            "shares": {u: round(counts[u] / marks, 3) for u in ("yes", "partly", "no")}
            if marks
            else None,
        },
        "thin": len(sides["before"].weeks) < 2 or len(sides["after"].weeks) < 2,
    }


@dataclass(frozen=True)
class _Plan:
    """The trials of some teams and the weeks each side of each may use."""

    found: list[Trial]
    periods: dict[int, TrialWeeks]  # by solution id
    needed: set[date]  # every week any of them uses
    first: date
    last: date  # a Sunday


def _plan(
    *,
    session: Session,
    org: Organisation,
    team_ids: Collection[int],
    closed_through: date,
    weeks_before: int,
    weeks_after: int | None,
) -> _Plan | None:
    found = trials(session=session, org=org, team_ids=team_ids)
    if not found:
        return None
    periods = {
        t.solution.id or 0: trial_weeks(
            t, closed_through=closed_through, weeks_before=weeks_before, weeks_after=weeks_after
        )
        for t in found
    }
    needed = {w for p in periods.values() for w in (*p.before, *p.after, *p.use)}
    if not needed:
        needed = {weeks.week_start(closed_through)}
    return _Plan(
        found=found,
        periods=periods,
        needed=needed,
        first=min(needed),
        last=weeks.week_end(max(needed)),
    )


def _org_weeks(
    *, session: Session, org: Organisation, state: rollup.OrgState, needed: Collection[date]
) -> dict[date, Values]:
    """The organisation's shown cells added up per week (for the *others* of a trial), kept per
    version of its roll-ups and filled a week at a time: every team's summary asks for some of
    the same weeks of the whole organisation."""
    kept: dict[date, Values | None] = cache.get(
        ("org_weeks", org.id, org.anonymity_threshold, state.version), dict, lambda _: 64_000
    )
    missing = [week for week in needed if week not in kept]
    if missing:
        found = shown_sums(
            session=session,
            org=org,
            by=col(WeekRollup.week_start),
            first=min(missing),
            last=weeks.week_end(max(missing)),
            week_starts=missing,
        )
        for week in missing:
            kept[week] = found[week][0] if week in found else None
    return {week: values for week in needed if (values := kept[week]) is not None}


_CELLS = """
SELECT team_id, week_start, threshold, members, respondents, calm_sum, calm_count, flow_sum,
    flow_count, workload_sum, workload_count
FROM week_rollup WHERE team_id IN ({markers}) ORDER BY team_id, week_start
"""


def _cells_of(
    *, session: Session, state: rollup.OrgState, team_ids: Collection[int]
) -> dict[int, dict[date, Cell]]:
    """Every roll-up of each team (week → cell), kept per team and version: a team's cells are
    read from the database once per week that closes, not on every summary."""
    found: dict[int, dict[date, Cell]] = {}
    missing = []
    for team_id in team_ids:
        version = state.team_version(team_id)
        kept = cache.peek(("cells", version)) if version is not None else None
        if kept is not None:
            found[team_id] = kept
        else:
            found[team_id] = {}
            missing.append(team_id)
    if missing:
        connection = session.connection()
        driver = DRIVERS[connection.dialect.name]
        markers = ", ".join([driver.marker] * len(missing))
        rows = connection.exec_driver_sql(_CELLS.format(markers=markers), tuple(missing)).all()
        for team_id, week, *cell in rows:
            found[team_id][driver.date_value(week)] = tuple(cell)
        for team_id in missing:
            version = state.team_version(team_id)
            if version is not None:
                cache.put(("cells", version), found[team_id], 200 * len(found[team_id]) + 500)
    return found


def _effects(
    *,
    session: Session,
    org: Organisation,
    state: rollup.OrgState,
    plan: _Plan | None,
    own: dict[int, dict[date, Cell]],
    uses: dict[tuple[int, date], list[tuple[int, int, int, int, int]]],
) -> list[dict[str, Any]]:
    """Each trial's before/after, others and use; `own` holds the cells of the trials' teams and
    `uses` their solution use in the plan's weeks."""
    if plan is None:
        return []
    org_weeks = _org_weeks(session=session, org=org, state=state, needed=plan.needed)
    uses_by_team: dict[int, dict[date, list[tuple[int, int, int, int, int]]]] = defaultdict(dict)
    for (team_id, week), values in uses.items():
        uses_by_team[team_id][week] = values
    return [
        _effect(
            t,
            own=own[t.solution.team_id],
            org_weeks=org_weeks,
            uses=uses_by_team[t.solution.team_id],
            periods=plan.periods[t.solution.id or 0],
            threshold=org.anonymity_threshold,
        )
        for t in plan.found
    ]


# --- comments ----------------------------------------------------------------------------------


def _shuffle_key(checkin_id: int) -> bytes:
    # Keyed by the server's secret: stable between requests (the screen and the printed page
    # agree), yet unrelated to who wrote the comment, on which day, or in which order.
    return hmac.new(
        settings.secret_key.encode(), f"comment:{checkin_id}".encode(), hashlib.sha256
    ).digest()


def shared_comments(
    *, session: Session, team_id: int, shown_weeks: Sequence[date]
) -> list[dict[str, Any]]:
    """The comments members chose to share, from the shown weeks only, newest week first and in
    random order within a week; without author or day."""
    if not shown_weeks:
        return []
    shown = set(shown_weeks)
    rows = session.execute(
        select(col(CheckIn.id), col(CheckIn.work_date), col(CheckIn.comment)).where(
            col(CheckIn.team_id) == team_id,
            col(CheckIn.share_comment).is_(True),
            col(CheckIn.comment).is_not(None),
            col(CheckIn.work_date) >= min(shown),
            col(CheckIn.work_date) <= weeks.week_end(max(shown)),
        )
    ).all()
    comments = [
        (weeks.week_start(work_date), _shuffle_key(checkin_id), text)
        for checkin_id, work_date, text in rows
        if weeks.week_start(work_date) in shown
    ]
    comments.sort(key=lambda c: (-c[0].toordinal(), c[1]))
    return [{"week_start": week, "text": text} for week, _, text in comments]


# --- endpoints' computations -------------------------------------------------------------------


def _use_list(
    values: list[tuple[int, int, int, int, int]],
) -> list[dict[str, int]]:
    return [
        {"solution_id": s, "yes": y, "partly": p, "no": n, "not_relevant": r}
        for s, y, p, n, r in values
    ]


_NO_MEANS: dict[str, float | None] = {"calm": None, "flow": None, "workload": None}


_MEMBERS = "SELECT COUNT(*) FROM member WHERE team_id = {m}"


def team_summary(
    *,
    session: Session,
    team: Team,
    first: date | None,
    last: date | None,
    weeks_before: int = DEFAULT_WEEKS_BEFORE,
    weeks_after: int | None = None,
    with_comments: bool,
) -> dict[str, Any]:
    """A team's closed weeks, its solutions' before/after, and (for members) shared comments."""
    assert team.id is not None
    org = session.get(Organisation, team.org_id)
    assert org is not None
    state = rollup.ensure_frozen_state(session=session, org=org)
    k = org.anonymity_threshold
    # Frozen through is at least today's rule, and stays ahead of it after a widened window.
    closed = state.frozen_through(team.id) or rollup.closed_through(org, team.working_days)
    window = span(first=first, last=last, closed_through=closed)
    plan = _plan(
        session=session,
        org=org,
        team_ids=[team.id],
        closed_through=closed,
        weeks_before=weeks_before,
        weeks_after=weeks_after,
    )
    own = _cells_of(session=session, state=state, team_ids=[team.id])
    # The solution use of the shown weeks and of the trials' weeks, in one query.
    ranges = [(window.first, window.last)] if window.weeks else []
    if plan is not None:
        ranges.append((plan.first, plan.last))
    uses = (
        _solution_uses(
            session=session,
            team_ids=[team.id],
            first=min(r[0] for r in ranges),
            last=max(r[1] for r in ranges),
        )
        if ranges
        else {}
    )
    cells = []
    shown_weeks = []
    for week in window.weeks:
        cell = own[team.id].get(week)
        if cell is None:
            continue  # before the team existed
        shown = is_shown(cell, k)
        if shown:
            shown_weeks.append(week)
        cells.append(
            {
                "week_start": week,
                "respondents": cell[2],
                "members": cell[1],
                "suppressed": not shown,
                **(means_of(values_of(cell)) if shown else _NO_MEANS),
                "solution_use": _use_list(uses.get((team.id, week), [])) if shown else [],
            }
        )
    connection = session.connection()
    members = connection.exec_driver_sql(
        _MEMBERS.format(m=DRIVERS[connection.dialect.name].marker), (team.id,)
    ).scalar_one()
    return {
        **window.dated(),
        "team": {"id": team.id, "name": team.name},
        "threshold": k,
        "members": members,
        "weeks": cells,
        "solutions": _effects(session=session, org=org, state=state, plan=plan, own=own, uses=uses),
        "comments": shared_comments(session=session, team_id=team.id, shown_weeks=shown_weeks)
        if with_comments
        else [],
        "comments_visible": with_comments,
    }


def _org_teams(state: rollup.OrgState, team_ids: Collection[int] | None) -> list[tuple[int, str]]:
    """The organisation's teams by name, or those of `team_ids` (each must be one of them)."""
    teams = list(state.teams)
    if team_ids:
        wanted = set(team_ids)
        if wanted - {id_ for id_, _ in teams}:
            # Like every team the caller cannot reach: 404, whether it exists elsewhere or not.
            raise NotFound("Team not found")
        teams = [t for t in teams if t[0] in wanted]
    return teams


# A team's row of a week, as in the JSON document.
_ROW = (
    "period_start",
    "team_id",
    "respondents",
    "members",
    "suppressed",
    "calm",
    "flow",
    "workload",
)


@dataclass(frozen=True)
class OrgCells:
    """An organisation's cells of a range of closed weeks, added up and as rows: all of it made
    of roll-ups, so it is kept in insights.cache (never changed once made)."""

    periods: list[dict[str, Any]]  # the organisation row of each week
    totals: dict[int | None, dict[str, Any]]  # per team (None: the organisation) over the range
    teams_left_out: int  # teams with a suppressed cell in the range
    # Per team its weeks' rows, oldest first, as tuples in _ROW order (a tuple of numbers and
    # dates is a tenth of a dict's memory, and the cyclic GC does not track it).
    rows: dict[int, list[tuple[Any, ...]]]
    json: dict[int, bytes]  # the same rows as JSON array items, comma-separated (no brackets)

    @property
    def weight(self) -> int:
        # What the cache counts: the JSON and about as much again for the tuples.
        return 2 * sum(len(part) for part in self.json.values()) + 10_000


@dataclass
class TrendRows:
    """Trends as rows, shared by the JSON endpoint and the exports."""

    org: Organisation
    window: Span
    teams: list[tuple[int, str]]
    cells: OrgCells
    key: tuple[Any, ...]  # what the rows are made of (for the cache of their JSON)

    @property
    def periods(self) -> list[dict[str, Any]]:
        """Per week the organisation row, then the teams' rows; as in the JSON document."""
        periods = list(self.cells.periods)
        for team_id, _ in self.teams:
            periods += [
                dict(zip(_ROW, row, strict=True)) for row in self.cells.rows.get(team_id, [])
            ]
        return periods

    @property
    def totals(self) -> list[dict[str, Any]]:
        empty = _total(None, [0] * 10, 0)
        return [self.cells.totals[None]] + [
            self.cells.totals.get(team_id) or {**empty, "team_id": team_id}
            for team_id, _ in self.teams
        ]

    @property
    def teams_left_out(self) -> int:
        return self.cells.teams_left_out


_TEAM_ROWS = """
SELECT r.team_id, r.week_start, r.threshold, r.members, r.respondents, r.calm_sum, r.calm_count,
    r.flow_sum, r.flow_count, r.workload_sum, r.workload_count
FROM week_rollup AS r JOIN team AS t ON t.id = r.team_id
WHERE t.org_id = {m} AND r.week_start >= {m} AND r.week_start <= {m}
ORDER BY r.team_id, r.week_start
"""


def _team_rows(*, session: Session, org: Organisation, window: Span) -> list[tuple[Any, ...]]:
    """The organisation's cells, team by team (in the order the roll-ups are stored), week by
    week — straight from the driver: a 500-team year is 26 000 rows, and the ORM's handling of
    them cost more than everything else."""
    connection = session.connection()
    driver = DRIVERS[connection.dialect.name]
    params = (org.id, driver.date_param(window.first), driver.date_param(window.last))
    return connection.exec_driver_sql(_TEAM_ROWS.format(m=driver.marker), params).all()  # type: ignore[return-value]


def _total(team_id: int | None, values: Sequence[int], weeks_shown: int) -> dict[str, Any]:
    return {"team_id": team_id, "weeks": weeks_shown, "respondents": values[1], **means_of(values)}


def _org_cells(*, session: Session, org: Organisation, window: Span) -> OrgCells:
    """One pass over the organisation's cells (one scan of the table, not one per kind of sum):
    per week and per team the shown cells added up ([0:9], see Values) and all cells ([9]), and
    each team's rows."""
    k = org.anonymity_threshold
    by_week: dict[date, list[int]] = {}
    by_team: dict[int, list[int]] = {}
    by_team_rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    as_date = DRIVERS[session.connection().dialect.name].date_value
    days: dict[Any, date] = {}
    rows = _team_rows(session=session, org=org, window=window) if window.weeks else []
    for team_id, week, threshold, members, respondents, cs, cc, fs, fc, ws, wc in rows:
        day = days.get(week)
        if day is None:
            day = days[week] = as_date(week)
        of_week = by_week.get(day)
        if of_week is None:
            of_week = by_week[day] = [0] * 10
        of_team = by_team.get(team_id)
        if of_team is None:
            of_team = by_team[team_id] = [0] * 10
        of_week[9] += 1
        of_team[9] += 1
        shown = respondents >= k and respondents >= threshold
        if shown:
            for sums in (of_week, of_team):
                sums[0] += 1
                sums[1] += respondents
                sums[2] += members
                sums[3] += cs
                sums[4] += cc
                sums[5] += fs
                sums[6] += fc
                sums[7] += ws
                sums[8] += wc
        by_team_rows[team_id].append(
            (
                day,
                team_id,
                respondents,
                members,
                not shown,
                round(cs / cc, 2) if shown and cc else None,
                round(fs / fc, 2) if shown and fc else None,
                round(ws / wc, 2) if shown and wc else None,
            )
        )
    empty = [0] * 10
    periods: list[dict[str, Any]] = []
    for week in window.weeks:
        values = by_week.get(week, empty)
        periods.append(
            {
                "period_start": week,
                "team_id": None,
                "respondents": values[1],
                "members": values[2],
                "suppressed": values[0] == 0,
                **means_of(values),
                "teams": values[0],
                "teams_left_out": values[9] - values[0],
            }
        )
    org_values = [sum(v[n] for v in by_week.values()) for n in range(9)]
    totals: dict[int | None, dict[str, Any]] = {
        None: _total(None, org_values, sum(1 for v in by_week.values() if v[0]))
    }
    for team_id, values in by_team.items():
        totals[team_id] = _total(team_id, values, values[0])
    return OrgCells(
        periods=periods,
        totals=totals,
        teams_left_out=sum(1 for values in by_team.values() if values[9] > values[0]),
        rows=dict(by_team_rows),
        json={
            team_id: to_json([dict(zip(_ROW, row, strict=True)) for row in rows])[1:-1]
            for team_id, rows in by_team_rows.items()
        },
    )


def trend_rows(
    *,
    session: Session,
    org: Organisation,
    first: date | None,
    last: date | None,
    team_ids: Collection[int] | None,
) -> TrendRows:
    """Per closed week the organisation row (its shown cells added up, by the database) and the
    asked-for teams' rows; totals over the range. The organisation row never depends on the
    team filter."""
    state = rollup.ensure_frozen_state(session=session, org=org)
    window = span(first=first, last=last, closed_through=state.closed_through(org))
    teams = _org_teams(state, team_ids)
    key = ("trend", org.id, org.anonymity_threshold, window, state.version)
    cells = cache.get(
        key,
        lambda: _org_cells(session=session, org=org, window=window),
        weight=lambda c: c.weight,
    )
    return TrendRows(org=org, window=window, teams=teams, cells=cells, key=(*key, tuple(teams)))


_PERIODS = "\x00periods\x00"


class Encoded:
    """A JSON document kept in insights.cache, and the same compressed once it is first asked for
    that way (by the app's one gzip rule, backend/http.py)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self._gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:  # two threads at once compress it twice, to the same bytes
            self._gzipped = http.gzip_body(self.body)
        return self._gzipped

    @property
    def weight(self) -> int:
        return len(self.body) * 115 // 100  # with its compressed copy


def trends_json(rows: TrendRows) -> Encoded:
    """The JSON document of GET /orgs/{id}/trends (see schemas.OrgTrends). The teams' rows were
    serialised when their cells were read, so a 500-team year is put together here, not encoded
    again; the document itself is kept too, for the same rows asked for again."""

    def encode() -> Encoded:
        head = to_json(
            {
                **rows.window.dated(),
                "threshold": rows.org.anonymity_threshold,
                "teams": [{"id": id_, "name": name} for id_, name in rows.teams],
                "periods": _PERIODS,
                "totals": rows.totals,
                "teams_left_out": rows.teams_left_out,
            }
        )
        parts = [to_json(rows.cells.periods)[1:-1]]
        kept = rows.cells.json
        parts += [kept[team_id] for team_id, _ in rows.teams if team_id in kept]
        # `"periods":` then the marker, unescaped: no string in the document (a team's name) can
        # hold that, as its quotes would be escaped.
        marker = b'"periods":' + to_json(_PERIODS)
        body = b"[" + b",".join(p for p in parts if p) + b"]"
        return Encoded(head.replace(marker, b'"periods":' + body, 1))

    return cache.get(("json", *rows.key), encode, weight=lambda e: e.weight)


def org_solution_effects(
    *,
    session: Session,
    org: Organisation,
    team_ids: Collection[int] | None,
    weeks_before: int = DEFAULT_WEEKS_BEFORE,
    weeks_after: int | None = None,
) -> dict[str, Any]:
    """Every solution of the organisation's teams that has been in trial, with its before/after."""
    state = rollup.ensure_frozen_state(session=session, org=org)
    closed = state.closed_through(org)
    teams = _org_teams(state, team_ids)
    plan = _plan(
        session=session,
        org=org,
        team_ids=[id_ for id_, _ in teams],
        closed_through=closed,
        weeks_before=weeks_before,
        weeks_after=weeks_after,
    )
    trial_teams = sorted({t.solution.team_id for t in plan.found}) if plan is not None else []
    return {
        "threshold": org.anonymity_threshold,
        "closed_through": closed,
        "teams": [{"id": id_, "name": name} for id_, name in teams],
        "solutions": _effects(
            session=session,
            org=org,
            state=state,
            plan=plan,
            own=_cells_of(session=session, state=state, team_ids=trial_teams),
            uses=_solution_uses(
                session=session, team_ids=trial_teams, first=plan.first, last=plan.last
            )
            if plan is not None
            else {},
        ),
    }
