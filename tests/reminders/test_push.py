"""Sending to push services: what the local push service verifies (VAPID, aes128gcm), retries
after 429/5xx, removal after 404/410, a service that never answers, and endpoints refused at send
time."""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend.reminders import push as push_module
from backend.reminders import vapid
from backend.reminders.dispatch import PassReport
from backend.reminders.models import PushSubscription
from backend.reminders.push import Outcome, Push, Sender, encode_payload, retry_after_seconds
from tests.factories import make_member, make_team
from tests.reminders.conftest import subscribe
from tests.reminders.receiver import Device, PushReceiver

RunPass = Callable[..., PassReport]
MESSAGE = encode_payload({"web_push": 8030, "notification": {"title": "Hej", "navigate": "/"}})


def _push(device: Device, number: int = 1) -> Push:
    keys = device.subscription()["keys"]
    return Push(number, device.endpoint, keys["p256dh"], keys["auth"], MESSAGE, "pux-reminder")


def _send(pushes: list[Push], **options: float) -> list[Outcome]:
    async def run() -> list[Outcome]:
        async with Sender(vapid.new_keys(), **options) as sender:  # type: ignore[arg-type]
            return await sender.send_all(pushes)

    return asyncio.run(run())


class TestWhatThePushServiceChecks:
    def test_vapid_token_and_encryption_with_the_app_s_own_key(
        self, client: TestClient, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        public_key = client.get("/api/v1/push/public-key").json()["public_key"]
        subscribe(session, make_member(session).member, receiver.device())
        run_pass("2026-11-26T06:45:00Z")
        (received,) = receiver.received
        assert received.error is None and received.status == 201
        assert received.vapid_key == public_key  # signed with the key browsers subscribed with
        assert received.claims is not None
        assert received.claims["aud"] == receiver.origin
        assert received.claims["sub"] == "mailto:pux-puls@localhost"
        assert time.time() < received.claims["exp"] <= time.time() + 24 * 3600
        assert received.headers["Content-Encoding"] == "aes128gcm"
        assert received.payload is not None and received.payload["web_push"] == 8030

    def test_a_message_for_another_device_does_not_decrypt(self, receiver: PushReceiver) -> None:
        device, other = receiver.device(), receiver.device()
        wrong = Push(1, device.endpoint, other.p256dh, other.subscription()["keys"]["auth"],
                     MESSAGE)  # fmt: skip
        (outcome,) = _send([wrong])
        assert outcome.result == "failed" and outcome.status == 400
        assert "InvalidTag" in receiver.errors()[0]


class TestRetries:
    def test_429_is_retried_after_its_retry_after(self, receiver: PushReceiver) -> None:
        device = receiver.device(answers=[(429, "1")])
        (outcome,) = _send([_push(device)])
        assert (outcome.result, outcome.attempts) == ("delivered", 2)
        first, second = receiver.pushes_for(device)
        assert (first.status, second.status) == (429, 201)
        assert second.at - first.at >= 0.95

    def test_retry_after_as_an_http_date(self, receiver: PushReceiver) -> None:
        when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
        assert 0.5 < (retry_after_seconds(when) or 0) <= 2.0
        assert retry_after_seconds("soon") is None
        device = receiver.device(answers=[(503, when)])
        (outcome,) = _send([_push(device)])
        assert outcome.result == "delivered"

    def test_5xx_backs_off_and_gives_up_after_three_attempts(self, receiver: PushReceiver) -> None:
        device = receiver.device(answers=[(500, None), (502, None), (503, None)])
        started = time.monotonic()
        (outcome,) = _send([_push(device)])
        assert (outcome.result, outcome.status, outcome.attempts) == ("failed", 503, 3)
        assert time.monotonic() - started >= 2.0  # about 1 s, then 2 s
        assert len(receiver.pushes_for(device)) == 3

    def test_a_retry_after_longer_than_a_pass_waits_is_given_up(
        self, receiver: PushReceiver
    ) -> None:
        device = receiver.device(answers=[(429, "3600")])
        started = time.monotonic()
        (outcome,) = _send([_push(device)])
        assert outcome.result == "failed" and "3600" in outcome.detail
        assert time.monotonic() - started < 2

    def test_other_4xx_is_not_retried(self, receiver: PushReceiver) -> None:
        device = receiver.device(answers=[(413, None)])
        (outcome,) = _send([_push(device)])
        assert (outcome.result, outcome.attempts) == ("failed", 1)


class TestSlowAndDeadServices:
    def test_a_service_that_never_answers_holds_up_no_one_else(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        team = make_team(session)
        dead = receiver.device(hang=True)
        subscribe(session, make_member(session, team).member, dead)
        alive = [receiver.device(delay=0.2) for _ in range(20)]
        for device in alive:
            subscribe(session, make_member(session, team).member, device)

        started = time.monotonic()
        report = run_pass("2026-11-26T06:45:00Z", timeout=1.5)

        assert (report.delivered, report.failed) == (20, 1)
        answered = [r.at - started for r in receiver.delivered()]
        assert len(answered) == 20 and max(answered) < 1.4  # all before the first timeout
        assert receiver.hung == 3  # tried three times, each cut off by its own timeout
        (failed,) = [o for o in report.outcomes if o.result == "failed"]
        assert "Timeout" in failed.detail
        session.expire_all()
        assert len(session.exec(select(PushSubscription)).all()) == 21  # a dead one is kept


class TestRefusedAtSendTime:
    def test_a_name_that_now_resolves_to_loopback_is_never_contacted(
        self, session: Session, receiver: PushReceiver, run_pass: RunPass
    ) -> None:
        # Stored while it resolved to a public address; the name now points at this machine.
        joined = make_member(session)
        device = receiver.device()
        subscription = subscribe(session, joined.member, device)
        subscription.endpoint = f"https://rebind.example.dk:{receiver.port}/push/{device.name}"
        session.add(subscription)
        session.commit()
        report = run_pass("2026-11-26T06:45:00Z")
        assert (report.refused, report.delivered) == (1, 0)
        assert "resolves to 127.0.0.1" in report.outcomes[0].detail
        assert receiver.received == []

    def test_an_address_rule_is_applied_before_any_connection(self) -> None:
        outcome = asyncio.run(_refused("https://10.1.2.3/push/x"))
        assert outcome.result == "refused" and outcome.attempts == 0


async def _refused(endpoint: str) -> Outcome:
    async with Sender(vapid.new_keys()) as sender:
        return await sender.send(Push(1, endpoint, "x", "y", MESSAGE))


def test_backoff_grows() -> None:
    waits = [push_module.backoff_seconds(n) for n in (1, 2, 3)]
    assert 0.8 <= waits[0] <= 1.2 and 1.6 <= waits[1] <= 2.4 and 3.2 <= waits[2] <= 4.8


class TestSpreadOverProcesses:
    def test_a_large_send_on_two_processes_reaches_every_device_once(
        self, receiver: PushReceiver
    ) -> None:
        devices = [receiver.device() for _ in range(push_module.SPREAD_AT_LEAST * 2)]
        pushes = [_push(device, n) for n, device in enumerate(devices)]

        async def run() -> tuple[list[Outcome], float]:
            return await push_module.send_spread(vapid.new_keys(), pushes, processes=2)

        try:
            outcomes, last = asyncio.run(run())
        finally:
            push_module.stop_helpers()
        # In the pushes' order, each delivered once, half of them by the helper process.
        assert [o.subscription_id for o in outcomes] == list(range(len(pushes)))
        assert {o.result for o in outcomes} == {"delivered"}
        assert all(len(receiver.pushes_for(device)) == 1 for device in devices)
        assert receiver.errors() == []  # every one signed and decryptable
        assert 0 < last <= time.monotonic()
