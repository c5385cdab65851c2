"""Offline: the app opens from the service worker, a check-in waits in the outbox (surviving a
restart of the app) and reaches the server when the connection returns; a 5xx is retried. Opened
offline days later, Today moves to the device's date instead of showing an old "i dag"."""

import itertools
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend.checkins.models import CheckIn, CheckInSolution
from tests.factories import JoinedMember, make_member, make_team
from tests.frontend.conftest import (
    NOW,
    free_port,
    make_active_solution,
    new_phone,
    run_axe,
    serve_app,
    sign_in,
    wait_for_service_worker,
    watched_page,
)

pytestmark = pytest.mark.browser


def _checkins(session: Session, member_id: int | None) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).where(CheckIn.member_id == member_id)).all())


def _wait_for_checkin(
    session: Session,
    member_id: int | None,
    page: Page | None = None,
    seconds: float = 10,
    work_date: date | None = None,
) -> CheckIn:
    deadline = time.monotonic() + seconds
    while not (
        rows := [c for c in _checkins(session, member_id) if work_date in (None, c.work_date)]
    ):
        assert time.monotonic() < deadline, "the queued check-in never reached the server"
        # Waiting through Playwright keeps its event loop (and any route handler) running.
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    return rows[0]


def _wait_for_offline_copy(page: Page) -> None:
    """Waits until the shell is cached and Today has kept its copy and the calendar (/me)."""
    wait_for_service_worker(page)
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('pux-puls', 1);
            open.onsuccess = () => {
                const keys = open.result.transaction('kv').objectStore('kv').getAllKeys();
                keys.onsuccess = () => {
                    open.result.close();
                    resolve(['today', 'me'].every((key) => keys.result.includes(key)));
                };
            };
        })"""
    )


def _joined_with_offline_copy(page: Page, session: Session) -> JoinedMember:
    """A new member on this phone, with Today open and kept for offline use."""
    joined = make_member(session)
    sign_in(page, joined.token)
    _wait_for_offline_copy(page)
    return joined


def _rate_and_send(page: Page, ratings: dict[str, str]) -> None:
    """Picks a word in each rating group named, then Send: {"Ro": "Roligt"}."""
    for group, word in ratings.items():
        page.get_by_role("radiogroup", name=group, exact=True).get_by_role(
            "radio", name=word, exact=True
        ).click()
    page.get_by_role("button", name="Send").click()


def _outbox_ids(page: Page) -> list[str]:
    """The ids of the items in the device's outbox (IndexedDB), sent ones included."""
    ids: list[str] = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('pux-puls', 1);
            open.onsuccess = () => {
                const keys = open.result.transaction('outbox').objectStore('outbox').getAllKeys();
                keys.onsuccess = () => { open.result.close(); resolve(keys.result); };
            };
        })"""
    )
    return ids


def _expect_rated_yesterday(page: Page, calm: str) -> None:
    """Today moves on to today, as the server would, shows yesterday as rated (its chip says so),
    and yesterday opens with the answer sent selected."""
    expect(page.get_by_text("Du er offline.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("I dag, torsdag 26. november")
    page.get_by_role("link", name="I går (udfyldt)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
    expect(
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name=calm, exact=True
        )
    ).to_be_checked()


class TestOffline:
    def test_check_in_offline_is_sent_when_back_online(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        joined = _joined_with_offline_copy(page, session)

        context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        expect(page.get_by_text("Du er offline.")).to_be_visible()
        _rate_and_send(page, {"Ro": "Roligt", "Flow": "Meget godt flow", "Arbejdspres": "Lavt"})

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
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()  # nothing waits
        expect(page.get_by_role("status")).to_contain_text("er nu sendt")
        # The screen still open says yesterday is rated, without being opened again.
        expect(page.get_by_role("link", name="I går (udfyldt)")).to_be_visible()

        # Opened offline again: Today's copy is from before the check-in, the outbox knows better.
        context.set_offline(True)
        page.reload()
        _expect_rated_yesterday(page, "Roligt")

    def test_a_check_in_sent_online_is_rated_when_today_opens_offline(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        _joined_with_offline_copy(page, session)
        _rate_and_send(page, {"Ro": "Meget roligt"})
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")

        context.set_offline(True)
        page.reload()
        _expect_rated_yesterday(page, "Meget roligt")

        # Online, Today's new copy from the server knows the check-in: the outbox lets it go.
        context.set_offline(False)
        page.goto("/")
        expect(page.get_by_role("link", name="I går (udfyldt)")).to_be_visible()
        deadline = time.monotonic() + 5
        while _outbox_ids(page):
            assert time.monotonic() < deadline, "the sent check-in stayed in the outbox"
            page.wait_for_timeout(100)

    def test_queued_check_in_survives_closing_the_app(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        joined = _joined_with_offline_copy(page, session)
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
        # Yesterday is answered, so today is suggested; the waiting answer is what the screen
        # shows for yesterday.
        expect(reopened.get_by_role("heading", level=1)).to_have_text("I dag, torsdag 26. november")
        reopened.locator('[data-date="2026-11-25"]').click()
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
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()  # nothing waits


def _days_later(page: Page, instant: str) -> None:
    """Moves the phone's clock on (the app stays open, as on a phone left in a pocket)."""
    page.clock.set_system_time(datetime.fromisoformat(instant))


