"""Offline: the app opens from the service worker, a check-in waits in the outbox (surviving a
restart of the app) and reaches the server when the connection returns; a 5xx is retried."""

import itertools
import re
import time
from datetime import date

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlmodel import Session, select

from backend.checkins.models import CheckIn
from tests.factories import make_member
from tests.frontend.conftest import sign_in, wait_for_service_worker

pytestmark = pytest.mark.browser


def _checkins(session: Session, member_id: int | None) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).where(CheckIn.member_id == member_id)).all())


def _wait_for_checkin(
    session: Session, member_id: int | None, page: Page | None = None, seconds: float = 10
) -> CheckIn:
    deadline = time.monotonic() + seconds
    while not (rows := _checkins(session, member_id)):
        assert time.monotonic() < deadline, "the queued check-in never reached the server"
        # Waiting through Playwright keeps its event loop (and any route handler) running.
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    return rows[0]


class TestOffline:
    def test_check_in_offline_is_sent_when_back_online(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        joined = make_member(session)
        sign_in(page, joined.token)
        expect(page.get_by_role("radiogroup", name="Ro", exact=True)).to_be_visible()
        wait_for_service_worker(page)

        context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("^i går, onsdag 25. november$", re.I)
        )
        expect(page.get_by_text("Du er offline.")).to_be_visible()
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        page.get_by_role("radiogroup", name="Flow", exact=True).get_by_role(
            "radio", name="Meget god flow", exact=True
        ).click()
        page.get_by_role("radiogroup", name="Arbejdspres", exact=True).get_by_role(
            "radio", name="Lavt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("status")).to_have_text(
            "Du er offline — sendes, når du er online igen"
        )
        expect(page.locator("#outbox")).to_contain_text("Venter på forbindelse")
        assert _checkins(session, joined.member.id) == []

        context.set_offline(False)

        checkin = _wait_for_checkin(session, joined.member.id)
        assert (checkin.work_date, checkin.calm, checkin.flow, checkin.workload) == (
            date(2026, 11, 25),
            4,
            5,
            2,
        )
        expect(page.locator("#outbox")).to_contain_text("Sendt")
        expect(page.get_by_role("status")).to_contain_text("er nu sendt")

    def test_queued_check_in_survives_closing_the_app(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        joined = make_member(session)
        sign_in(page, joined.token)
        wait_for_service_worker(page)
        context.set_offline(True)
        page.reload()
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Meget uroligt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#outbox")).to_contain_text("Venter på forbindelse")
        page.close()

        reopened = context.new_page()
        reopened.goto("/")
        expect(reopened.locator("#outbox")).to_contain_text("Venter på forbindelse")
        # The waiting answer is what the screen shows for that date.
        expect(
            reopened.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
                "radio", name="Meget uroligt", exact=True
            )
        ).to_be_checked()
        context.set_offline(False)

        checkin = _wait_for_checkin(session, joined.member.id)
        assert (checkin.calm, checkin.flow) == (1, None)


class TestRetry:
    def test_server_trouble_is_retried_with_back_off(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        joined = make_member(session)
        sign_in(page, joined.token)
        # A gateway in front of the app fails the first PUTs (as during a restart), then recovers.
        answered: list[int] = []
        attempts_at: list[float] = []

        def outage(route: Route) -> None:
            attempts_at.append(time.monotonic())
            if len(answered) < 2:
                answered.append(503)
                route.fulfill(status=503, body="Service Unavailable")
            else:
                answered.append(0)
                route.continue_()

        page.route("**/api/v1/me/checkins/**", outage)
        page.get_by_role("radiogroup", name="Flow", exact=True).get_by_role(
            "radio", name="Hakkende", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#outbox")).to_contain_text("Venter på forbindelse")

        checkin = _wait_for_checkin(session, joined.member.id, page=page, seconds=15)

        assert answered == [503, 503, 0]  # retried on its own (no 'online' event), then sent
        gaps = [later - earlier for earlier, later in itertools.pairwise(attempts_at)]
        assert gaps[0] >= 0.9 and gaps[1] >= 1.9, f"no back-off between attempts: {gaps}"
        assert checkin.flow == 2
        expect(page.locator("#outbox")).to_contain_text("Sendt")
