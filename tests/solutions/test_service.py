"""active_solutions: which solutions applied on a given work date, read from the status history."""

from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session

from backend.solutions import service
from backend.solutions.models import Solution
from backend.solutions.schemas import SolutionCreate, SolutionUpdate
from backend.teams.models import Team
from tests.factories import make_org, make_team

SetNow = Callable[[str], datetime]


def _create(
    session: Session, team: Team, title: str, perspective: str = "P", **kw: str
) -> Solution:
    assert team.id is not None
    solution = service.create_solution(
        session=session,
        team_id=team.id,
        data=SolutionCreate.model_validate({"perspective": perspective, "title": title, **kw}),
    )
    session.commit()
    return solution


def _move(session: Session, solution: Solution, status: str) -> None:
    service.update_solution(
        session=session, solution=solution, data=SolutionUpdate.model_validate({"status": status})
    )
    session.commit()


def _active(session: Session, team: Team, on: str) -> list[str]:
    assert team.id is not None
    found = service.active_solutions(
        session=session, team_id=team.id, on_date=date.fromisoformat(on)
    )
    return [s.title for s in found]


class TestActiveSolutions:
    def test_a_past_day_counts_what_was_in_trial_or_adopted_that_day(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        set_now("2026-11-16T14:00:00+01:00")  # Monday's meeting
        solution = _create(session, team, "Puslning før frokost")
        _move(session, solution, "trial")
        set_now("2026-11-18T15:00:00+01:00")
        _move(session, solution, "adopted")
        set_now("2026-11-20T10:00:00+01:00")
        _move(session, solution, "dropped")
        set_now("2026-11-26T08:00:00+01:00")

        assert _active(session, team, "2026-11-15") == []  # before it existed
        assert _active(session, team, "2026-11-16") == ["Puslning før frokost"]  # trial from 14:00
        assert _active(session, team, "2026-11-18") == ["Puslning før frokost"]
        assert _active(session, team, "2026-11-20") == ["Puslning før frokost"]  # until 10:00
        assert _active(session, team, "2026-11-21") == []
        assert _active(session, team, "2026-11-26") == []

    def test_a_proposal_is_not_active_and_a_dropped_one_can_come_back(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        set_now("2026-11-10T12:00:00+01:00")
        solution = _create(session, team, "Spørg køkkenet", perspective="X")
        _move(session, solution, "dropped")
        set_now("2026-11-23T09:00:00+01:00")
        _move(session, solution, "proposed")
        set_now("2026-11-24T09:00:00+01:00")
        _move(session, solution, "trial")
        set_now("2026-11-26T08:00:00+01:00")

        assert _active(session, team, "2026-11-10") == []
        assert _active(session, team, "2026-11-23") == []
        assert _active(session, team, "2026-11-24") == ["Spørg køkkenet"]
        assert _active(session, team, "2026-11-26") == ["Spørg køkkenet"]

    def test_the_day_is_the_organisations_local_day(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        # 23:30 in Copenhagen on the 24th is 22:30 UTC: it belongs to the 24th, not the 25th.
        set_now("2026-11-24T23:30:00+01:00")
        solution = _create(session, team, "Sent besluttet", status="trial")
        set_now("2026-11-25T23:45:00+01:00")
        _move(session, solution, "dropped")
        set_now("2026-11-26T08:00:00+01:00")
        assert _active(session, team, "2026-11-23") == []
        assert _active(session, team, "2026-11-24") == ["Sent besluttet"]
        assert _active(session, team, "2026-11-25") == ["Sent besluttet"]
        assert _active(session, team, "2026-11-26") == []

        other_zone = make_team(session, make_org(session, name="Nuuk", timezone="America/Nuuk"))
        # 00:30 on the 25th in Copenhagen is still the 24th in Nuuk (UTC-2).
        set_now("2026-11-25T00:30:00+01:00")
        _create(session, other_zone, "Grønlandsk", status="trial")
        set_now("2026-11-26T08:00:00+01:00")
        assert _active(session, other_zone, "2026-11-24") == ["Grønlandsk"]

    def test_trial_started_today_counts_for_today_but_not_yesterday(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        set_now("2026-11-26T08:00:00+01:00")
        _create(session, team, "Ny i dag", status="trial")
        assert _active(session, team, "2026-11-26") == ["Ny i dag"]
        assert _active(session, team, "2026-11-25") == []

    def test_a_solution_active_now_without_history_counts_for_today(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        set_now("2026-11-26T08:00:00+01:00")
        assert team.id is not None
        # Rows written without the service (imports, old data) still show up on Today.
        session.add(
            Solution(team_id=team.id, perspective="U", title="Uden historik", status="trial")
        )
        session.commit()
        assert _active(session, team, "2026-11-26") == ["Uden historik"]
        assert _active(session, team, "2026-11-25") == []

    def test_order_is_p_u_x_then_oldest_and_other_teams_are_left_out(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        other = make_team(session, name="Stue Rød")
        set_now("2026-11-26T08:00:00+01:00")
        _create(session, team, "X først", perspective="X", status="trial")
        _create(session, team, "U", perspective="U", status="trial")
        _create(session, team, "P ældst", perspective="P", status="trial")
        _create(session, team, "P nyest", perspective="P", status="trial")
        _create(session, team, "Kun foreslået", perspective="P")
        _create(session, other, "Andet hold", perspective="P", status="trial")
        assert _active(session, team, "2026-11-26") == ["P ældst", "P nyest", "U", "X først"]

    def test_the_day_the_clocks_go_back_has_25_hours(
        self, session: Session, set_now: SetNow
    ) -> None:
        team = make_team(session)
        # 25 October 2026: summer time ends at 03:00, so 23:30 that evening is 22:30 UTC, which a
        # 24-hour day from midnight (22:00 UTC the day before) would give to the 26th.
        set_now("2026-10-25T23:30:00+01:00")
        _create(session, team, "Sen aftale", status="trial")
        set_now("2026-11-26T08:00:00+01:00")
        assert _active(session, team, "2026-10-24") == []
        assert _active(session, team, "2026-10-25") == ["Sen aftale"]


def test_active_solution_ids_answers_many_teams_and_dates_in_one_call(
    session: Session, set_now: SetNow
) -> None:
    """The check-in writer asks for a whole batch at once: the answer per (team, date) is the
    same as asking for each alone."""
    green, red = make_team(session), make_team(session, name="Stue Rød")
    set_now("2026-11-24T09:00:00+01:00")
    rest = _create(session, green, "Hvil efter frokost", status="trial")
    kitchen = _create(session, red, "Køkkenet hjælper", perspective="X", status="trial")
    set_now("2026-11-25T09:00:00+01:00")
    _move(session, kitchen, "dropped")
    set_now("2026-11-26T08:00:00+01:00")
    late = _create(session, red, "Ny i dag", status="trial")
    assert green.id is not None and red.id is not None
    days = [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 26)]
    wanted = [(team, day) for team in (green.id, red.id) for day in days]

    found = service.active_solution_ids(session=session, team_days=wanted)

    assert found == {
        (green.id, days[0]): set(),
        (green.id, days[1]): {rest.id},
        (green.id, days[2]): {rest.id},
        (red.id, days[0]): set(),
        (red.id, days[1]): {kitchen.id},  # dropped at 09:00, so it applied that morning
        (red.id, days[2]): {late.id},
    }
    for (team_id, day), ids in found.items():
        alone = service.active_solutions(session=session, team_id=team_id, on_date=day)
        assert {s.id for s in alone} == ids
