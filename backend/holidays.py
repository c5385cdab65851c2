"""Danish public holidays (helligdage) and the customary days off, with their Danish names."""

from datetime import date, timedelta
from functools import lru_cache

# Store bededag was abolished from 2024 (lov nr. 54 af 28/02/2023).
LAST_STORE_BEDEDAG_YEAR = 2023


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def holidays(year: int) -> dict[date, str]:
    """Every day off in `year` → its Danish name, in date order.

    Besides the official helligdage this includes Grundlovsdag, Juleaftensdag and Nytårsaftensdag:
    not public holidays by law, but days off under most Danish agreements (and in childcare)."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Nytårsdag",
        easter - timedelta(days=3): "Skærtorsdag",
        easter - timedelta(days=2): "Langfredag",
        easter: "Påskedag",
        easter + timedelta(days=1): "2. påskedag",
        easter + timedelta(days=39): "Kristi himmelfartsdag",
        easter + timedelta(days=49): "Pinsedag",
        easter + timedelta(days=50): "2. pinsedag",
        date(year, 6, 5): "Grundlovsdag",
        date(year, 12, 24): "Juleaftensdag",
        date(year, 12, 25): "Juledag",
        date(year, 12, 26): "2. juledag",
        date(year, 12, 31): "Nytårsaftensdag",
    }
    if year <= LAST_STORE_BEDEDAG_YEAR:
        days[easter + timedelta(days=26)] = "Store bededag"
    return dict(sorted(days.items()))


def is_holiday(day: date) -> bool:
    return day in holidays(day.year)


def holiday_name(day: date) -> str | None:
    return holidays(day.year).get(day)
