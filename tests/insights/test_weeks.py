"""When a week closes: the oldest rateable date, the newest closed Sunday, and the frozen check."""

from datetime import date, timedelta

import pytest

from backend.checkins.workdates import earliest_rateable
from backend.insights import weeks

WEEKDAYS = frozenset({1, 2, 3, 4, 5})


class TestEarliestRateable:
    def test_thursday_reaches_back_to_monday(self) -> None:
        assert earliest_rateable(date(2026, 11, 26), WEEKDAYS, 3) == date(2026, 11, 23)

    def test_monday_reaches_back_over_the_weekend(self) -> None:
        assert earliest_rateable(date(2026, 11, 30), WEEKDAYS, 3) == date(2026, 11, 25)

    def test_holidays_are_not_working_days(self) -> None:
        # Tuesday after Easter: 2. påskedag, langfredag and skærtorsdag are skipped.
        assert earliest_rateable(date(2026, 4, 7), WEEKDAYS, 3) == date(2026, 3, 30)

    def test_a_window_of_zero_is_today_only(self) -> None:
        assert earliest_rateable(date(2026, 11, 26), WEEKDAYS, 0) == date(2026, 11, 26)

    def test_the_teams_own_working_days(self) -> None:
        mondays_and_tuesdays = frozenset({1, 2})
        assert earliest_rateable(date(2026, 11, 26), mondays_and_tuesdays, 3) == date(2026, 11, 17)


class TestClosedThrough:
    def test_a_week_closes_on_the_thursday_after_it(self) -> None:
        assert weeks.closed_through(date(2026, 11, 25), WEEKDAYS, 3) == date(2026, 11, 15)
        assert weeks.closed_through(date(2026, 11, 26), WEEKDAYS, 3) == date(2026, 11, 22)

    def test_a_wider_window_closes_later(self) -> None:
        assert weeks.closed_through(date(2026, 11, 26), WEEKDAYS, 5) == date(2026, 11, 15)

    def test_a_week_never_reopens_while_the_settings_stay(self) -> None:
        # Day by day through a year with Easter, Christmas and a team working Mon, Tue and Sat.
        for working in (WEEKDAYS, frozenset({1, 2, 6})):
            for window in (0, 3, 14):
                day, previous = date(2026, 1, 1), date.min
                for _ in range(400):
                    sunday = weeks.closed_through(day, working, window)
                    assert sunday.isoweekday() == 7
                    assert previous <= sunday < day
                    # Every date of the closed week is older than the window.
                    assert sunday < earliest_rateable(day, working, window)
                    previous, day = sunday, day + timedelta(days=1)


class TestWeekHelpers:
    def test_iso_weeks(self) -> None:
        assert weeks.week_start(date(2026, 11, 29)) == date(2026, 11, 23)
        assert weeks.week_end(date(2026, 11, 23)) == date(2026, 11, 29)
        assert weeks.iso_week(date(2026, 12, 28)) == "2026-W53"
        assert weeks.iso_week(date(2027, 1, 4)) == "2027-W01"
        assert weeks.weeks_between(date(2026, 11, 25), date(2026, 12, 7)) == [
            date(2026, 11, 23),
            date(2026, 11, 30),
            date(2026, 12, 7),
        ]
        assert weeks.weeks_between(date(2026, 12, 7), date(2026, 11, 25)) == []

    def test_check_open_refuses_the_frozen_sunday_and_before(self) -> None:
        weeks.check_open(date(2026, 11, 23), date(2026, 11, 22))
        weeks.check_open(date(2026, 11, 1), None)
        with pytest.raises(weeks.WeekClosed, match="week 47 of 2026"):
            weeks.check_open(date(2026, 11, 22), date(2026, 11, 22))
