"""Today: the date in words, three rating groups, solution marks, Send — within four taps."""

import re
from datetime import UTC, date, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from backend.checkins.models import CheckIn, CheckInSolution
from backend.solutions.models import SolutionStatusChange
from tests.factories import make_coordinator, make_member, make_org, make_team
from tests.frontend.conftest import make_active_solution, sign_in

pytestmark = pytest.mark.browser

YESTERDAY = date(2026, 11, 25)


class TestToday:
    def test_check_in_within_four_taps_on_a_phone(self, page: Page, session: Session) -> None:
        joined = make_member(session)
        sign_in(page, joined.token)
        expect(page.get_by_role("heading", level=1)).to_have_text("I går, onsdag 25. november")
        taps = [
            page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
                "radio", name="Meget roligt", exact=True
            ),
            page.get_by_role("radiogroup", name="Flow", exact=True).get_by_role(
                "radio", name="Godt flow", exact=True
            ),
            page.get_by_role("radiogroup", name="Arbejdspres", exact=True).get_by_role(
                "radio", name="Meget højt"
            ),
            page.get_by_role("button", name="Send"),
        ]
        for target in taps:
            target.click()

        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        # Sent at once: no outbox panel is left on the screen.
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        assert (checkin.work_date, checkin.calm, checkin.flow, checkin.workload) == (
            YESTERDAY,
            5,
            4,
            5,
        )

    def test_each_group_words_its_ends_and_targets_are_large(
        self, page: Page, session: Session
    ) -> None:
        sign_in(page, make_member(session).token)
        ends = {
            "Ro": ("Meget uroligt", "Meget roligt"),
            "Flow": ("Meget hakkende", "Meget godt flow"),
            "Arbejdspres": ("Meget lavt", "Meget højt"),
        }
        for group, (low, high) in ends.items():
            radios = page.get_by_role("radiogroup", name=group).get_by_role("radio")
            expect(radios).to_have_count(5)
            expect(radios.first).to_have_accessible_name(low)
            expect(radios.last).to_have_accessible_name(high)
            expect(radios.first).not_to_be_checked()
        page.get_by_text("Skriv en kommentar (frivilligt)").click()
        targets = ".option label, .chip, form.checkin button, summary, .check label, .app-nav a"
        for label in page.locator(targets).all():
            box = label.bounding_box()
            assert box is not None and box["height"] >= 44, label.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    def test_solution_mark_starts_unanswered_and_is_stored(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        solution = make_active_solution(session, team, "Garderoben i to hold")
        joined = make_member(session, team)
        sign_in(page, joined.token)

        mark = page.get_by_role("radiogroup", name="Garderoben i to hold", exact=True)
        for option in ("Ja", "Delvist", "Nej"):
            expect(mark.get_by_role("radio", name=option)).not_to_be_checked()
        mark.get_by_role("radio", name="Delvist", exact=True).click()
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        page.get_by_role("radiogroup", name="Flow", exact=True).get_by_role(
            "radio", name="Både-og", exact=True
        ).click()
        page.get_by_role("radiogroup", name="Arbejdspres", exact=True).get_by_role(
            "radio", name="Middel"
        ).click()
        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        used = session.exec(
            select(CheckInSolution).where(CheckInSolution.checkin_id == checkin.id)
        ).one()
        assert (used.solution_id, used.used) == (solution.id, "partly")

    def test_previous_answer_is_shown_and_can_be_changed(
        self, page: Page, session: Session, api: httpx.Client
    ) -> None:
        joined = make_member(session)
        body = {"calm": 2, "flow": 3, "workload": 4, "comment": "Travlt", "solutions": []}
        assert (
            api.put("/me/checkins/2026-11-25", json=body, headers=joined.headers).status_code == 201
        )
        sign_in(page, joined.token)
        # Yesterday is rated, so Today now suggests today; the member goes back to yesterday.
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^I dag, "))
        page.get_by_role("link", name="I går (udfyldt)").click()

        calm = page.get_by_role("radiogroup", name="Ro", exact=True)
        expect(calm.get_by_role("radio", name="Uroligt", exact=True)).to_be_checked()
        expect(page.get_by_role("textbox", name="Kommentar")).to_have_value("Travlt")
        calm.get_by_role("radio", name="Meget roligt", exact=True).click()
        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        rows = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).all()
        assert [(r.calm, r.flow, r.workload) for r in rows] == [(5, 3, 4)]

    def test_an_earlier_date_in_the_window_can_be_rated(self, page: Page, session: Session) -> None:
        joined = make_member(session)
        sign_in(page, joined.token)
        page.get_by_role("link", name="I dag").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("I dag, torsdag 26. november")
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        assert (checkin.work_date, checkin.calm, checkin.flow) == (date(2026, 11, 26), 4, None)
        expect(page.get_by_role("link", name=re.compile("I dag.*udfyldt"))).to_be_visible()

    def test_a_refusal_from_the_server_is_shown(
        self, page: Page, session: Session, api: httpx.Client
    ) -> None:
        org = make_org(session)
        team = make_team(session, org)
        joined = make_member(session, team)
        coordinator = make_coordinator(session, org)
        sign_in(page, joined.token)
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        # Meanwhile the coordinator removes the member (revoking their token): the PUT gets 401.
        removed = api.delete(
            f"/teams/{team.id}/members/{joined.member.id}", headers=coordinator.headers
        )
        assert removed.status_code == 204, removed.text

        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("status")).to_have_text(
            "Du er ikke længere logget ind på denne telefon."
        )
        expect(page.locator("#outbox")).to_contain_text("Blev ikke modtaget")
        assert session.exec(select(CheckIn)).all() == []

    def test_a_solution_no_longer_active_is_refused_and_explained(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        solution = make_active_solution(session, team, "Garderoben i to hold")
        joined = make_member(session, team)
        sign_in(page, joined.token)
        page.get_by_role("radiogroup", name="Garderoben i to hold", exact=True).get_by_role(
            "radio", name="Ja", exact=True
        ).click()
        # Meanwhile the team records that the solution was dropped before that day.
        dropped_at = datetime(2026, 11, 24, 12, tzinfo=UTC)
        solution.status = "dropped"
        session.add(solution)
        session.add(
            SolutionStatusChange(
                solution_id=solution.id,
                from_status="trial",
                to_status="dropped",
                changed_at=dropped_at,
            )
        )
        session.commit()

        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("status")).to_have_text(
            "En af løsningerne er ikke længere i brug. Hent siden igen, og send dit svar på ny."
        )
        expect(page.locator("#outbox")).to_contain_text("Blev ikke modtaget")
        assert session.exec(select(CheckIn)).all() == []
        page.get_by_role("button", name="Fjern").click()
        expect(page.locator("#outbox")).to_be_hidden()

    def test_a_day_off_in_the_window_is_marked_and_can_still_be_rated(
        self, page: Page, session: Session
    ) -> None:
        org = make_org(session, checkin_window_days=7)
        joined = make_member(session, make_team(session, org))
        sign_in(page, joined.token)

        sunday = page.get_by_role("link", name="søn. 22. (fridag)")
        expect(sunday).to_be_visible()
        expect(page.get_by_role("link", name="Tors. 19.")).to_be_visible()
        sunday.click()

        expect(page.get_by_text("Det er ikke en af teamets arbejdsdage.")).to_be_visible()
        page.get_by_role("radiogroup", name="Arbejdspres", exact=True).get_by_role(
            "radio", name="Lavt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        assert (checkin.work_date, checkin.workload) == (date(2026, 11, 22), 2)
