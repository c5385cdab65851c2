"""ISO weeks (Monday–Sunday, the organisation's calendar) and when a team's week closes.

A week is **closed** on local date T when the check-in window of T no longer reaches back into it:
`earliest_rateable(T, …)` is after its Sunday. From then on its figures are final. Once a team's
closed weeks are rolled up, `Team.frozen_through` holds the newest closed Sunday, and no check-in
may land on or before it — also not after a setting that widens the window (see
docs/privacy.md)."""

from datetime import date, timedelta
from functools import lru_cache

from backend.checkins import workdates
from backend.errors import Unprocessable

WEEK = timedelta(days=7)


class WeekClosed(Unprocessable):
    """A check-in (or its deletion) for a work date in a week whose figures are final."""


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def week_end(start: date) -> date:
    """The Sunday of the week starting on Monday `start`."""
    return start + timedelta(days=6)


def iso_week(start: date) -> str:
    """ "2026-W48": the ISO week label, as spreadsheets and people write it."""
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays from `first`'s week to `last`'s week, oldest first (empty if first > last)."""
    start, end = week_start(first), week_start(last)
    return [start + WEEK * n for n in range((end - start).days // 7 + 1)] if start <= end else []


@lru_cache(maxsize=4096)
def closed_through(today: date, working_days: frozenset[int], window_days: int) -> date:
    """The Sunday of the newest week that is closed on local date `today` for a team with these
    working days and check-in window: the last Sunday before the oldest rateable date."""
    earliest = workdates.earliest_rateable(today, working_days, window_days)
    return earliest - timedelta(days=earliest.isoweekday() % 7 or 7)


def check_open(work_date: date, frozen_through: date | None) -> None:
    """Refuses a work date in a frozen week (on or before the team's `frozen_through`)."""
    if frozen_through is not None and work_date <= frozen_through:
        year, week, _ = work_date.isocalendar()
        raise WeekClosed(
            f"{work_date} is in week {week} of {year}, which is closed: its figures are final "
            "and it takes no more check-ins"
        )
