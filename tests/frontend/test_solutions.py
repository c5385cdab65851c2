"""Solutions in the app: the guided "Ny løsning" flow at a team meeting, the solution on Today,
its use marked in a check-in, and the follow-up meeting's evaluation — online and offline."""

import re
import time
from datetime import date

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from backend.checkins.models import CheckIn, CheckInSolution
from backend.solutions.models import Evaluation, Situation, Solution
from tests.factories import make_member, make_team
from tests.frontend.conftest import make_active_solution, run_axe, sign_in, wait_for_service_worker

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 26)


def _solutions(session: Session) -> dict[str, Solution]:
    session.expire_all()
    return {s.title: s for s in session.exec(select(Solution)).all()}


def _wait_for(session: Session, model: type[Evaluation]) -> Evaluation:
    deadline = time.monotonic() + 10
    while True:
        session.expire_all()
        row = session.exec(select(model)).first()
        if row is not None:
            return row
        assert time.monotonic() < deadline, "the follow-up never reached the server"
        time.sleep(0.1)


def _no_serious_violations(page: Page) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        violations = run_axe(page)
        assert violations == [], f"{scheme}: {violations}"
    page.emulate_media(color_scheme="light")


class TestGuidedFlowToFollowUp:
    def test_from_situation_to_today_to_follow_up(self, page: Page, session: Session) -> None:
        joined = make_member(session)
        sign_in(page, joined.token, "/solutions")
        expect(page.get_by_role("heading", level=1, name="Løsninger")).to_be_visible()
        _no_serious_violations(page)

        # The guided flow: the situation, one step per perspective, the choice, the review date.
        page.get_by_role("link", name="Ny løsning").click()
        expect(page.get_by_role("heading", level=2)).to_have_text(
            "Hvilken situation vil I tage fat på?"
        )
        page.get_by_label("Situationen med få ord").fill("Frokost og puslesituationen")
        page.get_by_label("Hvornår (frivilligt)").fill("11–12")
        _no_serious_violations(page)
        page.get_by_role("button", name="Næste").click()

        expect(page.get_by_role("heading", level=2, name="P – Prioritere opgaver")).to_be_visible()
        expect(page.get_by_text("Kan vi undlade hele/dele af opgaven?")).to_be_visible()
        expect(
            page.get_by_text("Kan hele/dele af opgaven flyttes til et bedre tidspunkt?")
        ).to_be_visible()
        page.get_by_label("Ny idé").fill("Puslning før frokost")
        page.get_by_role("button", name="Tilføj idé").click()
        expect(page.get_by_role("list", name=re.compile("Idéer til P"))).to_contain_text(
            "Puslning før frokost"
        )
        _no_serious_violations(page)
        page.get_by_role("button", name="Næste").click()

        expect(page.get_by_role("heading", level=2, name="U – Udnytte ressourcer")).to_be_visible()
        expect(page.get_by_text("Passer vi på kroppen, når vi løser opgaven?")).to_be_visible()
        page.get_by_label("Ny idé").fill("To voksne ved puslebordet")
        page.get_by_label("Ny idé").press("Enter")
        page.get_by_role("button", name="Næste").click()

        expect(page.get_by_role("heading", level=2, name="X – eXterne ressourcer")).to_be_visible()
        expect(
            page.get_by_text("Kan vi bruge hjælpemidler eller andet, der letter opgaven?")
        ).to_be_visible()
        page.get_by_role("button", name="Næste").click()

        expect(page.get_by_role("heading", level=2)).to_have_text("Hvad vil I afprøve?")
        page.get_by_role("checkbox", name="To voksne ved puslebordet").uncheck()
        expect(page.get_by_label("Hvornår følger I op?")).to_have_value("2026-12-10")
        _no_serious_violations(page)
        page.get_by_role("button", name="Gem og kom i gang").click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Godt gået!")

        situation = session.exec(select(Situation)).one()
        assert (situation.title, situation.when, situation.team_id) == (
            "Frokost og puslesituationen",
            "11–12",
            joined.member.team_id,
        )
        stored = _solutions(session)
        tried, kept = stored["Puslning før frokost"], stored["To voksne ved puslebordet"]
        assert (tried.perspective, tried.status, tried.review_date) == (
            "P",
            "trial",
            date(2026, 12, 10),
        )
        assert (kept.perspective, kept.status, kept.review_date) == ("U", "proposed", None)
        assert tried.situation_id == kept.situation_id == situation.id

        # Today: the new solution is a reminder for today (it was agreed today), marked used.
        page.get_by_role("link", name="Til Tjek ind").click()
        page.get_by_role("link", name="I dag").click()
        mark = page.get_by_role("radiogroup", name=re.compile("Puslning før frokost"))
        expect(mark).to_be_visible()
        expect(mark.get_by_role("radio", checked=True)).to_have_count(0)  # starts unanswered
        mark.get_by_role("radio", name="Ja").click()
        page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
            "radio", name="Roligt", exact=True
        ).click()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_have_text("Tak — gemt")
        checkin = session.exec(select(CheckIn)).one()
        assert checkin.work_date == TODAY
        used = session.exec(select(CheckInSolution)).one()
        assert (used.solution_id, used.used) == (tried.id, "yes")

        # The follow-up meeting: effects, no negative consequences, keep → adopted.
        page.get_by_role("link", name="Løsninger").click()
        expect(page.get_by_text("Afprøves", exact=True)).to_be_visible()
        page.get_by_role("link", name="Opfølgning", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Puslning før frokost")
        _no_serious_violations(page)
        for effect in ("Ro i situationen", "Flow i situationen"):
            page.get_by_role("radiogroup", name=effect).get_by_role("radio", name="Mere").click()
        page.get_by_role("radiogroup", name="Mulighed for at tage én ting ad gangen").get_by_role(
            "radio", name="Som før"
        ).click()
        page.get_by_label("Negative følger").fill("  Ingen  ")
        page.get_by_role("radio", name="Fasthold").click()
        page.get_by_role("button", name="Gem opfølgningen").click()
        expect(page.get_by_role("status")).to_have_text("Opfølgningen er gemt.")
        expect(page.get_by_role("heading", level=1, name="Løsninger")).to_be_visible()
        expect(page.get_by_text("Fastholdt", exact=True)).to_be_visible()

        evaluation = session.exec(select(Evaluation)).one()
        assert (
            evaluation.solution_id,
            evaluation.more_calm,
            evaluation.better_flow,
            evaluation.could_relax,
            evaluation.not_all_at_once,
            evaluation.negative_consequences,
            evaluation.decision,
            evaluation.meeting_date,
        ) == (tried.id, "more", "more", None, "same", "Ingen", "keep", TODAY)
        assert _solutions(session)["Puslning før frokost"].status == "adopted"

    def test_a_draft_survives_a_reload_in_the_middle_of_the_meeting(
        self, page: Page, session: Session
    ) -> None:
        sign_in(page, make_member(session).token, "/solutions/new")
        page.get_by_label("Situationen med få ord").fill("Afhentning")
        page.get_by_role("button", name="Næste").click()
        page.get_by_label("Ny idé").fill("Forældre venter i garderoben")
        page.get_by_role("button", name="Tilføj idé").click()
        page.reload()
        expect(page.get_by_role("heading", level=2, name="P – Prioritere opgaver")).to_be_visible()
        expect(page.get_by_text("Forældre venter i garderoben")).to_be_visible()
        assert _solutions(session) == {}

    def test_an_open_situation_can_be_picked_instead_of_described(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        assert team.id is not None
        for title, status in (("Afhentning", "open"), ("Garderoben", "parked")):
            session.add(Situation(team_id=team.id, title=title, when="15–16", status=status))
        session.commit()
        sign_in(page, make_member(session, team).token, "/solutions/new")
        choices = page.get_by_role("group", name="Vælg situation")
        expect(choices.get_by_role("radio")).to_have_count(2)  # the open one, or a new one
        choices.get_by_role("radio", name="Afhentning (15–16)").check()
        expect(page.get_by_label("Situationen med få ord")).to_be_hidden()
        page.get_by_role("button", name="Næste").click()
        expect(page.get_by_text("Situation: Afhentning")).to_be_visible()
        for _ in range(2):
            page.get_by_role("button", name="Næste").click()
        page.get_by_label("Ny idé").fill("Børnene henter selv deres tøj")
        page.get_by_role("button", name="Næste").click()  # a typed idea is kept, not lost
        expect(page.get_by_role("checkbox", name="Børnene henter selv deres tøj")).to_be_checked()
        page.get_by_role("button", name="Gem og kom i gang").click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Godt gået!")

        session.expire_all()
        assert len(session.exec(select(Situation)).all()) == 2  # no new situation
        solution = _solutions(session)["Børnene henter selv deres tøj"]
        afhentning = session.exec(select(Situation).where(Situation.title == "Afhentning")).one()
        assert (solution.perspective, solution.status, solution.situation_id) == (
            "X",
            "trial",
            afhentning.id,
        )

    def test_user_text_is_shown_as_text(self, page: Page, session: Session) -> None:
        team = make_team(session)
        make_active_solution(session, team, "<img src=x onerror=alert(1)> Rolig start")
        sign_in(page, make_member(session, team).token, "/solutions")
        expect(page.get_by_text("<img src=x onerror=alert(1)> Rolig start")).to_be_visible()
        assert page.locator("main img").count() == 0


class TestSolutionsScreen:
    def test_status_changes_follow_the_allowed_transitions(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        solution = make_active_solution(session, team, "Sang ved puslebordet", perspective="U")
        solution.review_date = date(2026, 11, 20)
        session.add(solution)
        session.commit()
        sign_in(page, make_member(session, team).token, "/solutions")
        # The agreed follow-up date has come: the screen says so.
        expect(page.get_by_text("Tid til opfølgning (aftalt fredag 20. november)")).to_be_visible()
        actions = page.get_by_role("group", name="Status for Sang ved puslebordet")
        expect(actions.get_by_role("button")).to_have_text(
            ["Fasthold", "Tilbage til forslag", "Drop"]
        )
        # Dropping takes the solution off every member's Tjek ind: the screen asks first.
        actions.get_by_role("button", name="Drop").click()
        dialog = page.get_by_role("dialog", name="Vil I droppe »Sang ved puslebordet«?")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Fortryd").click()
        expect(dialog).to_be_hidden()
        expect(actions.get_by_role("button", name="Drop")).to_be_focused()
        assert _solutions(session)["Sang ved puslebordet"].status == "trial"
        actions.get_by_role("button", name="Drop").click()
        page.get_by_role("button", name="Ja, drop den").click()
        expect(page.get_by_role("status")).to_have_text("Sang ved puslebordet: Droppet")
        expect(actions.get_by_role("button")).to_have_text(["Foreslå igen"])
        expect(page.get_by_text("Tid til opfølgning")).to_have_count(0)
        assert _solutions(session)["Sang ved puslebordet"].status == "dropped"
        page.locator("summary", has_text="Redigér løsningen").click()
        page.locator("summary", has_text="Tilføj en situation").click()
        _no_serious_violations(page)

    def test_edit_a_solution_and_link_it_to_a_new_situation(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        solution = make_active_solution(session, team, "Sang ved puslebordet", perspective="U")
        sign_in(page, make_member(session, team).token, "/solutions")
        page.locator("summary", has_text="Tilføj en situation").click()
        page.get_by_label("Situationen med få ord").fill("Puslerummet")
        page.get_by_label("Hvornår (frivilligt)").fill("9–10")
        page.get_by_role("button", name="Tilføj en situation").click()
        expect(page.get_by_role("heading", level=2, name="Puslerummet")).to_be_focused()

        card = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="Sang ved puslebordet")
        )
        card.locator("summary", has_text="Redigér løsningen").click()
        card.get_by_label("Titel").fill("Sang og rim ved puslebordet")
        card.get_by_label("Situation", exact=True).select_option(label="Puslerummet")
        card.get_by_label("Perspektiv").select_option("X")
        card.get_by_role("button", name="Gem").click()
        expect(page.get_by_role("status")).to_have_text("Gemt.")
        section = page.get_by_role("region", name="Puslerummet")
        expect(section.get_by_role("heading", level=3)).to_have_text(re.compile("eXterne"))
        expect(section.get_by_role("heading", level=4)).to_have_text("Sang og rim ved puslebordet")

        session.expire_all()
        stored = session.get(Solution, solution.id)
        situation = session.exec(select(Situation)).one()
        assert stored is not None
        assert (stored.title, stored.perspective, stored.situation_id, stored.status) == (
            "Sang og rim ved puslebordet",
            "X",
            situation.id,
            "trial",
        )

    def test_follow_up_list_keeps_badge_title_and_back_link_apart(
        self, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        make_active_solution(session, team, "Sang ved puslebordet", perspective="U")
        sign_in(page, make_member(session, team).token, "/followup")
        link = page.get_by_role("link", name="Sang ved puslebordet")
        expect(link).to_be_visible()

        gap = link.evaluate(
            """a => {
                const title = [...a.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
                const range = document.createRange();
                range.selectNodeContents(title);
                const badge = a.querySelector('.badge').getBoundingClientRect();
                return range.getBoundingClientRect().left - badge.right;
            }"""
        )
        assert gap >= 6, f"the U badge touches the title ({gap:.1f} px apart)"
        list_box = page.locator("ul.followups").bounding_box()
        back_box = page.get_by_role("link", name="Tilbage til løsningerne").bounding_box()
        assert list_box is not None and back_box is not None
        assert back_box["y"] - (list_box["y"] + list_box["height"]) >= 12


class TestInEnglish:
    def test_the_guided_flow_asks_the_questions_in_english(
        self, page: Page, session: Session
    ) -> None:
        sign_in(page, make_member(session).token, "/me")
        page.get_by_role("radio", name="English", exact=True).click()
        page.get_by_role("link", name="Solutions").click()
        page.get_by_role("link", name="New solution").click()
        page.get_by_label("The situation in a few words").fill("Pick-up time")
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", level=2, name="P – Prioritise tasks")).to_be_visible()
        expect(page.get_by_text("Could we leave out all or part of the task?")).to_be_visible()
        _no_serious_violations(page)
        page.get_by_role("button", name="Next").click()
        expect(
            page.get_by_text("Are we looking after our bodies when we do the task?")
        ).to_be_visible()


class TestOfflineFollowUp:
    def test_follow_up_recorded_offline_is_sent_once_when_back_online(
        self, context: BrowserContext, page: Page, session: Session
    ) -> None:
        team = make_team(session)
        solution = make_active_solution(session, team, "Puslning før frokost")
        sign_in(page, make_member(session, team).token, "/solutions")
        expect(page.get_by_role("heading", level=2, name="Uden situation")).to_be_visible()
        wait_for_service_worker(page)

        context.set_offline(True)
        page.get_by_role("link", name="Opfølgning", exact=True).click()
        expect(page.get_by_text("Du er offline. Opfølgningen gemmes")).to_be_visible()
        page.get_by_role("radiogroup", name="Ro i situationen").get_by_role(
            "radio", name="Mere"
        ).click()
        page.get_by_role("radio", name="Justér").click()
        page.get_by_label("Titel").fill("Puslning kl. 11.15")
        page.get_by_role("button", name="Gem opfølgningen").click()
        expect(page.get_by_role("status")).to_have_text(
            "Du er offline — opfølgningen sendes, når du er online igen."
        )
        expect(page.locator("#outbox")).to_contain_text("Opfølgning på Puslning før frokost")
        session.expire_all()
        assert session.exec(select(Evaluation)).all() == []

        context.set_offline(False)
        evaluation = _wait_for(session, Evaluation)
        assert (evaluation.solution_id, evaluation.decision, evaluation.more_calm) == (
            solution.id,
            "adjust",
            "more",
        )
        expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()  # nothing waits
        stored = _solutions(session)
        assert list(stored) == ["Puslning kl. 11.15"]
        assert stored["Puslning kl. 11.15"].status == "trial"
        session.expire_all()
        assert len(session.exec(select(Evaluation)).all()) == 1
