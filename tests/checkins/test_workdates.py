"""Work dates: the window and the suggested date, in the org's time zone, across DST and noon."""

from collections.abc import Callable
from datetime import date, datetime

import pytest

from backend.checkins.workdates import (
    WorkDateInFuture,
    WorkDateOutsideWindow,
    check_work_date,
    checkin_window,
    suggested_work_date,
    window_dates,
)

TZ = "Europe/Copenhagen"
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
SetNow = Callable[[str], datetime]
EVERY_DAY = frozenset(range(1, 8))


def window_of(days: int, working: frozenset[int] = EVERY_DAY) -> tuple[date, date]:
    """The window now; with every day worked (and no holiday near) it counts calendar days."""
    return checkin_window(TZ, working, days)


def suggest(
    days: int = 3, rated: set[date] | None = None, working: frozenset[int] = WEEKDAYS
) -> date:
    return suggested_work_date(
        timezone=TZ, window=window_of(days, working), working_days=working, rated=rated or set()
    )


class TestWindow:
    def test_today_and_three_days_before(self, set_now: SetNow) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        window = window_of(3)
        assert window == (date(2026, 11, 23), date(2026, 11, 26))
        assert window_dates(window) == [date(2026, 11, d) for d in (26, 25, 24, 23)]

    def test_local_midnight_not_utc_midnight_starts_the_day(self, set_now: SetNow) -> None:
        set_now("2026-11-25T23:59:59+01:00")  # 22:59 UTC
        assert window_of(3)[1] == date(2026, 11, 25)
        set_now("2026-11-25T23:00:00+00:00")  # 00:00 in Copenhagen, still the 25th in UTC
        assert window_of(3)[1] == date(2026, 11, 26)

    def test_midnight_after_spring_forward(self, set_now: SetNow) -> None:
        set_now("2026-03-29T22:00:00+00:00")  # 00:00 CEST on 30 March
        assert window_of(3) == (date(2026, 3, 27), date(2026, 3, 30))

    def test_check_refuses_future_and_too_old_dates(self, set_now: SetNow) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        window = window_of(3)
        check_work_date(date(2026, 11, 23), window)
        check_work_date(date(2026, 11, 26), window)
        with pytest.raises(WorkDateInFuture):
            check_work_date(date(2026, 11, 27), window)
        with pytest.raises(WorkDateOutsideWindow):
            check_work_date(date(2026, 11, 22), window)


class TestSuggestedWorkDate:
    def test_morning_suggests_yesterday(self, set_now: SetNow) -> None:
        set_now("2026-11-26T08:00:00+01:00")  # Thursday
        assert suggest() == date(2026, 11, 25)

    def test_morning_suggests_today_when_yesterday_is_rated(self, set_now: SetNow) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        assert suggest(rated={date(2026, 11, 25)}) == date(2026, 11, 26)

    def test_noon_switches_to_today(self, set_now: SetNow) -> None:
        set_now("2026-11-26T11:59:59+01:00")
        assert suggest() == date(2026, 11, 25)
        set_now("2026-11-26T12:00:00+01:00")
        assert suggest() == date(2026, 11, 26)

    def test_just_after_midnight_suggests_the_day_that_just_ended(self, set_now: SetNow) -> None:
        set_now("2026-11-27T00:05:00+01:00")
        assert suggest() == date(2026, 11, 26)

    def test_monday_morning_suggests_friday(self, set_now: SetNow) -> None:
        set_now("2026-11-30T07:45:00+01:00")
        assert suggest() == date(2026, 11, 27)
        assert suggest(rated={date(2026, 11, 27)}) == date(2026, 11, 30)

    def test_weekend_team_gets_sunday(self, set_now: SetNow) -> None:
        set_now("2026-11-30T07:45:00+01:00")
        assert suggest(working=frozenset(range(1, 8))) == date(2026, 11, 29)

    def test_holidays_are_skipped(self, set_now: SetNow) -> None:
        set_now("2026-12-28T08:00:00+01:00")  # Monday after Christmas; 24-26 Dec are days off
        assert suggest(days=5) == date(2026, 12, 23)

    def test_after_easter_the_last_working_day_and_never_outside_the_window(
        self, set_now: SetNow
    ) -> None:
        # Tuesday after Easter: Mon is 2. påskedag, Fri Langfredag, Thu Skærtorsdag; the window
        # counts working days back, so Wednesday before Easter is still in it.
        set_now("2026-04-07T08:00:00+02:00")
        assert suggest() == date(2026, 4, 1)
        assert suggest(days=0) == date(2026, 4, 7)

    def test_spring_forward_noon_is_local_noon(self, set_now: SetNow) -> None:
        # 29 March 2026 clocks go 02:00 → 03:00; 10:30 UTC is 12:30 CEST, already afternoon.
        set_now("2026-03-29T10:30:00+00:00")
        assert suggest(working=frozenset(range(1, 8))) == date(2026, 3, 29)
        set_now("2026-03-29T09:30:00+00:00")  # 11:30 CEST
        assert suggest(working=frozenset(range(1, 8))) == date(2026, 3, 28)

    def test_fall_back_noon_is_local_noon(self, set_now: SetNow) -> None:
        # 25 October 2026 clocks go 03:00 → 02:00; 10:30 UTC is 11:30 CET, still morning.
        set_now("2026-10-25T10:30:00+00:00")
        assert suggest() == date(2026, 10, 23)  # Sunday → Friday
        set_now("2026-10-25T11:00:00+00:00")  # 12:00 CET
        assert suggest() == date(2026, 10, 25)

    def test_repeated_hour_of_fall_back_is_the_same_day(self, set_now: SetNow) -> None:
        set_now("2026-10-25T00:30:00+00:00")  # 02:30 CEST
        assert window_of(3)[1] == date(2026, 10, 25)
        set_now("2026-10-25T01:30:00+00:00")  # 02:30 CET, the second time
        assert window_of(3)[1] == date(2026, 10, 25)
        assert suggest(working=frozenset(range(1, 8))) == date(2026, 10, 24)
