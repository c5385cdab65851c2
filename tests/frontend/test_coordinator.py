"""Coordinator onboarding: log in, create a team, create an invite (link + QR code) that a new
member joins with, revoke an invite, log out."""

import re
from collections.abc import Callable
from datetime import datetime

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from backend.auth.models import CoordinatorToken
from backend.orgs.models import Organisation
from backend.security import hash_token
from backend.teams.models import Invite, Member, Team
from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_invite,
    make_member,
    make_org,
    make_team,
)
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
            "Invitationen er klar. Udskriv plakaten, eller del linket med teamet."
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
        members = page.get_by_role("table")
        expect(members.get_by_role("row", name="Uden navn")).to_contain_text("26. nov. 2026")

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
        expect(page.get_by_role("img", name=re.compile("QR-kode"))).to_have_count(0)
        session.expire_all()
        invite = session.exec(select(Invite)).one()
        assert invite.revoked_at is not None
        expect(page.get_by_text(f"Invitationen {invite.code} er trukket tilbage")).to_be_visible()

    def test_undo_brings_the_revoked_code_back(
        self, page: Page, browser: Browser, live_server: str, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org, name="Stue Gul")
        invite = make_invite(session, team)
        _log_in(page, coordinator.coordinator.email)
        page.get_by_role("link", name="Stue Gul").click()
        actions = page.get_by_role("group", name=f"Invitation {invite.code}")
        actions.get_by_role("button", name="Træk tilbage").click()
        undo = page.get_by_role("button", name="Fortryd")
        expect(undo).to_be_focused()
        undo.click()

        expect(page.get_by_role("status")).to_have_text(f"Invitationen {invite.code} virker igen.")
        expect(page.get_by_text(invite.code, exact=True)).to_be_visible()
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is None
        # The code on the wall works: a new member joins with it.
        phone = browser.new_context(viewport=PHONE, locale="da-DK")
        try:
            staff = phone.new_page()
            staff.goto(f"{live_server}/join/{invite.code}")
            staff.get_by_role("button", name="Bliv en del af Stue Gul").click()
            expect(staff.get_by_role("radiogroup", name="Ro", exact=True)).to_be_visible()
        finally:
            phone.close()

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


