"""Reminder tests: a local push service, devices subscribed in the database, passes at a pinned
instant, and a resolver for the public names the tests use (there is no DNS for them here)."""

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlmodel import Session

from backend.reminders import dispatch, endpoints
from backend.reminders.models import PushSubscription, ReminderSettings
from backend.teams.models import Member
from tests.reminders.receiver import Device, PushReceiver, push_receiver

# Names the tests give push services, and what they "resolve" to (documentation addresses are
# not public either, so the public ones are real push services' ranges; nothing connects).
RESOLVES = {
    "fcm.googleapis.com": ["142.250.74.106"],
    "web.push.apple.com": ["17.188.143.0"],
    "updates.push.services.mozilla.com": ["34.117.3.67"],
    "intranet.example.dk": ["10.20.30.40"],
    "rebind.example.dk": ["127.0.0.1"],
    "metadata.example.dk": ["34.117.3.67", "169.254.169.254"],
}


@pytest.fixture(autouse=True)
def _resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int) -> list[str]:
        if host in RESOLVES:
            return RESOLVES[host]
        if host == "localhost":
            return ["127.0.0.1"]
        raise OSError(f"unknown host {host}")

    monkeypatch.setattr(endpoints, "resolve_host", resolve)


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with push_receiver() as receiver:
        yield receiver


def subscribe(session: Session, member: Member, device: Device) -> PushSubscription:
    """The device's subscription as PUT /me/push-subscriptions stores it."""
    assert member.id is not None
    keys = device.subscription()["keys"]
    subscription = PushSubscription(
        member_id=member.id, endpoint=device.endpoint, p256dh=keys["p256dh"], auth=keys["auth"]
    )
    session.add(subscription)
    session.commit()
    return subscription


def set_reminder(session: Session, member: Member, **fields: object) -> ReminderSettings:
    assert member.id is not None
    stored = ReminderSettings.model_validate({"member_id": member.id, **fields})
    session.merge(stored)
    session.commit()
    return stored


@pytest.fixture
def run_pass() -> Callable[[str], dispatch.PassReport]:
    """One pass at an ISO instant, as `pux send-reminders --now` runs it (short timeouts)."""

    def run(instant: str, timeout: float = 5.0) -> dispatch.PassReport:
        return asyncio.run(dispatch.run_pass(now=datetime.fromisoformat(instant), timeout=timeout))

    return run
