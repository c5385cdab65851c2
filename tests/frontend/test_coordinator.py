"""Coordinator onboarding: log in, create a team, create an invite (link + QR code) that a new
member joins with, revoke an invite, log out."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from backend.auth.models import CoordinatorToken
from backend.security import hash_token
from backend.teams.models import Invite, Member, Team
from tests.factories import PASSWORD, make_coordinator, make_member, make_org, make_team
from tests.frontend.conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


def _log_in(page: Page, email: str) -> None:
    page.goto("/coordinator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Koordinator")
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")


class TestCoordinator:
    def test_team_and_invite_then_a_new_member_joins_with_it(
        self, page: Page, browser: Browser, live_server: str, session: Session
    ) -> None:
        org = make_org(session, name="Børnehuset Solsikken")
        coordinator = make_coordinator(session, org)
        _log_in(page, coordinator.coordinator.email)

        page.get_by_label("Teamets navn (fx Stue Blå)").fill("Stue Grøn")
        page.get_by_role("button", name="Opret team").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stue Grøn")
        page.get_by_role("button", name="Lav en invitation").click()

        expect(page.get_by_role("status")).to_have_text(
            "Invitationen er klar. Udskriv QR-koden, eller del linket med teamet."
        )
        expect(
            page.get_by_role("img", name="QR-kode til at blive en del af Stue Grøn")
        ).to_be_visible()
        link = page.locator(".join-link").first
        join_url = link.get_attribute("href")
        assert join_url is not None
        team = session.exec(select(Team).where(Team.name == "Stue Grøn")).one()
        invite = session.exec(select(Invite).where(Invite.team_id == team.id)).one()
        assert join_url == f"{live_server}/join/{invite.code}"
        expect(page.get_by_text(invite.code, exact=True)).to_be_visible()

        phone = browser.new_context(viewport=PHONE, locale="da-DK")
        try:
            staff = phone.new_page()
            staff.goto(join_url)
            staff.get_by_role("button", name="Bliv en del af Stue Grøn").click()
            expect(staff.get_by_role("radiogroup", name="Ro", exact=True)).to_be_visible()
        finally:
            phone.close()
        assert session.exec(select(Member).where(Member.team_id == team.id)).one()

        page.reload()
        # The day the member joined, as a date (the server's clock is Thursday 26 November).
        expect(page.locator(".members li")).to_have_text("Uden navn · med siden 26. nov. 2026")

    def test_revoking_an_invite(self, page: Page, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        _log_in(page, coordinator.coordinator.email)
        page.get_by_label("Teamets navn (fx Stue Blå)").fill("Stue Gul")
        page.get_by_role("button", name="Opret team").click()
        page.get_by_role("button", name="Lav en invitation").click()
        expect(page.locator(".invite")).to_have_count(1)

        page.get_by_role("button", name="Træk tilbage").click()

        expect(page.get_by_role("status")).to_have_text("Invitationen er trukket tilbage.")
        expect(page.locator(".invite")).to_have_count(0)
        session.expire_all()
        invite = session.exec(select(Invite)).one()
        assert invite.revoked_at is not None

    def test_the_staff_menu_is_not_in_the_coordinator_area(
        self, page: Page, session: Session
    ) -> None:
        # A coordinator who has also joined a team as staff on this device.
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        sign_in(page, make_member(session, make_team(session, org)).token)
        menu = page.get_by_role("navigation", name="Menu")
        expect(menu).to_be_visible()

        _log_in(page, coordinator.coordinator.email)

        expect(menu).to_be_hidden()
        page.goto("/join")
        expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen til PUX Puls")
        expect(menu).to_be_hidden()

    def test_wrong_password_is_refused(self, page: Page, session: Session) -> None:
        coordinator = make_coordinator(session, make_org(session))
        page.goto("/coordinator")
        page.get_by_label("E-mail").fill(coordinator.coordinator.email)
        page.get_by_label("Adgangskode").fill("not the password")
        page.get_by_role("button", name="Log ind").click()

        expect(page.get_by_role("status")).to_have_text("E-mail eller adgangskode passer ikke.")

    def test_logging_out_revokes_the_token(self, page: Page, session: Session) -> None:
        coordinator = make_coordinator(session, make_org(session))
        _log_in(page, coordinator.coordinator.email)

        page.get_by_role("button", name="Log ud").click()

        expect(page.get_by_role("button", name="Log ind")).to_be_visible()
        session.expire_all()
        # Only the factory's own token is left: the one the browser logged in with is gone.
        tokens = session.exec(
            select(CoordinatorToken).where(
                CoordinatorToken.coordinator_id == coordinator.coordinator.id
            )
        ).all()
        assert [t.token_hash for t in tokens] == [hash_token(coordinator.token)]
        expect(page).to_have_url(re.compile("/coordinator$"))
