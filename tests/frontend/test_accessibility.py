"""axe-core on every screen, light and dark: zero serious or critical violations."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.factories import make_coordinator, make_invite, make_member, make_org, make_team
from tests.frontend.conftest import make_active_solution, run_axe, sign_in

pytestmark = pytest.mark.browser


def _assert_accessible(page: Page) -> None:
    for scheme in ("light", "dark"):
        # Reduced motion: no colour transitions half-way while axe measures contrast.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        violations = run_axe(page)
        assert violations == [], f"{scheme}: {violations}"


class TestAccessibility:
    def test_join_screens(self, page: Page, session: Session) -> None:
        invite = make_invite(session)
        page.goto("/join")
        expect(page.get_by_label("Kode fra invitationen")).to_be_visible()
        _assert_accessible(page)

        page.goto(f"/join/{invite.code}")
        expect(page.get_by_role("button", name="Bliv en del af Stue Blå")).to_be_visible()
        _assert_accessible(page)

        page.goto("/join/AAAA-BBBB-CCCC")
        expect(page.get_by_role("alert")).to_be_visible()
        _assert_accessible(page)

    def test_today_with_a_solution_and_a_message(self, page: Page, session: Session) -> None:
        team = make_team(session)
        make_active_solution(session, team, "Garderoben i to hold")
        sign_in(page, make_member(session, team).token)
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        page.get_by_text("Skriv en kommentar (frivilligt)").click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        _assert_accessible(page)

    def test_today_in_english(self, page: Page, session: Session) -> None:
        sign_in(page, make_member(session).token, "/me")
        page.get_by_role("radio", name="English", exact=True).click()
        page.get_by_role("link", name="Check in").click()
        expect(page.get_by_role("radiogroup", name="Calm", exact=True)).to_be_visible()
        _assert_accessible(page)

    def test_me_and_the_leave_dialog(self, page: Page, session: Session) -> None:
        sign_in(page, make_member(session, display_name="Mette").token, "/me")
        expect(page.locator(".history")).to_contain_text("ikke tjekket ind")
        _assert_accessible(page)
        page.get_by_role("button", name="Forlad teamet og slet mine data").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        _assert_accessible(page)

    def test_coordinator_screens(self, page: Page, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        make_team(session, org, name="Stue Blå")
        page.goto("/coordinator")
        expect(page.get_by_label("Adgangskode")).to_be_visible()
        _assert_accessible(page)

        page.get_by_label("E-mail").fill(coordinator.coordinator.email)
        page.get_by_label("Adgangskode").fill("correct horse battery staple")
        page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_role("link", name="Stue Blå")).to_be_visible()
        _assert_accessible(page)

        page.get_by_role("link", name="Stue Blå").click()
        page.get_by_role("button", name="Lav en invitation").click()
        expect(
            page.get_by_role("img", name="QR-kode til at blive en del af Stue Blå")
        ).to_be_visible()
        _assert_accessible(page)
