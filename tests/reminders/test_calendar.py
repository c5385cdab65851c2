"""The calendar feed as Google, Apple and Outlook read it: one recurring event in the
organisation's zone with its VTIMEZONE, an alarm, holidays and the pause excluded, a link."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from icalendar import Calendar, Event
from sqlmodel import Session

from tests.factories import make_member, make_team

API = "/api/v1"
CPH = ZoneInfo("Europe/Copenhagen")


def _feed(client: TestClient, headers: dict[str, str]) -> tuple[bytes, Calendar]:
    url = client.get(f"{API}/me/calendar-url", headers=headers).json()["url"]
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    return response.content, Calendar.from_ical(response.content)


def _event(calendar: Calendar) -> Event:
    (event,) = calendar.walk("VEVENT")
    return event


def _exdates(event: Event) -> list[datetime]:
    value = event.get("exdate")
    lists = value if isinstance(value, list) else [value]
    return sorted(d.dt for entry in lists for d in entry.dts)


class TestFeed:
    def test_a_weekly_event_at_the_reminder_time_with_timezone_alarm_and_link(
        self, client: TestClient, session: Session, set_now: Callable[[str], datetime]
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        joined = make_member(session)
        raw, calendar = _feed(client, joined.headers)

        assert calendar["VERSION"] == "2.0"
        assert calendar["PRODID"].startswith("-//PUX Puls//")
        assert calendar["METHOD"] == "PUBLISH"
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in raw
        assert b"X-PUBLISHED-TTL:PT6H" in raw
        (timezone,) = calendar.walk("VTIMEZONE")
        assert timezone["TZID"] == "Europe/Copenhagen"
        assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}

        event = _event(calendar)
        start = event.decoded("DTSTART")
        assert start == datetime(2026, 11, 26, 7, 45, tzinfo=CPH)
        assert b"DTSTART;TZID=Europe/Copenhagen:20261126T074500" in raw  # never floating
        assert event.decoded("DURATION") == timedelta(minutes=5)
        rule = event["RRULE"]
        assert (rule["FREQ"], rule["BYDAY"]) == (["WEEKLY"], ["MO", "TU", "WE", "TH", "FR"])
        assert str(event["SUMMARY"]) == "Tjek ind i PUX Puls"
        assert str(event["URL"]) == "http://127.0.0.1:8000/"
        assert "http://127.0.0.1:8000/" in str(event["DESCRIPTION"])
        assert str(event["TRANSP"]) == "TRANSPARENT"
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(0)
        assert str(alarm["DESCRIPTION"])

        # The same event on every read, so a calendar updates it instead of adding another.
        _, again = _feed(client, joined.headers)
        assert _event(again)["UID"] == event["UID"]

    def test_holidays_and_the_paused_days_are_excluded_at_the_reminder_time(
        self, client: TestClient, session: Session, set_now: Callable[[str], datetime]
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        team = make_team(session, reminder_time="07:30")
        joined = make_member(session, team)
        paused = client.put(f"{API}/me/reminder", headers=joined.headers,
                            json={"paused_until": "2026-12-04"})  # fmt: skip
        assert paused.status_code == 200
        raw, calendar = _feed(client, joined.headers)
        excluded = _exdates(_event(calendar))
        assert all(d.time() == time(7, 30) and d.tzinfo is not None for d in excluded)
        days = {d.date() for d in excluded}
        # The pause: Friday 27 November to Friday 4 December, working days only.
        assert {date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 4)} <= days
        assert date(2026, 11, 28) not in days  # a Saturday has no reminder to exclude
        # Christmas and Easter 2027 (Skærtorsdag, Langfredag, 2. påskedag).
        assert {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31)} <= days
        assert {date(2027, 3, 25), date(2027, 3, 26), date(2027, 3, 29)} <= days
        assert date(2027, 3, 30) not in days
        assert b"EXDATE;TZID=Europe/Copenhagen:" in raw

    def test_the_member_s_own_time_weekdays_and_holidays_kept(
        self, client: TestClient, session: Session, set_now: Callable[[str], datetime]
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        joined = make_member(session)
        body = {"time": "06:40", "weekdays": [2, 4], "skip_public_holidays": False}
        client.put(f"{API}/me/reminder", headers=joined.headers, json=body)
        _, calendar = _feed(client, joined.headers)
        event = _event(calendar)
        assert event["RRULE"]["BYDAY"] == ["TU", "TH"]
        assert event.decoded("DTSTART") == datetime(2026, 11, 26, 6, 40, tzinfo=CPH)
        assert event.get("EXDATE") is None

    def test_turned_off_the_feed_is_an_empty_calendar(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session)
        client.put(f"{API}/me/reminder", headers=joined.headers, json={"enabled": False})
        _, calendar = _feed(client, joined.headers)
        assert calendar.walk("VEVENT") == []
        assert calendar["VERSION"] == "2.0"

    def test_english_for_a_member_who_chose_english(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session, locale="en")
        _, calendar = _feed(client, joined.headers)
        assert str(_event(calendar)["SUMMARY"]) == "Check in to PUX Puls"
