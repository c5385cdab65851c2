"""Situations, solutions (with status history) and follow-up evaluations through the API."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from backend.solutions.models import Evaluation, Situation, Solution, SolutionStatusChange
from backend.solutions.service import TRANSITIONS
from tests.solutions.conftest import World

API = "/api/v1"
STATUSES = ("proposed", "trial", "adopted", "dropped")


def _situation(client: TestClient, world: World, **fields: Any) -> dict[str, Any]:
    body = {"title": "Frokost og puslesituationen", "when": "11–12", **fields}
    response = client.post(
        f"{API}/teams/{world.team_id}/situations", json=body, headers=world.member.headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _solution(client: TestClient, world: World, **fields: Any) -> dict[str, Any]:
    body = {"perspective": "P", "title": "Puslning før frokost", **fields}
    response = client.post(
        f"{API}/teams/{world.team_id}/solutions", json=body, headers=world.member.headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _history(session: Session, solution_id: int) -> list[tuple[str | None, str]]:
    rows = session.exec(
        select(SolutionStatusChange)
        .where(SolutionStatusChange.solution_id == solution_id)
        .order_by(col(SolutionStatusChange.id))
    ).all()
    return [(r.from_status, r.to_status) for r in rows]


def _bring_to(client: TestClient, world: World, status: str) -> dict[str, Any]:
    """A solution in `status`, reached through legal steps."""
    path = {
        "proposed": [],
        "trial": ["trial"],
        "adopted": ["trial", "adopted"],
        "dropped": ["dropped"],
    }[status]
    solution = _solution(client, world)
    for step in path:
        response = client.patch(
            f"{API}/solutions/{solution['id']}", json={"status": step}, headers=world.member.headers
        )
        assert response.status_code == 200, response.text
        solution = response.json()
    return solution


def _count(session: Session, model: type[Any]) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


class TestSituations:
    def test_member_creates_and_lists_situations(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        created = _situation(client, world, description="  Alle skal puttes  ")
        assert created["status"] == "open"
        assert created["description"] == "Alle skal puttes"  # trimmed
        response = client.get(
            f"{API}/teams/{world.team_id}/situations", headers=world.member.headers
        )
        assert response.status_code == 200
        assert [s["title"] for s in response.json()] == ["Frokost og puslesituationen"]
        stored = session.exec(select(Situation)).one()
        assert (stored.team_id, stored.when) == (world.team_id, "11–12")

    def test_coordinator_of_the_org_creates_a_situation(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        response = client.post(
            f"{API}/teams/{world.team_id}/situations",
            json={"title": "Afhentning", "when": "15–16"},
            headers=world.coordinator.headers,
        )
        assert response.status_code == 201
        assert session.exec(select(Situation.title)).all() == ["Afhentning"]

    def test_list_shows_only_the_teams_own_situations(
        self, client: TestClient, world: World
    ) -> None:
        _situation(client, world)
        response = client.post(
            f"{API}/teams/{world.other_team.id}/situations",
            json={"title": "Garderoben"},
            headers=world.other_member.headers,
        )
        assert response.status_code == 201
        response = client.get(
            f"{API}/teams/{world.team_id}/situations", headers=world.coordinator.headers
        )
        assert [s["title"] for s in response.json()] == ["Frokost og puslesituationen"]

    def test_patch_changes_only_the_given_fields(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        created = _situation(client, world, description="Mange børn")
        response = client.patch(
            f"{API}/situations/{created['id']}",
            json={"status": "handled"},
            headers=world.member.headers,
        )
        assert response.status_code == 200
        assert response.json()["status"] == "handled"
        stored = session.exec(select(Situation)).one()
        assert (stored.status, stored.description, stored.when) == (
            "handled",
            "Mange børn",
            "11–12",
        )

    def test_markup_is_stored_and_returned_as_text(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        created = _situation(client, world, title="<img src=x onerror=alert(1)>")
        assert created["title"] == "<img src=x onerror=alert(1)>"
        assert session.exec(select(Situation.title)).one() == "<img src=x onerror=alert(1)>"

    def test_line_breaks_in_a_title_become_one_space(
        self, client: TestClient, world: World
    ) -> None:
        assert _situation(client, world, title=" Frokost\n  og  puslning ")["title"] == (
            "Frokost og puslning"
        )

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": ""}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "x" * 121}, "title"),
            ({"title": "ok", "when": "x" * 61}, "when"),
            ({"title": "ok", "description": "x" * 2001}, "description"),
            ({"title": "ok", "status": "closed"}, "status"),
            ({"title": "ok\x00"}, "title"),
            ({"title": "ok", "colour": "red"}, "colour"),
            ({}, "title"),
        ],
    )
    def test_bad_input_is_422_and_nothing_is_stored(
        self, client: TestClient, session: Session, world: World, body: dict[str, Any], field: str
    ) -> None:
        response = client.post(
            f"{API}/teams/{world.team_id}/situations", json=body, headers=world.member.headers
        )
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert field in response.json()["detail"]
        assert _count(session, Situation) == 0

    def test_limits_count_after_trimming(self, client: TestClient, world: World) -> None:
        assert len(_situation(client, world, title="  " + "x" * 120 + "  ")["title"]) == 120

    @pytest.mark.parametrize(
        "body", [{"title": None}, {"title": ""}, {"status": "done"}, {"when": None}]
    )
    def test_bad_patch_is_422_and_changes_nothing(
        self, client: TestClient, session: Session, world: World, body: dict[str, Any]
    ) -> None:
        created = _situation(client, world)
        response = client.patch(
            f"{API}/situations/{created['id']}", json=body, headers=world.member.headers
        )
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        session.expire_all()
        stored = session.exec(select(Situation)).one()
        assert (stored.title, stored.when, stored.status) == (
            "Frokost og puslesituationen",
            "11–12",
            "open",
        )


class TestSolutions:
    def test_creation_is_the_first_status_change(
        self, client: TestClient, session: Session, world: World, set_now: Callable[[str], datetime]
    ) -> None:
        at = set_now("2026-11-26T14:05:00+01:00")
        situation = _situation(client, world)
        created = _solution(
            client,
            world,
            situation_id=situation["id"],
            details=" Før maden ",
            review_date="2026-12-10",
        )
        assert created["status"] == "proposed"
        assert created["details"] == "Før maden"
        assert created["review_date"] == "2026-12-10"
        assert created["history"] == [
            {"from_status": None, "to_status": "proposed", "changed_at": "2026-11-26T13:05:00Z"}
        ]
        change = session.exec(select(SolutionStatusChange)).one()
        assert change.changed_at == at
        assert _history(session, created["id"]) == [(None, "proposed")]

    def test_a_chosen_idea_can_be_created_straight_into_trial(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        created = _solution(client, world, status="trial")
        assert created["status"] == "trial"
        assert _history(session, created["id"]) == [(None, "trial")]

    @pytest.mark.parametrize("status", ["adopted", "dropped", "maybe"])
    def test_creation_cannot_skip_the_trial(
        self, client: TestClient, session: Session, world: World, status: str
    ) -> None:
        response = client.post(
            f"{API}/teams/{world.team_id}/solutions",
            json={"perspective": "U", "title": "Ny idé", "status": status},
            headers=world.member.headers,
        )
        assert response.status_code == 422
        assert _count(session, Solution) == 0

    def test_situation_id_outside_the_integer_range_is_422(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        response = client.post(
            f"{API}/teams/{world.team_id}/solutions",
            json={"perspective": "X", "title": "Spørg køkkenet", "situation_id": 2**31},
            headers=world.member.headers,
        )
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert _count(session, Solution) == 0

    def test_situation_of_another_team_is_refused(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        foreign = client.post(
            f"{API}/teams/{world.other_team.id}/situations",
            json={"title": "Garderoben"},
            headers=world.other_member.headers,
        ).json()
        for situation_id in (foreign["id"], 999999):
            response = client.post(
                f"{API}/teams/{world.team_id}/solutions",
                json={"perspective": "X", "title": "Spørg køkkenet", "situation_id": situation_id},
                headers=world.member.headers,
            )
            assert response.status_code == 422
            assert response.json()["error"] == "SituationNotInTeam"
        assert _count(session, Solution) == 0

    def test_list_is_ordered_p_u_x_then_oldest_and_filters_by_status(
        self, client: TestClient, world: World
    ) -> None:
        x = _solution(client, world, perspective="X", title="X1", status="trial")
        p2 = _solution(client, world, perspective="P", title="P2")
        u = _solution(client, world, perspective="U", title="U1", status="trial")
        p1 = _solution(client, world, perspective="P", title="P3", status="trial")
        _bring_to(client, world, "dropped")
        url = f"{API}/teams/{world.team_id}/solutions"
        all_ = client.get(url, headers=world.member.headers).json()
        assert [s["title"] for s in all_] == ["P2", "P3", "Puslning før frokost", "U1", "X1"]
        assert [s["id"] for s in all_ if s["status"] != "dropped"] == [
            p2["id"],
            p1["id"],
            u["id"],
            x["id"],
        ]
        active = client.get(
            url, params=[("status", "trial"), ("status", "adopted")], headers=world.member.headers
        ).json()
        assert [s["id"] for s in active] == [p1["id"], u["id"], x["id"]]
        assert (
            client.get(url, params={"status": "nonsense"}, headers=world.member.headers).status_code
            == 422
        )

    def test_patch_edits_text_perspective_situation_and_review_date(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        situation = _situation(client, world)
        created = _solution(client, world)
        response = client.patch(
            f"{API}/solutions/{created['id']}",
            json={
                "perspective": "U",
                "title": "To voksne ved puslebordet",
                "details": "En ekstra hånd 11.30",
                "situation_id": situation["id"],
                "review_date": "2026-12-17",
            },
            headers=world.coordinator.headers,
        )
        assert response.status_code == 200
        stored = session.exec(select(Solution)).one()
        assert (stored.perspective, stored.title, stored.details, stored.situation_id) == (
            "U",
            "To voksne ved puslebordet",
            "En ekstra hånd 11.30",
            situation["id"],
        )
        assert str(stored.review_date) == "2026-12-17"
        # Not a status change, so the history is untouched.
        assert _history(session, created["id"]) == [(None, "proposed")]
        response = client.patch(
            f"{API}/solutions/{created['id']}",
            json={"situation_id": None, "review_date": None},
            headers=world.member.headers,
        )
        assert response.status_code == 200
        session.expire_all()
        stored = session.exec(select(Solution)).one()
        assert (stored.situation_id, stored.review_date) == (None, None)

    @pytest.mark.parametrize(
        ("start", "target"),
        [(a, b) for a in STATUSES for b in STATUSES if a != b],
    )
    def test_every_transition(
        self,
        client: TestClient,
        session: Session,
        world: World,
        set_now: Callable[[str], datetime],
        start: str,
        target: str,
    ) -> None:
        set_now("2026-11-20T09:00:00+01:00")
        solution = _bring_to(client, world, start)
        before = _history(session, solution["id"])
        at = set_now("2026-11-26T10:30:00+01:00")
        response = client.patch(
            f"{API}/solutions/{solution['id']}",
            json={"status": target},
            headers=world.member.headers,
        )
        session.expire_all()
        stored = session.get(Solution, solution["id"])
        assert stored is not None
        if target in TRANSITIONS[start]:
            assert response.status_code == 200
            assert response.json()["status"] == target
            assert response.json()["history"][-1]["to_status"] == target
            assert stored.status == target
            assert _history(session, solution["id"]) == [*before, (start, target)]
            last = session.exec(
                select(SolutionStatusChange).order_by(col(SolutionStatusChange.id).desc())
            ).first()
            assert last is not None and last.changed_at == at
        else:
            assert response.status_code == 422
            assert response.json()["error"] == "InvalidStatusTransition"
            assert stored.status == start
            assert _history(session, solution["id"]) == before

    def test_the_allowed_transitions_are_the_documented_ones(self) -> None:
        allowed = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
        assert allowed == {
            ("proposed", "trial"),
            ("proposed", "dropped"),
            ("trial", "adopted"),
            ("trial", "dropped"),
            ("trial", "proposed"),
            ("adopted", "dropped"),
            ("dropped", "proposed"),
        }

    def test_setting_the_same_status_records_nothing(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _bring_to(client, world, "trial")
        response = client.patch(
            f"{API}/solutions/{solution['id']}",
            json={"status": "trial"},
            headers=world.member.headers,
        )
        assert response.status_code == 200
        assert _history(session, solution["id"]) == [(None, "proposed"), ("proposed", "trial")]

    def test_an_illegal_transition_leaves_other_edits_undone(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _solution(client, world)
        response = client.patch(
            f"{API}/solutions/{solution['id']}",
            json={"title": "Nyt navn", "status": "adopted"},
            headers=world.member.headers,
        )
        assert response.status_code == 422
        session.expire_all()
        assert session.exec(select(Solution.title)).one() == "Puslning før frokost"

    @pytest.mark.parametrize(
        "body",
        [
            {"perspective": "Q"},
            {"perspective": None},
            {"title": "x" * 121},
            {"title": " "},
            {"details": "x" * 2001},
            {"status": None},
            {"review_date": "next week"},
            # 17 December to a lenient parser: a Unix timestamp (string and number), a datetime.
            {"review_date": "1797465600"},
            {"review_date": 1797465600},
            {"review_date": "2026-12-17T00:00:00Z"},
            {"team_id": 2},
        ],
    )
    def test_bad_patch_is_422_and_changes_nothing(
        self, client: TestClient, session: Session, world: World, body: dict[str, Any]
    ) -> None:
        solution = _solution(client, world)
        response = client.patch(
            f"{API}/solutions/{solution['id']}", json=body, headers=world.member.headers
        )
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        session.expire_all()
        stored = session.exec(select(Solution)).one()
        assert (stored.perspective, stored.title, stored.status, stored.team_id) == (
            "P",
            "Puslning før frokost",
            "proposed",
            world.team_id,
        )

    def test_patch_to_another_teams_situation_is_refused(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        foreign = client.post(
            f"{API}/teams/{world.other_team.id}/situations",
            json={"title": "Garderoben"},
            headers=world.other_member.headers,
        ).json()
        solution = _solution(client, world)
        response = client.patch(
            f"{API}/solutions/{solution['id']}",
            json={"situation_id": foreign["id"]},
            headers=world.member.headers,
        )
        assert response.status_code == 422
        assert response.json()["error"] == "SituationNotInTeam"
        session.expire_all()
        assert session.exec(select(Solution.situation_id)).one() is None


def _evaluate(client: TestClient, world: World, solution_id: int, **fields: Any) -> Any:
    body = {"decision": "keep", "meeting_date": "2026-11-26", **fields}
    return client.post(
        f"{API}/solutions/{solution_id}/evaluations", json=body, headers=world.member.headers
    )


class TestEvaluations:
    @pytest.fixture(autouse=True)
    def _today(self, set_now: Callable[[str], datetime]) -> None:
        set_now("2026-11-26T13:00:00+01:00")

    def test_keep_adopts_the_solution_and_stores_the_effects(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _bring_to(client, world, "trial")
        response = _evaluate(
            client,
            world,
            solution["id"],
            more_calm="more",
            better_flow="more",
            could_relax="same",
            not_all_at_once="more",
            negative_consequences="  Ingen  ",
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["decision"], body["negative_consequences"], body["more_calm"]) == (
            "keep",
            "Ingen",
            "more",
        )
        stored = session.exec(select(Evaluation)).one()
        assert (stored.better_flow, stored.could_relax, stored.not_all_at_once) == (
            "more",
            "same",
            "more",
        )
        assert str(stored.meeting_date) == "2026-11-26"
        session.expire_all()
        assert session.get(Solution, solution["id"]).status == "adopted"  # type: ignore[union-attr]
        assert _history(session, solution["id"])[-1] == ("trial", "adopted")

    def test_drop_drops_the_solution(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _bring_to(client, world, "adopted")
        response = _evaluate(
            client, world, solution["id"], decision="drop", negative_consequences="Mere uro"
        )
        assert response.status_code == 201
        session.expire_all()
        assert session.get(Solution, solution["id"]).status == "dropped"  # type: ignore[union-attr]
        assert _history(session, solution["id"])[-1] == ("adopted", "dropped")

    def test_adjust_keeps_the_trial_with_the_edited_text(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _bring_to(client, world, "trial")
        before = _history(session, solution["id"])
        response = _evaluate(
            client,
            world,
            solution["id"],
            decision="adjust",
            title=" Puslning kl. 11.15 ",
            details="Før maden, to voksne",
            review_date="2026-12-17",
        )
        assert response.status_code == 201
        session.expire_all()
        stored = session.get(Solution, solution["id"])
        assert stored is not None
        assert (stored.status, stored.title, stored.details, str(stored.review_date)) == (
            "trial",
            "Puslning kl. 11.15",
            "Før maden, to voksne",
            "2026-12-17",
        )
        assert _history(session, solution["id"]) == before  # still in trial: no change

    def test_adjusting_an_adopted_solution_tries_it_again(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _bring_to(client, world, "adopted")
        assert _evaluate(client, world, solution["id"], decision="adjust").status_code == 201
        assert _history(session, solution["id"])[-1] == ("adopted", "trial")

    @pytest.mark.parametrize("status", ["proposed", "dropped"])
    def test_a_solution_not_in_use_cannot_be_followed_up(
        self, client: TestClient, session: Session, world: World, status: str
    ) -> None:
        solution = _bring_to(client, world, status)
        response = _evaluate(client, world, solution["id"])
        assert response.status_code == 422
        assert response.json()["error"] == "InvalidStatusTransition"
        assert _count(session, Evaluation) == 0
        session.expire_all()
        assert session.get(Solution, solution["id"]).status == status  # type: ignore[union-attr]

    def test_meeting_date_in_the_future_is_refused(
        self, client: TestClient, session: Session, world: World, set_now: Callable[[str], datetime]
    ) -> None:
        solution = _bring_to(client, world, "trial")
        response = _evaluate(client, world, solution["id"], meeting_date="2026-11-27")
        assert response.status_code == 422
        assert response.json()["error"] == "MeetingDateInFuture"
        # 00:30 in Copenhagen is already the 27th there, although it is the 26th in UTC.
        set_now("2026-11-27T00:30:00+01:00")
        response = _evaluate(client, world, solution["id"], meeting_date="2026-11-27")
        assert response.status_code == 201
        assert _count(session, Evaluation) == 1

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"decision": "maybe"}, "decision"),
            ({"decision": None}, "decision"),
            ({"meeting_date": None}, "meeting_date"),
            ({"meeting_date": "1795564800"}, "meeting_date"),  # 25 November as a Unix timestamp
            ({"meeting_date": "2026-11-25T00:00:00Z"}, "meeting_date"),
            ({"decision": "keep", "review_date": 1797465600}, "review_date"),
            ({"more_calm": "much"}, "more_calm"),
            ({"not_all_at_once": 3}, "not_all_at_once"),
            ({"negative_consequences": "x" * 2001}, "negative_consequences"),
            ({"title": "Nyt navn"}, "title"),  # edits need decision adjust
            ({"decision": "adjust", "title": "  "}, "title"),
            ({"decision": "adjust", "title": None}, "title"),
            ({"decision": "drop", "review_date": "2026-12-24"}, "review_date"),
            ({"client_id": "short"}, "client_id"),
            ({"client_id": "<script>alert(1)</script>-xxxxxx"}, "client_id"),
        ],
    )
    def test_bad_input_is_422_and_nothing_changes(
        self,
        client: TestClient,
        session: Session,
        world: World,
        fields: dict[str, Any],
        field: str,
    ) -> None:
        solution = _bring_to(client, world, "trial")
        response = _evaluate(client, world, solution["id"], **fields)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert field in response.json()["detail"]
        assert _count(session, Evaluation) == 0
        session.expire_all()
        stored = session.get(Solution, solution["id"])
        assert stored is not None
        assert (stored.status, stored.title) == ("trial", "Puslning før frokost")

    def test_a_retry_with_the_same_client_id_returns_the_stored_one(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        solution = _bring_to(client, world, "trial")
        client_id = "0b6f6c1e-4f7a-4d8e-9a43-7c2f3f0e9d11"
        first = _evaluate(client, world, solution["id"], client_id=client_id, decision="adjust")
        assert first.status_code == 201
        # The retry arrives after someone else already adopted the solution: it changes nothing.
        client.patch(
            f"{API}/solutions/{solution['id']}",
            json={"status": "adopted"},
            headers=world.member.headers,
        )
        again = _evaluate(client, world, solution["id"], client_id=client_id, decision="adjust")
        assert again.status_code == 200
        assert again.json() == first.json()
        assert _count(session, Evaluation) == 1
        session.expire_all()
        assert session.get(Solution, solution["id"]).status == "adopted"  # type: ignore[union-attr]

    def test_a_client_id_of_another_solution_is_a_conflict(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        one, two = _bring_to(client, world, "trial"), _bring_to(client, world, "trial")
        client_id = "0b6f6c1e-4f7a-4d8e-9a43-7c2f3f0e9d11"
        assert _evaluate(client, world, one["id"], client_id=client_id).status_code == 201
        response = _evaluate(client, world, two["id"], client_id=client_id)
        assert response.status_code == 409
        assert response.json()["error"] == "ClientIdConflict"
        assert _count(session, Evaluation) == 1
        session.expire_all()
        assert session.get(Solution, two["id"]).status == "trial"  # type: ignore[union-attr]

    def test_list_shows_the_newest_meeting_first(self, client: TestClient, world: World) -> None:
        solution = _bring_to(client, world, "trial")
        _evaluate(client, world, solution["id"], decision="adjust", meeting_date="2026-11-12")
        _evaluate(client, world, solution["id"], decision="keep", meeting_date="2026-11-26")
        response = client.get(
            f"{API}/solutions/{solution['id']}/evaluations", headers=world.coordinator.headers
        )
        assert response.status_code == 200
        assert [(e["meeting_date"], e["decision"]) for e in response.json()] == [
            ("2026-11-26", "keep"),
            ("2026-11-12", "adjust"),
        ]


# Every endpoint, with a valid body, against callers who must not reach the team's data.
_ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/teams/{team}/situations", None),
    ("POST", "/teams/{team}/situations", {"title": "Indbrud"}),
    ("PATCH", "/situations/{situation}", {"status": "parked"}),
    ("GET", "/teams/{team}/solutions", None),
    ("POST", "/teams/{team}/solutions", {"perspective": "P", "title": "Indbrud"}),
    ("PATCH", "/solutions/{solution}", {"status": "dropped"}),
    ("GET", "/solutions/{solution}/evaluations", None),
    (
        "POST",
        "/solutions/{solution}/evaluations",
        {"decision": "drop", "meeting_date": "2026-11-26"},
    ),
]


class TestPermissions:
    @pytest.fixture
    def ids(
        self, client: TestClient, world: World, set_now: Callable[[str], datetime]
    ) -> dict[str, int]:
        set_now("2026-11-26T13:00:00+01:00")
        situation = _situation(client, world)
        solution = _solution(client, world, situation_id=situation["id"], status="trial")
        return {"team": world.team_id, "situation": situation["id"], "solution": solution["id"]}

    def _snapshot(self, session: Session) -> tuple[Any, ...]:
        session.expire_all()
        return (
            [(s.title, s.status) for s in session.exec(select(Situation)).all()],
            [(s.title, s.status) for s in session.exec(select(Solution)).all()],
            _count(session, SolutionStatusChange),
            _count(session, Evaluation),
        )

    @pytest.mark.parametrize(("method", "path", "body"), _ENDPOINTS)
    @pytest.mark.parametrize(
        ("caller", "status"),
        [("anonymous", 401), ("other_member", 404), ("other_coordinator", 404), ("bad_token", 401)],
    )
    def test_outsiders_are_refused_and_change_nothing(
        self,
        client: TestClient,
        session: Session,
        world: World,
        ids: dict[str, int],
        method: str,
        path: str,
        body: dict[str, Any] | None,
        caller: str,
        status: int,
    ) -> None:
        headers = {
            "anonymous": {},
            "bad_token": {"Authorization": "Bearer not-a-token"},
            "other_member": world.other_member.headers,
            "other_coordinator": world.other_coordinator.headers,
        }[caller]
        before = self._snapshot(session)
        response = client.request(method, API + path.format(**ids), json=body, headers=headers)
        assert response.status_code == status
        assert response.json()["error"] == {401: "Unauthorized", 404: "NotFound"}[status]
        assert self._snapshot(session) == before

    @pytest.mark.parametrize(("method", "path", "body"), _ENDPOINTS)
    @pytest.mark.parametrize("caller", ["member", "coordinator"])
    def test_the_team_and_its_coordinators_are_let_in(
        self,
        client: TestClient,
        world: World,
        ids: dict[str, int],
        method: str,
        path: str,
        body: dict[str, Any] | None,
        caller: str,
    ) -> None:
        headers = {"member": world.member.headers, "coordinator": world.coordinator.headers}[caller]
        response = client.request(method, API + path.format(**ids), json=body, headers=headers)
        assert response.status_code in (200, 201), response.text

    @pytest.mark.parametrize(
        "path",
        [
            "/teams/2147483648/situations",
            "/situations/99999999999",
            "/solutions/99999999999",
            "/solutions/0/evaluations",
        ],
    )
    def test_ids_outside_the_integer_range_are_422(
        self, client: TestClient, world: World, path: str
    ) -> None:
        method = "GET" if path.endswith(("situations", "evaluations")) else "PATCH"
        response = client.request(method, API + path, json={}, headers=world.member.headers)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"

    @pytest.mark.parametrize(
        "path", ["/teams/999999/situations", "/situations/999999", "/solutions/999999/evaluations"]
    )
    def test_unknown_ids_are_404(self, client: TestClient, world: World, path: str) -> None:
        method = "PATCH" if path == "/situations/999999" else "GET"
        response = client.request(method, API + path, json={}, headers=world.member.headers)
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"
