"""Which work dates a member may rate, and which one the app suggests (PRODUCT.md §5).

Everything is computed in the organisation's time zone from the one clock, so the app, the morning
reminder and the API agree on what "today" and "yesterday" are — also across DST changes. The page
redoes these rules offline in frontend/js/workdates.js; tests/frontend/test_today.py holds the two
to the same answers over years of dates (Easter, Christmas, store bededag)."""

from datetime import date, time, timedelta
from functools import lru_cache

from backend import clock
from backend.errors import Unprocessable
from backend.holidays import holiday_name

__all__ = ["holiday_name"]

# Before this local time the member most likely rates the day that just ended.
SWITCH_TO_TODAY_AT = time(12, 0)


class WorkDateInFuture(Unprocessable):
    pass


class WorkDateOutsideWindow(Unprocessable):
    pass


@lru_cache(maxsize=256)
def parse_working_days(working_days: str) -> frozenset[int]:
    """Team.working_days "1,2,3,4,5" (ISO weekdays, Monday = 1) → {1, 2, 3, 4, 5}."""
    return frozenset(int(part) for part in working_days.split(",") if part.strip())


def is_working_day(day: date, working_days: frozenset[int]) -> bool:
    return day.isoweekday() in working_days and holiday_name(day) is None


@lru_cache(maxsize=4096)
def earliest_rateable(today: date, working_days: frozenset[int], window_days: int) -> date:
    """The oldest work date still rateable on local date `today`: today minus the previous
    `window_days` working days of the team (its weekdays that are not Danish holidays).

    Never moves back as `today` moves forward, which is what makes a closed week stay closed while
    the settings stay the same."""
    day, left = today, window_days
    # A team has at least one working day; the bound only guards against an endless loop.
    for _ in range(window_days * 31 + 7):
        if left == 0:
            break
        day -= timedelta(days=1)
        if is_working_day(day, working_days):
            left -= 1
    return day


def checkin_window(
    timezone: str, working_days: frozenset[int], window_days: int
) -> tuple[date, date]:
    """The work dates a member may rate now: from `earliest_rateable` to today, in the org's zone.

    The one window rule: the API, Today and the closing of weeks (backend/insights/weeks.py)
    all count back `window_days` *working* days of the team, so a weekend or Easter does not eat
    the window (on a Tuesday with the default 3, last Friday is still open). Days off inside the
    window stay rateable, for the member who worked that day."""
    today = clock.local_today(timezone)
    return earliest_rateable(today, working_days, window_days), today


def window_dates(window: tuple[date, date]) -> list[date]:
    """Every date in the window, newest first."""
    first, last = window
    return [last - timedelta(days=n) for n in range((last - first).days + 1)]


def check_work_date(work_date: date, window: tuple[date, date]) -> None:
    first, last = window
    if work_date > last:
        raise WorkDateInFuture(f"{work_date} is in the future; today is {last}")
    if work_date < first:
        raise WorkDateOutsideWindow(
            f"{work_date} can no longer be rated; the window is {first} to {last}"
        )


def suggested_work_date(
    *,
    timezone: str,
    window: tuple[date, date],
    working_days: frozenset[int],
    rated: set[date],
) -> date:
    """Before 12:00 the previous working day (unless already rated), from 12:00 today.

    "Previous working day" skips the team's days off and Danish holidays, but never leaves the
    window: after a long Easter weekend the Thursday may be too old, and then today is suggested."""
    first, today = window
    if clock.local_now(timezone).time() >= SWITCH_TO_TODAY_AT:
        return today
    day = today - timedelta(days=1)
    while day >= first:
        if is_working_day(day, working_days):
            return today if day in rated else day
        day -= timedelta(days=1)
    return today
