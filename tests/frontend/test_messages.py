"""Messages that do not outstay their welcome (issue 10 item 5): one message area per screen, in
the page's flow (it never lies over a control), emptied on navigation and between the steps of the
guided flow, announced through a live region; the offline notice goes once the connection is back
and what waited has been sent."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from tests.factories import PASSWORD, make_coordinator, make_member, make_org, make_team
from tests.frontend.conftest import make_active_solution, sign_in, wait_for_service_worker

pytestmark = pytest.mark.browser


def _overlap(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    assert a is not None and b is not None
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


class TestMessageArea:
    def test_a_wrong_password_is_forgotten_after_a_correct_login(
        self, page: Page, session: Session
    ) -> None:
        coordinator = make_coordinator(session, make_org(session))
        page.goto("/coordinator")
        page.get_by_label("E-mail").fill(coordinator.coordinator.email)
        page.get_by_label("Adgangskode").fill("forkert")
        page.get_by_role("button", name="Log ind").click()
        status = page.get_by_role("status")
        expect(status).to_have_text("E-mail eller adgangskode passer ikke.")
        # An error is said at once (assertive), not when the reader pauses.
        expect(status).to_have_attribute("aria-live", "assertive")

        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
        expect(status).to_have_text("")
        expect(status).to_be_hidden()

    def test_the_guided_flow_leaves_a_steps_message_on_that_step(
        self, page: Page, session: Session
    ) -> None:
        sign_in(page, make_member(session).token, "/solutions/new")
        page.get_by_label("Situationen med få ord").fill("Frokost")
        page.get_by_role("button", name="Næste").click()
        page.get_by_label("Ny idé").fill("Bleskift før frokost")
        page.get_by_role("button", name="Tilføj idé").click()
        expect(page.get_by_role("status")).to_have_text("Idéen er tilføjet: Bleskift før frokost")

        page.get_by_role("button", name="Næste").click()
        expect(page.get_by_role("heading", level=2)).to_contain_text("Udnytte ressourcer")
        expect(page.get_by_role("status")).to_have_text("")
        page.get_by_role("button", name="Næste").click()
        page.get_by_role("button", name="Næste").click()
        page.get_by_role("button", name="Gem og kom i gang").click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Godt gået!")
        expect(page.get_by_text("I går nu i gang med at afprøve én idé.")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("")

    @pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 360, "height": 640}])
    def test_the_message_never_covers_send(
        self, page: Page, session: Session, size: dict[str, int]
    ) -> None:
        page.set_viewport_size(size)
        team = make_team(session)
        for title in ("Garderoben i to hold", "Fast plads ved bordet", "Pause på skift"):
            make_active_solution(session, team, title)
        sign_in(page, make_member(session, team).token)
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        send = page.get_by_role("button", name="Send")
        send.scroll_into_view_if_needed()
        send.click()
        status = page.get_by_role("status")
        expect(status).to_have_text("Tak — gemt")
        assert not _overlap(status.bounding_box(), send.bounding_box())
        # Both are in sight: the message where it is read, the button where it was tapped.
        for box in (status.bounding_box(), send.bounding_box()):
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]
        # A second send is announced again (the same words are said twice): the area empties and
        # fills anew. Wait for that, not for the text, which the first message still shows.
        page.evaluate(
            """() => { const area = document.getElementById('status');
              window.reannounced = new Promise((resolve) => { let emptied = false;
                new MutationObserver(() => { emptied ||= area.textContent === '';
                  if (emptied && area.textContent !== '') resolve(true); })
                  .observe(area, { childList: true, characterData: true, subtree: true }); }); }"""
        )
        send.click()
        assert page.evaluate("window.reannounced")
        expect(status).to_have_text("Tak — gemt")
        assert not _overlap(status.bounding_box(), send.bounding_box())

    def test_the_message_of_one_screen_does_not_follow_to_the_next(
        self, page: Page, session: Session
    ) -> None:
        sign_in(page, make_member(session).token, "/me")
        page.get_by_role("button", name="Gem navnet").click()
        expect(page.get_by_role("status")).not_to_have_text("")
        page.get_by_role("link", name="Løsninger").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Løsninger")
        expect(page.get_by_role("status")).to_have_text("")


class TestOfflineNotice:
    def test_the_offline_notice_goes_once_back_online_and_sent(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        make_active_solution(session, team, "Puslning før frokost")
        sign_in(page, make_member(session, team).token, "/solutions")
        expect(page.get_by_role("heading", level=2, name="Uden situation")).to_be_visible()
        wait_for_service_worker(page)

        context.set_offline(True)
        page.get_by_role("link", name="Opfølgning", exact=True).click()
        notice = page.get_by_text("Du er offline. Opfølgningen gemmes")
        expect(notice).to_be_visible()
        page.get_by_role("radio", name="Fasthold").click()
        page.get_by_role("button", name="Gem opfølgningen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Løsninger")
        solutions_notice = page.get_by_text("Du er offline. Du ser den seneste kopi")
        expect(solutions_notice).to_be_visible()
        expect(page.get_by_role("button", name="Fasthold")).to_be_disabled()

        context.set_offline(False)
        expect(page.get_by_role("status")).to_have_text(
            "Opfølgningen på Puslning før frokost er nu sendt."
        )
        expect(solutions_notice).to_be_hidden()
        # The board is the server's again, and can be changed.
        expect(page.get_by_role("link", name="Ny løsning")).to_be_visible()

    def test_todays_offline_notice_goes_once_the_answer_is_sent(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        from tests.frontend.test_offline import _wait_for_offline_copy

        sign_in(page, make_member(session).token)
        _wait_for_offline_copy(page)
        context.set_offline(True)
        page.reload()
        notice = page.get_by_text("Du er offline. Dit svar bliver gemt på telefonen")
        expect(notice).to_be_visible()
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text(
            "Du er offline — sendes, når du er online igen"
        )

        context.set_offline(False)
        expect(page.get_by_role("status")).to_contain_text("er nu sendt")
        expect(notice).to_be_hidden()
