"""The private calendar feed (iCalendar, RFC 5545): the morning reminder as one recurring event,
for members whose phones take no web notifications.

Built to subscribe in Google Calendar, Apple Calendar and Outlook: VERSION and PRODID, METHOD
PUBLISH, one VEVENT with a stable UID, DTSTART with a TZID and the VTIMEZONE it names (no floating
times), a weekly RRULE, an EXDATE (same TZID and time of day as the occurrences, or clients ignore
it) for each skipped public holiday and each paused day, a display alarm at the reminder time, the
link to the app, and a refresh interval. The event is transparent (it never shows as busy) and
private (hidden in calendars shared with others)."""

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration

from backend.holidays import is_holiday

PRODID = "-//PUX Puls//Paamindelser//DA"
EVENT_MINUTES = 5
# How far ahead holidays and pauses are excluded; the feed is re-read long before that.
HORIZON_DAYS = 400
REFRESH = timedelta(hours=6)
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

TEXTS = {
    "da": {
        "name": "PUX Puls – tjek ind",
        "summary": "Tjek ind i PUX Puls",
        "solutions": "Husk jeres løsninger: {solutions}.",
        "open": "Åbn PUX Puls og tjek ind: {url}",
    },
    "en": {
        "name": "PUX Puls – check in",
        "summary": "Check in to PUX Puls",
        "solutions": "Remember your solutions: {solutions}.",
        "open": "Open PUX Puls and check in: {url}",
    },
}


def _first_day(start: date, weekdays: set[int], excluded: set[date]) -> date:
    day = start
    while day.isoweekday() not in weekdays or day in excluded:
        day += timedelta(days=1)
    return day


def build_feed(
    *,
    uid_seed: str,
    app_url: str,
    lang: str,
    timezone: str,
    enabled: bool,
    reminder_time: str,
    weekdays: list[int],
    skip_public_holidays: bool,
    paused_until: date | None,
    since: date,
    today: date,
    solutions: list[str],
    modified_at: datetime,
) -> bytes:
    """The feed as bytes (text/calendar). `since` is where the series starts (the feed's creation
    date: a stable DTSTART, so clients see one event that changes, never a new one); `today`
    bounds the paused days (a pause is excluded from today on)."""
    texts = TEXTS.get(lang, TEXTS["da"])
    tz = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", texts["name"])
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))  # Outlook's refresh hint
    days = set(weekdays)
    if enabled and days:
        hours, minutes = (int(part) for part in reminder_time.split(":"))
        at = time(hours, minutes)
        horizon = today + timedelta(days=HORIZON_DAYS)
        span = [since + timedelta(days=n) for n in range((horizon - since).days + 1)]
        holidays = {day for day in span if skip_public_holidays and is_holiday(day)}
        paused = {day for day in span if paused_until and today <= day <= paused_until}
        # The series starts on its first working reminder day; a pause does not move it (the
        # start stays the same on every read), its days are excluded like the holidays.
        first = _first_day(since, days, holidays)
        event = Event()
        host = urlsplit(app_url).hostname or "pux-puls"
        event.add("uid", f"{hashlib.sha256(uid_seed.encode()).hexdigest()[:32]}@{host}")
        event.add("dtstamp", datetime.now(UTC))
        event.add("last-modified", modified_at.astimezone(UTC))
        event.add("summary", texts["summary"])
        description = [texts["open"].format(url=app_url)]
        if solutions:
            description.insert(0, texts["solutions"].format(solutions=", ".join(solutions)))
        event.add("description", "\n\n".join(description))
        event.add("url", app_url)
        event.add("dtstart", datetime.combine(first, at, tz))
        event.add("duration", timedelta(minutes=EVENT_MINUTES))
        event.add("rrule", {"freq": "weekly", "byday": [BYDAY[d - 1] for d in sorted(days)]})
        skipped = sorted(
            day for day in holidays | paused if day >= first and day.isoweekday() in days
        )
        if skipped:
            event.add("exdate", [datetime.combine(day, at, tz) for day in skipped])
        event.add("transp", "TRANSPARENT")
        event.add("class", "PRIVATE")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", texts["summary"])
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
        calendar.add_missing_timezones(first_date=first, last_date=horizon)
    return calendar.to_ical()
