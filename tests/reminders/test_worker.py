"""Passes in the background of `pux serve` and in `pux worker`; the `pux` commands for reminders;
the VAPID key pair kept in the database."""

import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend import cli
from backend.config import settings
from backend.main import create_app
from backend.reminders import vapid
from backend.reminders.models import ReminderClaim, VapidKey
from backend.reminders.worker import ReminderThread
from tests.factories import make_member, make_team
from tests.reminders.conftest import subscribe
from tests.reminders.receiver import PushReceiver


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class TestServeLoop:
    def test_serve_sends_in_the_background_and_stops_cleanly(
        self,
        session: Session,
        receiver: PushReceiver,
        set_now: Callable[[str], datetime],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        set_now("2026-11-26T07:45:00+01:00")
        monkeypatch.setattr(settings, "push_timeout_seconds", 1.0)
        team = make_team(session)
        subscribe(session, make_member(session, team).member, receiver.device())
        hanging = receiver.device(hang=True)
        subscribe(session, make_member(session, team).member, hanging)
        before = {t.name for t in threading.enumerate()}

        with TestClient(create_app(reminder_loop=True)) as client:
            _wait_for(lambda: len(receiver.delivered()) == 1)
            _wait_for(lambda: receiver.hung == 1)
            # A push service keeping the pass waiting does not keep requests waiting.
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            assert time.monotonic() - started < 0.5
        assert "pux-reminders" not in {t.name for t in threading.enumerate()} - before

    def test_the_app_without_the_loop_sends_nothing(
        self, session: Session, receiver: PushReceiver, set_now: Callable[[str], datetime]
    ) -> None:
        set_now("2026-11-26T07:45:00+01:00")
        subscribe(session, make_member(session).member, receiver.device())
        with TestClient(create_app()) as client:
            client.get("/healthz")
        assert session.exec(select(ReminderClaim)).all() == []

    def test_the_thread_stops_between_passes(self) -> None:
        loop = ReminderThread(interval=3600)
        loop.start()
        assert loop.running
        started = time.monotonic()
        loop.stop()
        assert not loop.running and time.monotonic() - started < 5


class TestCommands:
    def test_send_reminders_at_a_pinned_instant(
        self, session: Session, receiver: PushReceiver, capsys: pytest.CaptureFixture[str]
    ) -> None:
        subscribe(session, make_member(session).member, receiver.device())
        assert cli.main(["send-reminders", "--now", "2026-11-26T07:45:00+01:00"]) == 0
        out = capsys.readouterr().out
        assert "1 due, 1 claimed, 1 pushes: 1 delivered" in out
        assert cli.main(["send-reminders", "--now", "2026-11-26T07:46:00+01:00"]) == 0
        assert "0 due, 0 claimed" in capsys.readouterr().out
        assert len(receiver.delivered()) == 1

    @pytest.mark.parametrize("now", ["2026-11-26T07:45:00", "tomorrow"])
    def test_a_pinned_instant_needs_an_offset(
        self, now: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["send-reminders", "--now", now]) == 1
        assert "--now" in capsys.readouterr().err

    def test_rotating_the_key_changes_the_public_key(
        self, client: TestClient, capsys: pytest.CaptureFixture[str]
    ) -> None:
        old = client.get("/api/v1/push/public-key").json()["public_key"]
        assert cli.main(["rotate-vapid-key"]) == 0
        new = client.get("/api/v1/push/public-key").json()["public_key"]
        assert new != old and new in capsys.readouterr().out


class TestVapidKeys:
    def test_made_once_and_kept_in_the_database(self, session: Session) -> None:
        first = vapid.load_keys()
        assert vapid.load_keys() == first
        (row,) = session.exec(select(VapidKey)).all()
        assert (row.private_key, row.public_key) == (first.private_key, first.public_key)

    def test_replicas_starting_together_agree_on_one_key(self, session: Session) -> None:
        results: list[vapid.Keys] = []
        threads = [threading.Thread(target=lambda: results.append(vapid.load_keys()))
                   for _ in range(4)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(results)) == 1
        assert len(session.exec(select(VapidKey)).all()) == 1

    def test_the_environment_overrides_the_stored_key(
        self, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        private = ec.generate_private_key(ec.SECP256R1())
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        expected = vapid.b64url(
            private.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        raw = vapid.b64url(private.private_numbers().private_value.to_bytes(32, "big"))
        for value in (pem, raw):
            monkeypatch.setattr(settings, "vapid_private_key", value)
            got = client.get("/api/v1/push/public-key").json()["public_key"]
            assert got == expected
        assert session.exec(select(VapidKey)).all() == []
        assert cli.main(["rotate-vapid-key"]) == 1
