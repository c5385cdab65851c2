"""Danish public holidays and customary days off."""

from datetime import date

import pytest

from backend.holidays import easter_sunday, holiday_name, holidays, is_holiday


class TestEasterSunday:
    @pytest.mark.parametrize(
        ("year", "expected"),
        [
            (2019, date(2019, 4, 21)),
            (2023, date(2023, 4, 9)),
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2038, date(2038, 4, 25)),  # the latest possible date
            (2285, date(2285, 3, 22)),  # the earliest possible date
        ],
    )
    def test_known_dates(self, year: int, expected: date) -> None:
        assert easter_sunday(year) == expected


class TestHolidays:
    def test_2026_has_every_day_off_with_its_danish_name(self) -> None:
        assert holidays(2026) == {
            date(2026, 1, 1): "Nytårsdag",
            date(2026, 4, 2): "Skærtorsdag",
            date(2026, 4, 3): "Langfredag",
            date(2026, 4, 5): "Påskedag",
            date(2026, 4, 6): "2. påskedag",
            date(2026, 5, 14): "Kristi himmelfartsdag",
            date(2026, 5, 24): "Pinsedag",
            date(2026, 5, 25): "2. pinsedag",
            date(2026, 6, 5): "Grundlovsdag",
            date(2026, 12, 24): "Juleaftensdag",
            date(2026, 12, 25): "Juledag",
            date(2026, 12, 26): "2. juledag",
            date(2026, 12, 31): "Nytårsaftensdag",
        }

    def test_2027_moves_with_easter(self) -> None:
        days = holidays(2027)
        assert days[date(2027, 3, 25)] == "Skærtorsdag"
        assert days[date(2027, 3, 26)] == "Langfredag"
        assert days[date(2027, 3, 29)] == "2. påskedag"
        assert days[date(2027, 5, 6)] == "Kristi himmelfartsdag"
        assert days[date(2027, 5, 17)] == "2. pinsedag"

    def test_store_bededag_until_2023_only(self) -> None:
        assert holiday_name(date(2023, 5, 5)) == "Store bededag"
        assert holiday_name(date(2022, 5, 13)) == "Store bededag"
        assert "Store bededag" not in holidays(2024).values()
        assert not is_holiday(date(2024, 4, 26))  # would have been Store bededag

    def test_dates_are_in_order(self) -> None:
        assert list(holidays(2023)) == sorted(holidays(2023))


class TestIsHoliday:
    def test_holidays_and_ordinary_days(self) -> None:
        assert is_holiday(date(2026, 12, 24))
        assert is_holiday(date(2026, 6, 5))
        assert is_holiday(date(2027, 3, 28))
        assert not is_holiday(date(2026, 11, 26))
        assert not is_holiday(date(2026, 4, 4))  # påskelørdag is a plain Saturday
        assert holiday_name(date(2026, 11, 26)) is None
