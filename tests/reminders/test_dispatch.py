"""Who gets a reminder when: passes at pinned instants across DST, holidays, weekends, vacation,
the two-hour limit, the follow-up, and never twice (repeated passes, two dispatcher processes)."""

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend.checkins.models import CheckIn
from backend.config import ROOT_DIR
from backend.reminders.dispatch import PassReport
from backend.reminders.models import PushSubscription, ReminderClaim
from backend.teams.models import Member
from tests.factories import JoinedMember, make_member, make_org, make_team
from tests.frontend.conftest import make_active_solution
from tests.reminders.conftest import set_reminder, subscribe
from tests.reminders.receiver import PushReceiver

RunPass = Callable[..., PassReport]


def _member_with_device(
    session: Session, receiver: PushReceiver, **team_fields: object
) -> tuple[JoinedMember, str]:
    team = make_team(session, **team_fields)
    joined = make_member(session, team)
    device = receiver.device()
    subscribe(session, joined.member, device)
    return joined, device.name


def _titles(receiver: PushReceiver) -> list[str]:
    assert receiver.errors() == []
    return [r.payload["notification"]["title"] for r in receiver.delivered() if r.payload]


def _navigated(receiver: PushReceiver) -> list[str]:
    return [r.payload["notification"]["navigate"] for r in receiver.delivered() if r.payload]