def _chips(page: Page) -> list[tuple[str | None, str]]:
    """The date picker's chips, newest first: (date, the words a screen reader hears)."""
    links = page.get_by_role("navigation", name="Vælg dag").get_by_role("link")
    return [
        (
            link.get_attribute("data-date"),
            " ".join(link.evaluate("a => a.textContent").split()).replace(" ✓", ""),
        )
        for link in links.all()
    ]


class MovableServer:
    """The app on one address whose pinned clock can be moved: a restart on the same port at
    another instant keeps the browser's origin (its storage, service worker and outbox)."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._running = ExitStack()

    def start(self, now: str) -> None:
        self.stop()
        self._running.enter_context(
            serve_app(self.database_url, self.log_path, port=self.port, PUX_NOW=now)
        )

    def stop(self) -> None:
        self._running.close()


@pytest.fixture
def server(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[MovableServer]:
    server = MovableServer(database_url, tmp_path / "server.log")
    server.start(NOW)
    yield server
    server.stop()


@pytest.fixture
def phone(browser: Browser, server: MovableServer) -> Iterator[tuple[BrowserContext, Page]]:
    """A phone whose own clock is in UTC, while the organisation's zone is Copenhagen."""
    context = new_phone(browser, server.url, timezone_id="UTC")
    try:
        with watched_page(context) as page:
            yield context, page
    finally:
        context.close()


