"""Me: language switch, my recent check-ins, export, and leaving the team (with confirmation)."""

import json
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from backend.checkins.models import CheckIn
from backend.teams.models import Member
from tests.factories import make_member, make_team
from tests.frontend.conftest import sign_in

pytestmark = pytest.mark.browser


def _member(session: Session, member_id: int | None) -> Member | None:
    session.expire_all()
    return session.exec(select(Member).where(Member.id == member_id)).first()


class TestLanguage:
    def test_switching_to_english_translates_the_app_and_is_remembered(
        self, page: Page, session: Session
    ) -> None:
        joined = make_member(session)
        sign_in(page, joined.token, "/me")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mig")

        page.get_by_role("radio", name="English", exact=True).click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Me")
        expect(page.get_by_role("status")).to_have_text("The language is now English.")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_role("link", name="Check in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Yesterday, Wednesday 25 November"
        )
        for group in ("Calm", "Flow", "Workload"):
            expect(page.get_by_role("radiogroup", name=group, exact=True)).to_be_visible()
        page.reload()
        expect(page.get_by_role("radiogroup", name="Calm", exact=True)).to_be_visible()
        member = _member(session, joined.member.id)
        assert member is not None and member.locale == "en"

    def test_switching_back_to_danish(self, page: Page, session: Session) -> None:
        sign_in(page, make_member(session).token, "/me")
        page.get_by_role("radio", name="English", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Me")

        page.get_by_role("radio", name="Dansk", exact=True).click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Mig")
        expect(page.get_by_role("link", name="Tjek ind")).to_be_visible()


class TestMyData:
    def test_recent_check_ins_are_listed(
        self, page: Page, session: Session, api: httpx.Client
    ) -> None:
        joined = make_member(session)
        body = {"calm": 4, "flow": 2, "workload": 5, "solutions": []}
        api.put("/me/checkins/2026-11-24", json=body, headers=joined.headers).raise_for_status()
        sign_in(page, joined.token, "/me")

        expect(page.locator(".history")).to_contain_text("Tirsdag 24. november")
        expect(page.locator(".history")).to_contain_text("Ro 4 · Flow 2 · Arbejdspres 5")

    def test_today_and_yesterday_are_the_organisations_not_the_devices_utc_date(
        self, page: Page, session: Session, api: httpx.Client
    ) -> None:
        joined = make_member(session)
        body = {"calm": 3, "flow": 3, "workload": 3, "solutions": []}
        for day in ("2026-11-25", "2026-11-26"):
            api.put(f"/me/checkins/{day}", json=body, headers=joined.headers).raise_for_status()
        # 00:30 on Thursday 26 November in Copenhagen, when the UTC date is still the 25th.
        page.clock.set_fixed_time("2026-11-25T23:30:00Z")
        sign_in(page, joined.token, "/me")

        days = page.locator(".history li strong")
        expect(days).to_have_text(["I dag, torsdag 26. november", "I går, onsdag 25. november"])

    def test_export_downloads_my_data(self, page: Page, session: Session) -> None:
        joined = make_member(session, display_name="Mette")
        sign_in(page, joined.token, "/me")

        with page.expect_download() as download_info:
            page.get_by_role("button", name="Hent mine data").click()

        path = download_info.value.path()
        exported = json.loads(path.read_text())
        assert "Mette" in json.dumps(exported)

    def test_leaving_asks_first_then_erases(
        self, page: Page, session: Session, api: httpx.Client
    ) -> None:
        team = make_team(session)
        joined = make_member(session, team)
        body = {"calm": 3, "flow": 3, "workload": 3, "solutions": []}
        api.put("/me/checkins/2026-11-25", json=body, headers=joined.headers).raise_for_status()
        sign_in(page, joined.token, "/me")

        page.get_by_role("button", name="Forlad teamet og slet mine data").click()
        dialog = page.get_by_role("dialog", name="Vil du forlade teamet?")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Fortryd").click()
        expect(dialog).to_be_hidden()
        assert _member(session, joined.member.id) is not None

        page.get_by_role("button", name="Forlad teamet og slet mine data").click()
        dialog.get_by_role("button", name="Ja, slet mine data").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen til PUX Puls")
        expect(page.get_by_role("status")).to_have_text(
            "Du har forladt teamet, og dine data er slettet."
        )
        assert _member(session, joined.member.id) is None
        assert (
            session.exec(select(CheckIn).where(CheckIn.work_date == date(2026, 11, 25))).all() == []
        )
