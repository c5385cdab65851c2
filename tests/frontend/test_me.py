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


class TestMyName:
    def test_change_my_name_and_remove_it(self, page: Page, session: Session) -> None:
        joined = make_member(session, display_name="Mette")
        sign_in(page, joined.token, "/me")
        expect(page.get_by_text("Din koordinator kender dig som Mette.")).to_be_visible()
        # What is true: the coordinator sees the name and that you joined; no one your answers.
        expect(page.get_by_text("Ingen kan se dine svar")).to_be_visible()
        expect(page.get_by_text("mindst 5 har svaret")).to_be_visible()

        page.get_by_role("textbox", name="Navn (frivilligt)").fill("Mette Hansen")
        page.get_by_role("button", name="Gem navnet").click()
        expect(page.get_by_role("status")).to_have_text(
            "Din koordinator kender dig nu som Mette Hansen."
        )
        expect(page.get_by_text("Din koordinator kender dig som Mette Hansen.")).to_be_visible()
        member = _member(session, joined.member.id)
        assert member is not None and member.display_name == "Mette Hansen"

        page.get_by_role("textbox", name="Navn (frivilligt)").fill("")
        page.get_by_role("button", name="Gem navnet").click()
        expect(page.get_by_role("status")).to_have_text(
            "Navnet er fjernet. Din koordinator ser dig nu som »Uden navn«."
        )
        member = _member(session, joined.member.id)
        assert member is not None and member.display_name is None


class TestMyChart:
    def test_my_weeks_as_a_chart_with_the_list_below_and_only_my_answers(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        joined = make_member(session, team)
        colleague = make_member(session, team)
        mine = {
            "2026-11-16": {"calm": 2, "flow": 3, "workload": 5},
            "2026-11-18": {"calm": 4, "flow": 3, "workload": 4},
            "2026-11-24": {"calm": 5, "flow": 4, "workload": 2},
        }
        # Earlier days than the check-in window takes: stored as they were sent then.
        for member, days in (
            (joined, mine),
            (colleague, {"2026-11-24": dict.fromkeys(("calm", "flow", "workload"), 1)}),
        ):
            for day, ratings in days.items():
                session.add(
                    CheckIn(
                        member_id=member.member.id,
                        team_id=team.id,
                        work_date=date.fromisoformat(day),
                        **ratings,
                    )
                )
        session.commit()
        sign_in(page, joined.token, "/me")

        table = page.get_by_role("table", name="Dine gennemsnit uge for uge (1–5)")
        expect(table.get_by_role("row")).to_have_count(9)  # a header and eight weeks
        # Week 47 (16–22 Nov): the mean of my two answers; week 48: mine only, not my colleague's.
        expect(table.get_by_role("row", name="uge 47")).to_have_text("uge 473,03,04,5")
        expect(table.get_by_role("row", name="uge 48")).to_have_text("uge 485,04,02,0")
        expect(table.get_by_role("row", name="uge 46")).to_have_text("uge 46–––")
        chart = page.locator("svg.me-chart")
        expect(chart).to_be_visible()
        expect(chart.locator(".series-calm circle")).to_have_count(2)
        legend = page.locator(".chart-legend li")
        expect(legend).to_have_text(["Ro", "Flow", "Arbejdspres (lavt er godt)"])
        history = page.locator(".history")
        chart_box, list_box = chart.bounding_box(), history.bounding_box()
        assert chart_box is not None and list_box is not None
        assert chart_box["y"] + chart_box["height"] <= list_box["y"]  # the list below the chart
        expect(history.locator("li")).to_have_count(3)  # the last two weeks
