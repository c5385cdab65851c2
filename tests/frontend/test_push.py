"""The morning reminder in the real service worker: a push delivered through the DevTools protocol
(ServiceWorker.deliverPushMessage — Chromium cannot make a real push subscription offline) is
shown as a notification, also with no page of the app open, and clicking it opens Today on the
date it names."""

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page, expect
from sqlmodel import Session

from backend.config import settings
from backend.reminders import messages
from tests.factories import JoinedMember, make_member, make_team
from tests.frontend.conftest import make_active_solution, sign_in, wait_for_service_worker

pytestmark = pytest.mark.browser

NOTIFICATIONS = """navigator.serviceWorker.ready
    .then(registration => registration.getNotifications())
    .then(shown => shown.map(n => ({title: n.title, body: n.body, tag: n.tag, lang: n.lang,
        icon: n.icon, badge: n.badge, data: n.data,
        actions: n.actions.map(a => ({action: a.action, title: a.title}))})))"""


@pytest.fixture
def member(session: Session) -> JoinedMember:
    team = make_team(session)
    make_active_solution(session, team, "Pause kl. 11", "P")
    make_active_solution(session, team, "Børnene dækker bord", "X")
    return make_member(session, team)


@pytest.fixture
def phone(context: BrowserContext, live_server: str) -> BrowserContext:
    context.grant_permissions(["notifications"], origin=live_server)
    return context


def _reminder(live_server: str, monkeypatch: pytest.MonkeyPatch, **fields: Any) -> str:
    """The message the server sends (backend/reminders/messages.py), for this server's address."""
    monkeypatch.setattr(settings, "base_url", live_server)
    message = messages.reminder_message(
        kind="morning",
        lang="da",
        today=date(2026, 11, 26),
        work_date=date(2026, 11, 25),
        solutions=["Pause kl. 11", "Børnene dækker bord"],
        **fields,
    )
    return json.dumps(message)


def _registration(page: Page, cdp: CDPSession) -> str:
    found: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        live = [r for r in found if not r.get("isDeleted")]
        if live:
            return str(live[0]["registrationId"])
        page.wait_for_timeout(100)
    raise AssertionError("no service worker registration")


def _deliver(page: Page, live_server: str, data: str) -> None:
    cdp = page.context.new_cdp_session(page)
    registration = _registration(page, cdp)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": f"{live_server}/", "registrationId": registration, "data": data},
    )


def _notifications(page: Page, count: int = 1) -> list[dict[str, Any]]:
    for _ in range(50):
        shown = page.evaluate(NOTIFICATIONS)
        if len(shown) >= count:
            return list(shown)
        page.wait_for_timeout(100)
    raise AssertionError("no notification was shown")


def _click(context: BrowserContext, action: str = "") -> None:
    """What the platform does when the member taps the notification (or one of its buttons): a
    notificationclick event in the service worker."""
    (worker,) = context.service_workers
    worker.evaluate(
        """async action => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent('notificationclick', {notification, action}));
        }""",
        action,
    )


@pytest.fixture
def installed(phone: BrowserContext, member: JoinedMember) -> Iterator[Page]:
    """The app opened once (service worker installed), then every page of it closed."""
    page = phone.new_page()
    sign_in(page, member.token, "/me")
    wait_for_service_worker(page)
    blank = phone.new_page()
    page.close()
    yield blank


class TestPushNotification:
    def test_shown_from_the_declarative_message_with_no_page_of_the_app_open(
        self, phone: BrowserContext, installed: Page, live_server: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        assert installed.url == "about:blank"
        _deliver(installed, live_server, _reminder(live_server, monkeypatch))

        app = phone.new_page()
        app.goto(f"{live_server}/me")
        (shown,) = _notifications(app)
        today = f"{live_server}/?date=2026-11-25"
        assert shown == {
            "title": "Hvordan gik i går?",
            "body": "Husk: Pause kl. 11 · Børnene dækker bord",
            "tag": "pux-reminder",
            "lang": "da",
            "icon": f"{live_server}/icons/icon-192.png",
            "badge": f"{live_server}/icons/badge-96.png",
            "actions": [
                {"action": "checkin", "title": "Tjek ind"},
                {"action": "later", "title": "Senere"},
            ],
            "data": {
                "work_date": "2026-11-25",
                "kind": "morning",
                "navigate": today,
                "actions": {"checkin": today, "later": today},
            },
        }

    def test_a_newer_reminder_replaces_the_older_one(
        self, phone: BrowserContext, installed: Page, live_server: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        _deliver(installed, live_server, _reminder(live_server, monkeypatch))
        follow_up = json.loads(_reminder(live_server, monkeypatch))
        follow_up["notification"]["title"] = "Hvordan gik i dag?"
        _deliver(installed, live_server, json.dumps(follow_up))
        app = phone.new_page()
        app.goto(f"{live_server}/me")
        app.wait_for_timeout(300)
        assert [n["title"] for n in _notifications(app)] == ["Hvordan gik i dag?"]

    def test_a_push_that_is_not_a_reminder_still_shows_the_app_s_name(
        self, phone: BrowserContext, installed: Page, live_server: str
    ) -> None:
        _deliver(installed, live_server, "not json")
        app = phone.new_page()
        app.goto(f"{live_server}/me")
        (shown,) = _notifications(app)
        assert shown["title"] == "PUX Puls"
        assert shown["data"]["navigate"] == f"{live_server}/"


class TestNotificationClick:
    def test_tapping_opens_today_on_the_date_in_the_open_window(
        self, phone: BrowserContext, installed: Page, live_server: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        app = phone.new_page()
        app.goto(f"{live_server}/me")
        expect(app.get_by_role("heading", level=1)).to_have_text("Mig")
        _deliver(installed, live_server, _reminder(live_server, monkeypatch))
        _notifications(app)

        _click(phone)

        expect(app).to_have_url(f"{live_server}/?date=2026-11-25")
        expect(app.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        expect(app.get_by_text("Pause kl. 11")).to_be_visible()
        assert app.evaluate(NOTIFICATIONS) == []  # tapped away

    def test_a_message_cannot_send_the_member_to_another_site(
        self, phone: BrowserContext, installed: Page, live_server: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        app = phone.new_page()
        app.goto(f"{live_server}/me")
        message = json.loads(_reminder(live_server, monkeypatch))
        message["notification"]["navigate"] = "https://evil.example/?date=2026-11-25"
        message["notification"]["actions"] = []
        _deliver(installed, live_server, json.dumps(message))
        (shown,) = _notifications(app)
        assert shown["data"]["navigate"] == f"{live_server}/"

    def test_later_only_dismisses(
        self, phone: BrowserContext, installed: Page, live_server: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        app = phone.new_page()
        app.goto(f"{live_server}/me")
        expect(app.get_by_role("heading", level=1)).to_have_text("Mig")
        _deliver(installed, live_server, _reminder(live_server, monkeypatch))
        _notifications(app)

        _click(phone, "later")

        app.wait_for_timeout(500)
        assert app.url == f"{live_server}/me"
        assert app.evaluate(NOTIFICATIONS) == []
