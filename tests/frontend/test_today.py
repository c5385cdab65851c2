"""Today: the date in words, three rating groups, solution marks, Send — within four taps."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from backend.checkins import workdates
from backend.checkins.models import CheckIn, CheckInSolution
from backend.solutions.models import SolutionStatusChange
from tests.factories import make_coordinator, make_member, make_org, make_team
from tests.frontend.conftest import make_active_solution, sign_in
from tests.frontend.test_offline import MovableServer, phone, server

__all__ = ["phone", "server"]  # fixtures, for the test on another day than the shared server's

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
        # Seven working days back from Thursday 26 November: 17–26 November, two weekends in it.
        org = make_org(session, checkin_window_days=7)
        joined = make_member(session, make_team(session, org))
        sign_in(page, joined.token)

        picker = page.get_by_role("navigation", name="Vælg dag")
        expect(picker.get_by_role("link", name="Tirs. 17.")).to_be_visible()
        # Days off are no chips of their own; "Anden dag" has them.
        expect(picker.get_by_role("link", name="Søn. 22. (fridag)")).to_be_hidden()
        picker.get_by_text("Anden dag").click()
        sunday = picker.get_by_role("link", name="Søn. 22. (fridag)")
        expect(sunday).to_be_visible()
        sunday.click()

        expect(page.get_by_text("Det er ikke en af teamets arbejdsdage.")).to_be_visible()
        # The day being shown is a chip now.
        expect(page.locator('.date-picker > .dates [data-date="2026-11-22"]')).to_have_attribute(
            "aria-current", "date"
        )
        page.get_by_role("radiogroup", name="Arbejdspres", exact=True).get_by_role(
            "radio", name="Lavt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        assert (checkin.work_date, checkin.workload) == (date(2026, 11, 22), 2)


class TestEmptyAndClear:
    def test_send_waits_for_a_choice_and_a_choice_can_be_cleared(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        make_active_solution(session, team, "Garderoben i to hold")
        joined = make_member(session, team)
        sign_in(page, joined.token)
        send = page.get_by_role("button", name="Send")
        hint = "Vælg mindst én vurdering eller et svar om en løsning."
        expect(send).to_be_disabled()
        expect(send).to_have_accessible_description(hint)

        calm = page.get_by_role("radiogroup", name="Ro", exact=True)
        calm.get_by_role("radio", name="Roligt", exact=True).click()
        expect(send).to_be_enabled()
        expect(page.get_by_text(hint)).to_be_hidden()
        # Tapped again, the rating is cleared: nothing is chosen, so Send waits again.
        calm.get_by_role("radio", name="Roligt", exact=True).click()
        for radio in calm.get_by_role("radio").all():
            expect(radio).not_to_be_checked()
        expect(send).to_be_disabled()

        # A solution mark alone is an answer; it can be cleared the same way (keyboard too).
        mark = page.get_by_role("radiogroup", name="Garderoben i to hold", exact=True)
        mark.get_by_role("radio", name="Delvist", exact=True).click()
        expect(send).to_be_enabled()
        mark.get_by_role("radio", name="Delvist", exact=True).press("Space")
        expect(mark.get_by_role("radio", name="Delvist", exact=True)).not_to_be_checked()
        expect(send).to_be_disabled()

        calm.get_by_role("radio", name="Uroligt", exact=True).click()
        send.click()
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        assert (checkin.calm, checkin.flow, checkin.workload) == (2, None, None)
        assert session.exec(select(CheckInSolution)).all() == []


def _window_by_server(
    first: date, last: date, working: list[frozenset[int]], sizes: list[int]
) -> dict[str, Any]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {
        "holidays": {
            d.isoformat(): name for d in days if (name := workdates.holiday_name(d)) is not None
        },
        "earliest": [
            [[workdates.earliest_rateable(d, w, n).isoformat() for d in days] for n in sizes]
            for w in working
        ],
    }


class TestWorkDatesAgree:
    def test_the_page_and_the_server_count_the_window_alike(self, page: Page) -> None:
        """frontend/js/workdates.js redoes backend/checkins/workdates.py and holidays.py for the
        offline copy: the same holidays (Easter, Christmas, store bededag until 2023) and the same
        window start on every day of eight years, for several teams and window settings."""
        working = [
            frozenset({1, 2, 3, 4, 5}),
            frozenset({1, 2, 3, 4, 5, 6}),
            frozenset(range(1, 8)),
            frozenset({1}),
        ]
        sizes = [0, 1, 3, 5, 14]
        first, last = date(2020, 1, 1), date(2027, 12, 31)
        page.goto("/join")
        by_page = page.evaluate(
            """async ({first, last, working, sizes}) => {
                const w = await import('/js/workdates.js');
                const { addDays } = await import('/js/i18n.js');
                const days = [];
                for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
                const holidays = {};
                for (const d of days) {
                    const name = w.holidayName(d);
                    if (name) holidays[d] = name;
                }
                const earliest = working.map((team) =>
                    sizes.map((n) => days.map((d) => w.earliestRateable(d, team, n))));
                return { holidays, earliest };
            }""",
            {
                "first": first.isoformat(),
                "last": last.isoformat(),
                "working": [sorted(w) for w in working],
                "sizes": sizes,
            },
        )
        by_server = _window_by_server(first, last, working, sizes)
        assert by_page["holidays"] == by_server["holidays"]
        assert by_page["holidays"]["2023-05-05"] == "Store bededag"
        assert "2024-04-26" not in by_page["holidays"]
        assert by_page["earliest"] == by_server["earliest"]


class TestWorkingDayWindow:
    def test_on_tuesday_last_friday_is_a_chip_and_the_weekend_is_not(
        self, server: MovableServer, phone: tuple[BrowserContext, Page], session: Session
    ) -> None:
        _, page = phone
        tuesday = "2026-12-01T08:00:00+01:00"
        server.start(tuesday)
        page.clock.set_system_time(datetime.fromisoformat(tuesday))
        joined = make_member(session)
        sign_in(page, joined.token)
        expect(page.get_by_role("heading", level=1)).to_have_text("I går, mandag 30. november")
        picker = page.get_by_role("navigation", name="Vælg dag")
        chips = [link.get_attribute("data-date") for link in picker.get_by_role("link").all()]
        assert chips == ["2026-12-01", "2026-11-30", "2026-11-27", "2026-11-26"]

        picker.get_by_role("link", name="Fre. 27.").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Fredag 27. november")
        page.get_by_role("radiogroup", name="Flow", exact=True).get_by_role(
            "radio", name="Hakkende", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn).where(CheckIn.member_id == joined.member.id)).one()
        assert (checkin.work_date, checkin.flow) == (date(2026, 11, 27), 2)

        # Saturday is no chip, but "Anden dag" offers it, for the one who worked that day.
        picker.get_by_text("Anden dag").click()
        expect(picker.get_by_role("link", name="Lør. 28. (fridag)")).to_be_visible()
        expect(picker.get_by_role("link", name="Søn. 29. (fridag)")).to_be_visible()
