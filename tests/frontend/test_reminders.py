"""Me → Påmindelser: settings, turning notifications on (permission only after the tap), a test
that says what happened, the calendar link, the iPhone install guide; the coordinator's team
defaults.

Debian's Chromium cannot make a real push subscription offline, so where the browser would
subscribe the tests hand it a subscription for a local push service (tests/reminders/receiver.py)
that the real server then sends to."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from backend.reminders.models import PushSubscription, ReminderSettings
from backend.teams.models import Team
from tests.factories import (
    PASSWORD,
    JoinedMember,
    make_coordinator,
    make_member,
    make_org,
    make_team,
)
from tests.frontend.conftest import new_phone, run_axe, sign_in, wait_for_service_worker
from tests.reminders.receiver import PushReceiver, push_receiver

pytestmark = pytest.mark.browser

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.4 Mobile/15E148 Safari/604.1"
)

# The browser's subscribe() made to answer with a subscription for the local push service (the
# one thing Chromium cannot do here); records whether permission was asked before the tap.
FAKE_SUBSCRIBE = """subscription => {
    window.__permissionAsked = 0;
    const ask = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = () => { window.__permissionAsked += 1; return ask(); };
    let current = null;
    const made = {
        endpoint: subscription.endpoint,
        options: {applicationServerKey: null},
        toJSON: () => subscription,
        unsubscribe: async () => { current = null; return true; },
    };
    PushManager.prototype.subscribe = async function () { current = made; return made; };
    PushManager.prototype.getSubscription = async function () { return current; };
}"""


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with push_receiver() as receiver:
        yield receiver


@pytest.fixture
def member(session: Session) -> JoinedMember:
    return make_member(session, make_team(session, reminder_time="07:30"))


def _stored(session: Session, model: Any, member: JoinedMember) -> list[Any]:
    session.expire_all()
    return list(session.exec(select(model).where(model.member_id == member.member.id)).all())


def _open_me(page: Page, member: JoinedMember) -> None:
    sign_in(page, member.token, "/me")
    expect(page.get_by_role("heading", name="Påmindelser", level=2)).to_be_visible()


class TestSettings:
    def test_time_days_pause_and_follow_up_are_saved(
        self, page: Page, session: Session, member: JoinedMember
    ) -> None:
        _open_me(page, member)
        expect(page.get_by_text("Teamets tidspunkt er kl. 07:30.")).to_be_visible()
        time = page.get_by_label("Tidspunkt")
        expect(time).to_have_value("07:30")
        days = page.get_by_role("group", name="Dage")
        expect(days.get_by_role("checkbox", name="Mandag")).to_be_checked()
        expect(days.get_by_role("checkbox", name="Lørdag")).not_to_be_checked()

        time.fill("06:45")
        days.get_by_role("checkbox", name="Fredag").uncheck()
        page.get_by_label("Pause til og med").fill("2026-12-23")
        page.get_by_role(
            "checkbox", name="Mind mig igen kl. 14:30, hvis jeg ikke har tjekket ind"
        ).check()
        page.get_by_role("button", name="Gem påmindelser").click()

        expect(page.get_by_role("status")).to_have_text(
            "Gemt. Ingen påmindelser til og med onsdag 23. december."
        )
        (stored,) = _stored(session, ReminderSettings, member)
        assert (stored.time, stored.weekdays, str(stored.paused_until), stored.follow_up) == (
            "06:45",
            "1,2,3,4",
            "2026-12-23",
            True,
        )
        page.reload()
        expect(page.get_by_label("Tidspunkt")).to_have_value("06:45")
        expect(page.get_by_label("Pause til og med")).to_have_value("2026-12-23")

    def test_the_team_s_own_time_stays_the_team_s(
        self, page: Page, session: Session, member: JoinedMember
    ) -> None:
        _open_me(page, member)
        page.get_by_role(
            "checkbox", name="Ikke på helligdage og fridage (fx juleaften og grundlovsdag)"
        ).uncheck()
        page.get_by_role("button", name="Gem påmindelser").click()
        expect(page.get_by_role("status")).to_have_text("Påmindelserne er gemt.")
        (stored,) = _stored(session, ReminderSettings, member)
        assert (stored.time, stored.weekdays, stored.skip_public_holidays) == (None, None, False)

    def test_no_day_at_all_is_refused_on_the_phone(
        self, page: Page, session: Session, member: JoinedMember
    ) -> None:
        _open_me(page, member)
        for day in ("Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag"):
            page.get_by_role("checkbox", name=day).uncheck()
        page.get_by_role("button", name="Gem påmindelser").click()
        expect(page.get_by_role("status")).to_have_text(
            "Vælg mindst én dag – eller slå påmindelser fra."
        )
        assert _stored(session, ReminderSettings, member) == []

    def test_the_section_passes_axe(self, page: Page, member: JoinedMember) -> None:
        _open_me(page, member)
        assert run_axe(page) == []


class TestNotifications:
    def test_permission_is_asked_only_after_the_tap_then_a_test_arrives(
        self,
        context: BrowserContext,
        live_server: str,
        session: Session,
        member: JoinedMember,
        receiver: PushReceiver,
    ) -> None:
        device = receiver.device()
        context.grant_permissions(["notifications"], origin=live_server)
        context.add_init_script(f"({FAKE_SUBSCRIBE})({json.dumps(device.subscription())})")
        page = context.new_page()
        _open_me(page, member)
        wait_for_service_worker(page)
        expect(page.get_by_text("Når du trykker, spørger telefonen")).to_be_visible()
        assert page.evaluate("window.__permissionAsked") == 0  # not before the member taps

        page.get_by_role("button", name="Slå notifikationer til").click()

        expect(page.get_by_role("status")).to_have_text(
            "Notifikationer er slået til. Du får din påmindelse på dine arbejdsdage."
        )
        assert page.evaluate("window.__permissionAsked") == 1
        (stored,) = _stored(session, PushSubscription, member)
        assert stored.endpoint == device.endpoint

        page.get_by_role("button", name="Send en prøve").click()
        expect(page.get_by_role("status")).to_have_text(
            "Prøven er sendt – den kommer om et øjeblik."
        )
        (push,) = receiver.delivered()
        assert push.payload is not None
        assert push.payload["notification"]["title"] == "Påmindelser virker"

        page.get_by_role("button", name="Slå fra på denne telefon").click()
        expect(page.get_by_role("status")).to_have_text("Denne telefon får ikke flere påmindelser.")
        assert _stored(session, PushSubscription, member) == []
        expect(page.get_by_role("button", name="Slå notifikationer til")).to_be_visible()

    def test_me_opens_with_permission_granted_before_any_service_worker(
        self, browser: Browser, live_server: str, member: JoinedMember
    ) -> None:
        # Permission from an earlier install, no service worker (yet): Me must not wait for one.
        context = browser.new_context(base_url=live_server, service_workers="block")
        context.grant_permissions(["notifications"], origin=live_server)
        try:
            page = context.new_page()
            _open_me(page, member)
            expect(page.get_by_role("button", name="Slå notifikationer til")).to_be_visible()
        finally:
            context.close()

    def test_refused_permission_is_said_and_nothing_is_stored(
        self, browser: Browser, live_server: str, session: Session, member: JoinedMember
    ) -> None:
        context = new_phone(browser, live_server)
        context.add_init_script("Notification.requestPermission = async () => 'denied';")
        try:
            page = context.new_page()
            _open_me(page, member)
            page.get_by_role("button", name="Slå notifikationer til").click()
            expect(page.get_by_role("status")).to_contain_text(
                "Telefonen må ikke vise notifikationer"
            )
            assert _stored(session, PushSubscription, member) == []
        finally:
            context.close()

    def test_iphone_safari_outside_the_home_screen_shows_the_install_steps(
        self, browser: Browser, live_server: str, member: JoinedMember
    ) -> None:
        context = new_phone(browser, live_server, user_agent=IPHONE_SAFARI)
        try:
            page = context.new_page()
            _open_me(page, member)
            guide = page.get_by_role("heading", name="Føj PUX Puls til hjemmeskærmen")
            expect(guide).to_be_visible()
            expect(page.get_by_text("Del → Føj til hjemmeskærm")).to_be_visible()
            expect(page.get_by_role("listitem").filter(has_text="Tryk på Del")).to_be_visible()
            expect(page.get_by_role("button", name="Slå notifikationer til")).to_have_count(0)
            # The calendar is the way on until then.
            expect(page.get_by_role("button", name="Vis mit kalenderlink")).to_be_visible()
        finally:
            context.close()


class TestCalendar:
    def test_link_copy_add_and_a_new_link(
        self, context: BrowserContext, live_server: str, member: JoinedMember
    ) -> None:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        page = context.new_page()
        _open_me(page, member)
        page.get_by_role("button", name="Vis mit kalenderlink").click()
        link = page.get_by_label("Dit kalenderlink")
        url = link.input_value()
        assert url.startswith(f"{live_server}/api/v1/calendar/") and url.endswith(".ics")
        add = page.get_by_role("link", name="Føj til kalender")
        assert add.get_attribute("href") == "webcal://" + url.split("://", 1)[1]
        assert httpx.get(url).headers["content-type"] == "text/calendar; charset=utf-8"

        page.get_by_role("button", name="Kopiér link").click()
        expect(page.get_by_role("status")).to_contain_text("Linket er kopieret.")
        assert page.evaluate("navigator.clipboard.readText()") == url

        page.get_by_role("button", name="Lav et nyt link").click()
        expect(page.get_by_role("status")).to_have_text(
            "Du har fået et nyt link. Det gamle virker ikke længere."
        )
        assert link.input_value() != url
        assert httpx.get(url).status_code == 404


class TestCoordinatorDefaults:
    def test_the_coordinator_sets_the_team_s_time_and_working_days(
        self, page: Page, session: Session
    ) -> None:
        org = make_org(session)
        team = make_team(session, org, name="Stue Grøn")
        coordinator = make_coordinator(session, org)
        page.goto("/coordinator")
        page.get_by_label("E-mail").fill(coordinator.coordinator.email)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.get_by_role("link", name="Stue Grøn").click()

        section = page.get_by_role("region", name="Påmindelser")
        expect(section.get_by_label("Tidspunkt")).to_have_value("07:45")
        section.get_by_label("Tidspunkt").fill("07:15")
        section.get_by_role("checkbox", name="Lørdag").check()
        section.get_by_role("button", name="Gem påmindelser").click()

        expect(page.get_by_role("status")).to_have_text("Teamets påmindelser er gemt.")
        session.expire_all()
        stored = session.get(Team, team.id)
        assert stored is not None
        assert (stored.reminder_time, stored.working_days) == ("07:15", "1,2,3,4,5,6")