class TestLocalTime:
    @pytest.mark.parametrize(
        ("before", "at", "season"),
        [
            # Winter time (CET, UTC+1): 07:45 local is 06:45 UTC.
            ("2026-11-26T06:44:59Z", "2026-11-26T06:45:00Z", "winter"),
            # Summer time (CEST, UTC+2): 07:45 local is 05:45 UTC.
            ("2027-06-10T05:44:59Z", "2027-06-10T05:45:00Z", "summer"),
        ],
    )
    def test_07_45_local_in_winter_and_summer(
        self,
        session: Session,
        receiver: PushReceiver,
        run_pass: RunPass,
        before: str,
        at: str,
        season: str,
    ) -> None:
        _member_with_device(session, receiver)
        assert run_pass(before).claimed == 0
        assert receiver.received == []
        report = run_pass(at)
        assert (report.claimed, report.delivered) == (1, 1), season

    def test_the_week_the_clocks_go_back(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        # Summer time ends on Sunday 25 October 2026: Friday before at 05:45 UTC, Monday after
        # at 06:45 UTC; an hour early on Monday is 06:45 local, not yet.
        _member_with_device(session, receiver)
        assert run_pass("2026-10-23T05:45:00Z").delivered == 1
        assert run_pass("2026-10-26T05:45:00Z").claimed == 0
        assert run_pass("2026-10-26T06:45:00Z").delivered == 1

    def test_a_time_the_clocks_skip_or_repeat(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        joined, _ = _member_with_device(session, receiver)
        # Sundays, holidays too (28 March 2027 is Easter Sunday).
        set_reminder(session, joined.member, time="02:30", weekdays="7", skip_public_holidays=False)
        # 28 March 2027: 02:00 CET becomes 03:00 CEST, so 02:30 never happens; due at 03:00.
        assert run_pass("2027-03-28T00:59:00Z").claimed == 0  # 01:59 CET
        assert run_pass("2027-03-28T01:00:00Z").delivered == 1  # 03:00 CEST
        # 31 October 2027: 02:30 happens twice (CEST, then CET); the reminder comes once.
        assert run_pass("2027-10-31T00:30:00Z").delivered == 1  # 02:30 CEST
        assert run_pass("2027-10-31T01:30:00Z").claimed == 0  # 02:30 CET

    def test_the_reminder_time_is_the_member_s_own_or_the_team_s(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        _member_with_device(session, receiver, reminder_time="06:30")
        own, _ = _member_with_device(session, receiver, name="Stue Rød")
        set_reminder(session, own.member, time="08:15")
        assert run_pass("2026-11-26T05:30:00Z").claimed == 1  # 06:30 local: the team's time
        assert run_pass("2026-11-26T07:14:00Z").claimed == 0
        assert run_pass("2026-11-26T07:15:00Z").claimed == 1  # 08:15: the member's own


class TestDaysOff:
    def test_easter_2027_no_reminder_on_the_holidays_and_dst_starts_that_weekend(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        _member_with_device(session, receiver)
        # Wednesday 24 March, still winter time: 07:45 is 06:45 UTC.
        assert run_pass("2027-03-24T06:45:00Z").delivered == 1
        # Skærtorsdag 25, Langfredag 26 and 2. påskedag 29 March: no reminder at any hour.
        for day in ("2027-03-25", "2027-03-26", "2027-03-29"):
            for hour in ("05:45", "06:45", "07:30"):
                assert run_pass(f"{day}T{hour}:00Z").claimed == 0, (day, hour)
        # Tuesday 30 March, summer time since Sunday 28: 07:45 is 05:45 UTC.
        assert run_pass("2027-03-30T05:44:00Z").claimed == 0
        assert run_pass("2027-03-30T05:45:00Z").delivered == 1
        assert len(receiver.delivered()) == 2

    def test_a_member_who_works_on_holidays_can_keep_the_reminder(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        joined, _ = _member_with_device(session, receiver)
        set_reminder(session, joined.member, skip_public_holidays=False)
        assert run_pass("2027-03-26T06:45:00Z").delivered == 1  # Langfredag

    def test_weekends_follow_the_weekdays(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        _member_with_device(session, receiver)  # the team's Monday–Friday
        weekend, _ = _member_with_device(session, receiver, name="Stue Grøn")
        set_reminder(session, weekend.member, weekdays="6,7")
        saturday = run_pass("2026-11-28T06:45:00Z")
        assert saturday.claimed == 1
        claims = session.exec(select(ReminderClaim)).all()
        assert [c.member_id for c in claims] == [weekend.member.id]
        assert run_pass("2026-11-30T06:45:00Z").claimed == 1  # Monday: only the first member

    def test_a_team_with_other_working_days(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        _member_with_device(session, receiver, working_days="2,3,4,5,6")  # Tuesday–Saturday
        assert run_pass("2026-11-30T06:45:00Z").claimed == 0  # Monday
        assert run_pass("2026-11-28T06:45:00Z").claimed == 1  # Saturday

    def test_vacation_pauses_until_and_including_the_last_day(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        joined, _ = _member_with_device(session, receiver)
        set_reminder(session, joined.member, paused_until=date(2026, 11, 27))
        assert run_pass("2026-11-26T06:45:00Z").claimed == 0
        assert run_pass("2026-11-27T06:45:00Z").claimed == 0
        assert run_pass("2026-11-30T06:45:00Z").delivered == 1

    def test_reminders_turned_off(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        joined, _ = _member_with_device(session, receiver)
        set_reminder(session, joined.member, enabled=False)
        assert run_pass("2026-11-26T06:45:00Z").claimed == 0

    def test_a_member_without_a_device_is_never_claimed(
        self, session: Session, run_pass: RunPass
    ) -> None:
        make_member(session)
        assert run_pass("2026-11-26T06:45:00Z").due == 0
        assert session.exec(select(ReminderClaim)).all() == []


class TestLateness:
    def test_up_to_two_hours_late_and_not_a_minute_more(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        _member_with_device(session, receiver)
        _member_with_device(session, receiver, name="Stue Rød")
        late = run_pass("2026-11-26T08:44:59Z")  # 09:44:59 local: 1 h 59 min late
        assert late.delivered == 2
        session.exec(select(ReminderClaim)).all()
        for claim in session.exec(select(ReminderClaim)).all():
            session.delete(claim)
        session.commit()
        assert run_pass("2026-11-26T08:45:00Z").claimed == 0  # 09:45: two hours late

    def test_a_late_server_never_sends_yesterday_s_reminder(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        _member_with_device(session, receiver, reminder_time="23:30")
        # 00:30 on Friday: Thursday's 23:30 reminder is one hour late, but Thursday is over.
        assert run_pass("2026-11-26T23:30:00Z").claimed == 0
        assert session.exec(select(ReminderClaim)).all() == []
        assert run_pass("2026-11-26T22:30:00Z").claimed == 1  # Thursday 23:30 local


class TestFollowUp:
    def test_only_members_without_an_answer_for_the_day(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        answered, _ = _member_with_device(session, receiver)
        silent, silent_device = _member_with_device(session, receiver, name="Stue Rød")
        _member_with_device(session, receiver, name="Stue Gul")  # no follow-up
        for joined in (answered, silent):
            set_reminder(session, joined.member, follow_up=True)
        assert run_pass("2026-11-26T06:45:00Z").delivered == 3  # everyone's morning reminder
        session.add(
            CheckIn(
                member_id=answered.member.id or 0,
                team_id=answered.member.team_id,
                work_date=date(2026, 11, 26),
                calm=4,
            )
        )
        session.commit()

        assert run_pass("2026-11-26T13:29:00Z").claimed == 0  # 14:29 local
        report = run_pass("2026-11-26T13:30:00Z")  # 14:30 local
        assert (report.claimed, report.delivered) == (1, 1)
        last = receiver.delivered()[-1]
        assert last.device == silent_device
        assert last.payload is not None
        assert last.payload["notification"]["title"] == "Hvordan gik i dag?"
        assert last.payload["notification"]["navigate"].endswith("/?date=2026-11-26")
        assert run_pass("2026-11-26T14:00:00Z").claimed == 0  # once


class TestNeverTwice:
    def test_repeated_passes_send_each_reminder_once(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        for n in range(3):
            _member_with_device(session, receiver, name=f"Stue {n}")
        for instant in ("06:45:00", "06:45:00", "06:46:00", "07:30:00", "08:44:00"):
            run_pass(f"2026-11-26T{instant}Z")
        assert len(receiver.delivered()) == 3
        claims = session.exec(select(ReminderClaim)).all()
        assert sorted((c.kind, c.delivered, c.failed) for c in claims) == [(1, 1, 0)] * 3
        assert all(c.finished_at is not None for c in claims)

    def test_two_dispatcher_processes_at_once(
        self, session: Session, receiver: PushReceiver, engine: Engine, database_url: str
    ) -> None:
        """Two `pux send-reminders` processes on one database, started together: every device
        gets its reminder exactly once."""
        team = make_team(session)
        devices = []
        for _ in range(60):
            device = receiver.device(delay=0.05)
            subscribe(session, make_member(session, team).member, device)
            devices.append(device)
        env = {**os.environ, "PUX_DATABASE_URL": database_url, "PUX_ENV": "test"}
        env.pop("PUX_NOW", None)
        command = [sys.executable, "-m", "backend.cli", "send-reminders", "--now",
                   "2026-11-26T07:45:00+01:00"]  # fmt: skip
        processes = [
            subprocess.Popen(command, cwd=ROOT_DIR, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        assert receiver.errors() == []
        assert sorted(r.device for r in receiver.delivered()) == sorted(d.name for d in devices)
        claimed = [int(out.split(" claimed")[0].rsplit(", ", 1)[1]) for out in outputs]
        assert sum(claimed) == 60, outputs


class TestMessage:
    def test_names_up_to_three_active_solutions_and_opens_the_day_today_suggests(
        self,
        session: Session,
        receiver: PushReceiver,
        run_pass: RunPass,
        client: TestClient,
        set_now: Callable[[str], datetime],
    ) -> None:
        org = make_org(session)
        team = make_team(session, org)
        for n, (title, perspective) in enumerate(
            [
                ("Børnene dækker bord", "X"),
                ("Pause kl. 11", "P"),
                ("Flyt bleskift", "P"),
                ("To voksne ved garderoben", "U"),
            ]
        ):
            make_active_solution(session, team, title, perspective, since=f"2026-11-0{n + 2}")
        joined = make_member(session, team)
        subscribe(session, joined.member, receiver.device())

        run_pass("2026-11-26T06:45:00Z")  # Thursday 07:45

        (push,) = receiver.delivered()
        assert receiver.errors() == []
        set_now("2026-11-26T07:45:00+01:00")
        suggested = client.get("/api/v1/me/today", headers=joined.headers).json()["work_date"]
        assert push.payload == {
            "web_push": 8030,
            "notification": {
                "title": "Hvordan gik i går?",
                "body": "Husk: Pause kl. 11 · Flyt bleskift · To voksne ved garderoben og 1 mere",
                "navigate": f"http://127.0.0.1:8000/?date={suggested}",
                "tag": "pux-reminder",
                "lang": "da",
                "dir": "ltr",
                "silent": False,
                "icon": "http://127.0.0.1:8000/icons/icon-192.png",
                "badge": "http://127.0.0.1:8000/icons/badge-96.png",
                "actions": [
                    {
                        "action": "checkin",
                        "title": "Tjek ind",
                        "navigate": f"http://127.0.0.1:8000/?date={suggested}",
                    },
                    {
                        "action": "later",
                        "title": "Senere",
                        "navigate": f"http://127.0.0.1:8000/?date={suggested}",
                    },
                ],
                "data": {"work_date": suggested, "kind": "morning"},
            },
        }
        assert suggested == "2026-11-25"
        headers = push.headers
        assert (headers["TTL"], headers["Urgency"], headers["Topic"]) == (
            "14400",
            "normal",
            "pux-reminder",
        )

    def test_monday_rates_friday_and_speaks_the_member_s_language(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        joined, _ = _member_with_device(session, receiver)
        member = session.get(Member, joined.member.id)
        assert member is not None
        member.locale = "en"
        session.add(member)
        session.commit()
        run_pass("2026-11-30T06:45:00Z")  # Monday
        assert _titles(receiver) == ["How did Friday go?"]
        assert _navigated(receiver) == ["http://127.0.0.1:8000/?date=2026-11-27"]
        payload = receiver.delivered()[0].payload
        assert payload is not None
        assert payload["notification"]["body"] == "Check in – it takes less than a minute."

    def test_after_easter_it_opens_the_last_working_day_as_today_does(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        # Tuesday 30 March 2027: Maundy Thursday to Easter Monday were days off, so the day to
        # rate is Wednesday 24 March, inside the window of three working days back.
        _member_with_device(session, receiver)
        run_pass("2027-03-30T05:45:00Z")
        assert _navigated(receiver) == ["http://127.0.0.1:8000/?date=2027-03-24"]

    def test_after_the_previous_day_is_answered_it_opens_today(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        joined, _ = _member_with_device(session, receiver)
        session.add(
            CheckIn(
                member_id=joined.member.id or 0,
                team_id=joined.member.team_id,
                work_date=date(2026, 11, 25),
                created_at=datetime(2026, 11, 25, 20, tzinfo=UTC),
            )
        )
        session.commit()
        run_pass("2026-11-26T06:45:00Z")
        assert _titles(receiver) == ["Husk jeres løsninger i dag"]
        assert _navigated(receiver) == ["http://127.0.0.1:8000/?date=2026-11-26"]


class TestGoneDevices:
    def test_404_and_410_remove_the_subscription_others_stay(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        team = make_team(session)
        kept = receiver.device()
        for device in (kept, receiver.device(answers=[(404, None)]),
                       receiver.device(answers=[(410, None)])):  # fmt: skip
            subscribe(session, make_member(session, team).member, device)
        report = run_pass("2026-11-26T06:45:00Z")
        assert (report.delivered, report.gone) == (1, 2)
        session.expire_all()
        left = session.exec(select(PushSubscription.endpoint)).all()
        assert left == [kept.endpoint]