class TestOfflineDaysLater:
    """Last online Thursday 26 November 08:00 (window 23–26 November); opened offline days later."""

    def test_today_moves_to_the_device_s_date_and_the_server_takes_the_new_day(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        context, page = phone
        team = make_team(session)
        make_active_solution(session, team, "Garderoben i to hold")
        joined = make_member(session, team)
        body = {"calm": 3, "flow": 3, "workload": 3, "solutions": []}
        httpx.put(
            f"{server.url}/api/v1/me/checkins/2026-11-26", json=body, headers=joined.headers
        ).raise_for_status()
        sign_in(page, joined.token)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("I går, onsdag 25. november")
        assert [day for day, _ in _chips(page)] == [
            "2026-11-26",
            "2026-11-25",
            "2026-11-24",
            "2026-11-23",
        ]
        _wait_for_offline_copy(page)

        # Saturday morning, still offline: Friday is the day to rate, Monday and Tuesday are gone.
        context.set_offline(True)
        _days_later(page, "2026-11-28T09:00:00+01:00")
        page.reload()

        expect(heading).to_have_text("I går, fredag 27. november")
        # Three working days back from Saturday: Wednesday 25th; Saturday itself is a day off, no
        # chip (it waits under "Anden dag").
        assert _chips(page) == [
            ("2026-11-27", "I går"),
            ("2026-11-26", "Tors. 26. (udfyldt)"),  # what the server said, kept
            ("2026-11-25", "Ons. 25."),
        ]
        page.get_by_text("Anden dag").click()
        assert _chips(page)[3:] == [("2026-11-28", "I dag (fridag)")]
        expect(page.locator('[data-date="2026-11-27"]')).to_have_attribute("aria-current", "date")
        expect(page.get_by_text("Du er offline. Du ser teamets løsninger")).to_have_text(
            "Du er offline. Du ser teamets løsninger, som de var, da du sidst var online "
            "(torsdag 26. november). Dit svar bliver gemt på telefonen og sendt, når du er "
            "online igen."
        )
        expect(page.get_by_role("radiogroup", name="Garderoben i to hold")).to_be_visible()
        assert run_axe(page) == []

        # An old link cannot bring back a date that has left the window.
        page.goto("/?date=2026-11-23")
        expect(heading).to_have_text("I går, fredag 27. november")

        _rate_and_send(page, {"Ro": "Roligt"})
        expect(page.get_by_role("status")).to_have_text(
            "Du er offline — sendes, når du er online igen"
        )
        expect(page.locator("#outbox")).to_contain_text("Dit svar for fredag 27. november")

        # The server agrees: on Saturday, Friday is in its window.
        server.start("2026-11-28T09:00:00+01:00")
        context.set_offline(False)
        checkin = _wait_for_checkin(
            session, joined.member.id, page=page, work_date=date(2026, 11, 27)
        )
        assert checkin.calm == 4
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()  # nothing waits

    def test_the_organisation_s_zone_and_the_team_s_working_days_decide(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        context, page = phone
        joined = make_member(session, make_team(session, working_days="1,2,3,4,5,6"))
        sign_in(page, joined.token)
        expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        _wait_for_offline_copy(page)

        # 00:30 on Saturday in Copenhagen is still Friday 23:30 on the phone's own (UTC) clock.
        context.set_offline(True)
        _days_later(page, "2026-11-28T00:30:00+01:00")
        page.reload()

        expect(page.get_by_role("heading", level=1)).to_have_text("I går, fredag 27. november")
        # The team works on Saturdays; Sunday (not in the window yet) would be its day off.
        assert _chips(page)[:2] == [("2026-11-28", "I dag"), ("2026-11-27", "I går")]

    def test_on_the_same_day_the_suggestion_moves_on_once_yesterday_is_answered(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        context, page = phone
        _joined_with_offline_copy(page, session)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("I går, onsdag 25. november")
        context.set_offline(True)
        _rate_and_send(page, {"Ro": "Roligt"})
        expect(page.get_by_role("status")).to_have_text(
            "Du er offline — sendes, når du er online igen"
        )

        # Opened again that morning, still offline: yesterday is answered, so today is next.
        page.reload()
        expect(heading).to_have_text("I dag, torsdag 26. november")
        expect(page.get_by_text("Du er offline. Du ser teamets løsninger")).to_have_count(0)

    def test_on_the_same_day_the_suggestion_is_today_from_noon(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        context, page = phone
        _joined_with_offline_copy(page, session)
        expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        context.set_offline(True)
        _days_later(page, "2026-11-26T12:30:00+01:00")
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("I dag, torsdag 26. november")

    def test_holidays_on_the_new_days_are_known_offline(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        context, page = phone
        # Last online Tuesday 22 December; opened offline on Monday 28 December before noon.
        server.start("2026-12-22T09:00:00+01:00")
        _days_later(page, "2026-12-22T09:00:00+01:00")
        _joined_with_offline_copy(page, session)
        context.set_offline(True)
        _days_later(page, "2026-12-28T09:00:00+01:00")
        page.reload()

        # 24–27 December are days off, so three working days back from Monday reach Monday 21st,
        # as on the server, and the day to rate is the last working day, Wednesday 23rd.
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Onsdag 23. december")
        assert [day for day, _ in _chips(page)] == [
            "2026-12-28",
            "2026-12-23",
            "2026-12-22",
            "2026-12-21",
        ]
        page.get_by_text("Anden dag").click()
        assert [(day, label.endswith("(fridag)")) for day, label in _chips(page)][4:] == [
            ("2026-12-27", True),
            ("2026-12-26", True),
            ("2026-12-25", True),
            ("2026-12-24", True),
        ]
        page.locator('[data-date="2026-12-25"]').click()
        expect(page.get_by_text("Juledag er en fridag.")).to_be_visible()

    def test_a_check_in_for_a_day_that_left_the_window_meanwhile_is_refused_and_shown(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        context, page = phone
        joined = _joined_with_offline_copy(page, session)
        context.set_offline(True)
        page.locator('[data-date="2026-11-23"]').click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mandag 23. november")
        _rate_and_send(page, {"Ro": "Roligt"})
        expect(page.locator("#outbox")).to_contain_text("Venter på forbindelse")

        # Back online on Monday 30 November: the window is now 27–30 November.
        server.start("2026-11-30T09:00:00+01:00")
        _days_later(page, "2026-11-30T09:00:00+01:00")
        context.set_offline(False)

        refused = "Den dag ligger for langt tilbage, så du kan ikke længere tjekke ind for den."
        expect(page.locator("#outbox")).to_contain_text("Blev ikke modtaget")
        expect(page.locator("#outbox")).to_contain_text(refused)
        expect(page.get_by_role("status")).to_have_text(refused)
        assert _checkins(session, joined.member.id) == []


def _radio(page: Page, group: str, word: str) -> Locator:
    return page.get_by_role("radiogroup", name=group, exact=True).get_by_role(
        "radio", name=word, exact=True
    )


def _marks(session: Session, checkin: CheckIn) -> dict[int, str]:
    rows = session.exec(select(CheckInSolution).where(CheckInSolution.checkin_id == checkin.id))
    return {row.solution_id: row.used for row in rows}


def _wait_for_revision(
    session: Session, member_id: int | None, work_date: date, revision: int, page: Page
) -> CheckIn:
    deadline = time.monotonic() + 15
    while True:
        rows = [c for c in _checkins(session, member_id) if c.work_date == work_date]
        if rows and rows[0].revision >= revision:
            return rows[0]
        assert time.monotonic() < deadline, f"no revision {revision} for {work_date}: {rows}"
        page.wait_for_timeout(100)


class TestOfflineEdit:
    """Issue 10: offline, "I går" showed ✓ but the form was empty; Ro 5 and Send stored "Ro 5 ·
    Flow – · Arbejdspres –" and the solution mark was gone. An edit must start from the answer it
    replaces, and change only what the member changed."""

    @pytest.mark.parametrize("reopened", [False, True], ids=["app-open", "app-closed-and-reopened"])
    def test_an_offline_edit_of_yesterday_keeps_what_was_not_changed(
        self,
        context: BrowserContext,
        page: Page,
        session: Session,
        live_server: str,
        reopened: bool,
    ) -> None:
        team = make_team(session)
        solution = make_active_solution(session, team, "Garderoben i to hold")
        joined = make_member(session, team)
        earlier = {
            "calm": 3,
            "flow": 4,
            "workload": 2,
            "solutions": [{"solution_id": solution.id, "used": "yes"}],
        }
        httpx.put(
            f"{live_server}/api/v1/me/checkins/2026-11-25", json=earlier, headers=joined.headers
        ).raise_for_status()
        sign_in(page, joined.token)
        expect(page.get_by_role("heading", level=1)).to_have_text("I dag, torsdag 26. november")
        _wait_for_offline_copy(page)

        context.set_offline(True)
        if reopened:
            page.close()
            page = context.new_page()
            page.goto("/")
        else:
            page.reload()
        expect(page.get_by_text("Du er offline.")).to_be_visible()
        page.get_by_role("link", name="I går (udfyldt)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        # The form opens with the answer it is about to replace.
        expect(_radio(page, "Ro", "Både-og")).to_be_checked()
        expect(_radio(page, "Flow", "Godt flow")).to_be_checked()
        expect(_radio(page, "Arbejdspres", "Lavt")).to_be_checked()
        expect(_radio(page, "Garderoben i to hold", "Ja")).to_be_checked()

        _radio(page, "Ro", "Meget roligt").click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text(
            "Du er offline — sendes, når du er online igen"
        )
        context.set_offline(False)

        stored = _wait_for_revision(session, joined.member.id, date(2026, 11, 25), 2, page)
        assert (stored.calm, stored.flow, stored.workload) == (5, 4, 2)
        assert _marks(session, stored) == {solution.id: "yes"}
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()  # nothing waits

    def test_an_answer_changed_elsewhere_meanwhile_shows_both_and_the_rest_is_delivered(
        self, context: BrowserContext, page: Page, session: Session, live_server: str
    ) -> None:
        joined = make_member(session)
        url = f"{live_server}/api/v1/me/checkins/2026-11-25"
        first = httpx.put(url, json={"calm": 3}, headers=joined.headers)
        first.raise_for_status()
        sign_in(page, joined.token)
        _wait_for_offline_copy(page)

        # Offline on this phone: yesterday gets a Flow, today a first answer.
        context.set_offline(True)
        page.goto("/?date=2026-11-25")
        expect(_radio(page, "Ro", "Både-og")).to_be_checked()
        _radio(page, "Flow", "Meget godt flow").click()
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#outbox")).to_contain_text("Venter på forbindelse")
        page.goto("/?date=2026-11-26")
        _radio(page, "Arbejdspres", "Højt").click()
        page.get_by_role("button", name="Send").click()

        # Meanwhile another phone replaces yesterday's answer.
        other = httpx.put(
            url,
            json={"calm": 1, "workload": 5},
            headers={**joined.headers, "If-Match": first.json()["etag"]},
        )
        assert other.status_code == 200, other.text

        context.set_offline(False)
        today = _wait_for_checkin(session, joined.member.id, page, work_date=date(2026, 11, 26))
        assert today.workload == 4  # the rest of the queue was delivered
        outbox = page.locator("#outbox")
        expect(outbox).to_contain_text("Blev ikke modtaget")
        expect(outbox).to_contain_text("dagen er blevet ændret et andet sted")
        [yesterday] = [c for c in _checkins(session, joined.member.id) if c.calm == 1]
        assert (yesterday.flow, yesterday.workload) == (None, 5)  # the other phone's, untouched

        page.goto("/?date=2026-11-25")
        choice = page.get_by_role("group", name="Dagen har to svar")
        expect(choice.get_by_role("region", name="Dit svar")).to_contain_text(
            "Flow: 5 – Meget godt flow"
        )
        expect(choice.get_by_role("region", name="Det gemte svar")).to_contain_text(
            "Arbejdspres: 5 – Meget højt"
        )
        # The form below starts from the stored answer, so an edit there replaces that one.
        expect(_radio(page, "Ro", "Meget uroligt")).to_be_checked()
        assert run_axe(page) == []
        choice.get_by_role("button", name="Brug mit svar").click()

        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        expect(page.get_by_role("group", name="Dagen har to svar")).to_have_count(0)
        mine = _wait_for_revision(session, joined.member.id, date(2026, 11, 25), 3, page)
        assert (mine.calm, mine.flow, mine.workload) == (3, 5, None)
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()

    def test_keeping_the_stored_answer_drops_mine(
        self, context: BrowserContext, page: Page, session: Session, live_server: str
    ) -> None:
        joined = make_member(session)
        url = f"{live_server}/api/v1/me/checkins/2026-11-25"
        first = httpx.put(url, json={"calm": 3}, headers=joined.headers)
        sign_in(page, joined.token, "/?date=2026-11-25")
        expect(_radio(page, "Ro", "Både-og")).to_be_checked()
        # Another phone answers first, while this screen is open.
        httpx.put(
            url, json={"calm": 2}, headers={**joined.headers, "If-Match": first.json()["etag"]}
        ).raise_for_status()
        _radio(page, "Ro", "Roligt").click()
        page.get_by_role("button", name="Send").click()

        choice = page.get_by_role("group", name="Dagen har to svar")
        expect(choice).to_be_visible()
        choice.get_by_role("button", name="Behold det gemte").click()
        expect(page.get_by_role("status")).to_have_text("Det gemte svar gælder.")
        expect(_radio(page, "Ro", "Uroligt")).to_be_checked()
        expect(page.locator("#outbox")).to_be_hidden()
        [stored] = _checkins(session, joined.member.id)
        assert (stored.calm, stored.revision) == (2, 2)
