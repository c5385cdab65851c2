"""Join: /join/{code} shows the team and joins in one tap; bad codes get a clear Danish message."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from backend import clock
from backend.teams.models import Member, MemberToken
from tests.factories import make_invite, make_team

pytestmark = pytest.mark.browser


class TestJoinByLink:
    def test_joins_in_one_tap_and_lands_on_today(self, page: Page, session: Session) -> None:
        team = make_team(session, name="Stue Blå")
        invite = make_invite(session, team)

        page.goto(f"/join/{invite.code}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Du er inviteret til Stue Blå")
        menu = page.get_by_role("navigation", name="Menu")
        expect(menu).to_be_hidden()  # not joined yet: the staff screens are not for them
        page.get_by_label("Dit navn (frivilligt)").fill("Mette")
        page.get_by_role("button", name="Bliv en del af Stue Blå").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        expect(menu.get_by_role("link")).to_have_text(["Tjek ind", "Løsninger", "Team", "Mig"])
        expect(page).to_have_url(re.compile(r"/$"))
        member = session.exec(select(Member).where(Member.team_id == team.id)).one()
        assert member.display_name == "Mette"
        assert session.exec(select(MemberToken).where(MemberToken.member_id == member.id)).first()

    def test_token_is_kept_on_the_device(self, page: Page, session: Session) -> None:
        invite = make_invite(session)
        page.goto(f"/join/{invite.code}")
        page.get_by_role("button", name=re.compile("Bliv en del af")).click()
        expect(page.get_by_role("radiogroup", name="Ro")).to_be_visible()

        page.goto("/")

        expect(page.get_by_role("radiogroup", name="Ro")).to_be_visible()
        expect(page.get_by_role("link", name="Mig")).to_be_visible()

    def test_unknown_code_is_explained_in_danish(self, page: Page) -> None:
        page.goto("/join/AAAA-BBBB-CCCC")

        expect(page.get_by_role("heading", level=1)).to_have_text("Invitationen virker ikke")
        expect(page.get_by_role("alert")).to_contain_text("Vi kan ikke finde den kode")

    def test_expired_code_is_explained_in_danish(self, page: Page, session: Session) -> None:
        invite = make_invite(session, expires_at=clock.now() - timedelta(days=400))

        page.goto(f"/join/{invite.code}")

        expect(page.get_by_role("alert")).to_contain_text("Invitationen er udløbet")

    def test_without_a_member_token_the_start_screen_asks_for_a_code(
        self, page: Page, session: Session
    ) -> None:
        invite = make_invite(session, make_team(session, name="Stue Rød"))
        page.goto("/")
        expect(page).to_have_url(re.compile("/join$"))

        page.get_by_label("Kode fra invitationen").fill(invite.code)
        page.get_by_role("button", name="Fortsæt").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Du er inviteret til Stue Rød")