def _team_page(page: Page, session: Session, team_name: str = "Stue Blå") -> tuple[Team, str]:
    org = make_org(session)
    coordinator = make_coordinator(session, org)
    team = make_team(session, org, name=team_name)
    _log_in(page, coordinator.coordinator.email)
    page.get_by_role("link", name=team_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(team_name)
    return team, coordinator.coordinator.email


class TestTeamTools:
    def test_two_members_of_one_name_are_told_apart_by_join_date_and_note(
        self, page: Page, session: Session, set_now: Callable[[str], datetime]
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org, name="Stue Blå")
        set_now("2026-09-01T08:00:00+02:00")
        first = make_member(session, team, display_name="Louise")
        set_now("2026-11-02T08:00:00+01:00")
        make_member(session, team, display_name="Louise")
        _log_in(page, coordinator.coordinator.email)
        page.get_by_role("link", name="Stue Blå").click()

        rows = page.get_by_role("table").get_by_role("row", name="Louise")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("1. sep. 2026")
        expect(rows.nth(1)).to_contain_text("2. nov. 2026")
        note = rows.nth(0).get_by_role("textbox", name="Din note om Louise")
        note.fill("Louise P., morgenholdet")
        note.press("Tab")
        expect(page.get_by_role("status")).to_have_text("Noten om Louise er gemt.")
        session.expire_all()
        stored = session.get(Member, first.member.id)
        assert stored is not None and stored.coordinator_note == "Louise P., morgenholdet"
        page.reload()
        expect(rows.nth(0).get_by_role("textbox")).to_have_value("Louise P., morgenholdet")

    def test_removing_a_member_asks_first(self, page: Page, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org, name="Stue Blå")
        member_id = make_member(session, team, display_name="Mette").member.id
        _log_in(page, coordinator.coordinator.email)
        page.get_by_role("link", name="Stue Blå").click()

        page.get_by_role("button", name="Fjern Mette fra teamet").click()
        dialog = page.get_by_role("dialog", name="Vil du fjerne Mette fra Stue Blå?")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Fortryd").click()
        expect(dialog).to_be_hidden()
        session.expire_all()
        assert session.exec(select(Member).where(Member.id == member_id)).first()

        page.get_by_role("button", name="Fjern Mette fra teamet").click()
        page.get_by_role("button", name="Ja, fjern fra teamet").click()
        expect(page.get_by_role("status")).to_have_text("Mette er fjernet fra teamet.")
        expect(page.get_by_role("row", name="Mette")).to_have_count(0)
        session.expire_all()
        assert session.exec(select(Member).where(Member.id == member_id)).first() is None

    def test_rename_the_team(self, page: Page, session: Session) -> None:
        team, _ = _team_page(page, session, "Stue Blå")
        make_team(session, session.get(Organisation, team.org_id), name="Stue Rød")
        field = page.get_by_role("textbox", name="Navn", exact=True)
        field.fill("Stue Rød")
        page.get_by_role("button", name="Gem navnet").click()
        # A taken name, in Danish, with advice that fits a coordinator (and no English detail).
        status = page.get_by_role("status")
        expect(status).to_have_text("Der er allerede et team med det navn. Vælg et andet navn.")
        field.fill("Stue Himmelblå")
        page.get_by_role("button", name="Gem navnet").click()
        expect(status).to_have_text("Teamet hedder nu Stue Himmelblå.")
        expect(page.get_by_role("heading", level=1)).to_have_text("Stue Himmelblå")
        session.expire_all()
        stored = session.get(Team, team.id)
        assert stored is not None and stored.name == "Stue Himmelblå"

    def test_a_taken_name_for_a_new_team_is_said_in_danish(
        self, page: Page, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        make_team(session, org, name="Stue Gul")
        _log_in(page, coordinator.coordinator.email)
        page.get_by_label("Teamets navn (fx Stue Blå)").fill("stue gul")
        page.get_by_role("button", name="Opret team").click()
        status = page.get_by_role("status")
        expect(status).to_have_text("Der er allerede et team med det navn. Vælg et andet navn.")
        expect(status).not_to_contain_text("koordinator")

    def test_copy_the_join_link(
        self, page: Page, context: BrowserContext, session: Session
    ) -> None:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        team, _ = _team_page(page, session)
        page.get_by_role("button", name="Lav en invitation").click()
        page.get_by_role("button", name="Kopiér link").click()
        expect(page.get_by_role("status")).to_have_text(
            "Linket er kopieret. Sæt det ind i en besked til teamet."
        )
        session.expire_all()
        invite = session.exec(select(Invite).where(Invite.team_id == team.id)).one()
        assert page.evaluate("navigator.clipboard.readText()").endswith(f"/join/{invite.code}")

    def test_the_team_page_uses_a_laptop_screen(self, page: Page, session: Session) -> None:
        page.set_viewport_size({"width": 1366, "height": 768})
        make_member(session, display_name="Mette")
        _team_page(page, session)
        page.get_by_role("button", name="Lav en invitation").click()
        members = page.get_by_role("region", name="Medlemmer").bounding_box()
        invites = page.get_by_role("region", name="Invitationer").bounding_box()
        assert members is not None and invites is not None
        # Side by side, using most of the width.
        assert invites["x"] >= members["x"] + members["width"]
        assert invites["x"] + invites["width"] - members["x"] > 1000


class TestPoster:
    def test_the_poster_prints_the_team_qr_code_typed_code_and_how_to_and_nothing_else(
        self, page: Page, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org, name="Stue Blå")
        invite = make_invite(session, team)
        make_member(session, team, display_name="Mette Hansen")
        _log_in(page, coordinator.coordinator.email)
        page.get_by_role("link", name="Stue Blå").click()
        expect(page.get_by_role("row", name="Mette Hansen")).to_be_visible()
        page.get_by_role("link", name="Udskriv plakat").click()

        expect(page.get_by_role("button", name="Udskriv")).to_be_visible()
        page.emulate_media(media="print")
        visible = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(el => el.checkVisibility() && !el.children.length && el.textContent.trim())
                .map(el => el.textContent.trim())"""
        )
        assert visible == [
            "Stue Blå",
            invite.code,
            "Scan QR-koden med telefonens kamera, og tryk »Bliv en del af Stue Blå«.",
            f"Virker QR-koden ikke? Gå ind på {page.url.split('/')[2]}/join, og skriv koden.",
        ]
        expect(
            page.get_by_role("img", name="QR-kode til at blive en del af Stue Blå")
        ).to_be_visible()
        assert "Mette" not in page.evaluate("document.body.innerText")
