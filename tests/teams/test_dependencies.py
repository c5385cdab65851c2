"""team_for_actor / team_for_coordinator: who reaches which team (used by other domains' routes)."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from backend.errors import install_error_handlers
from backend.teams.dependencies import TeamForActor, TeamForCoordinator
from tests.factories import make_coordinator, make_member, make_org, make_team


@pytest.fixture
def probe(engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/actor/{team_id}")
    def actor_route(team: TeamForActor) -> dict[str, object]:
        return {"id": team.id, "name": team.name}

    @app.get("/coordinator/{team_id}")
    def coordinator_route(team: TeamForCoordinator) -> dict[str, object]:
        return {"id": team.id, "name": team.name}

    with TestClient(app) as client:
        yield client


class TestTeamForActor:
    def test_member_reaches_own_team(self, probe: TestClient, session: Session) -> None:
        team = make_team(session, name="Stue Rød")
        member = make_member(session, team)
        response = probe.get(f"/actor/{team.id}", headers=member.headers)
        assert response.status_code == 200
        assert response.json() == {"id": team.id, "name": "Stue Rød"}

    def test_coordinator_reaches_every_team_of_own_org(
        self, probe: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        for name in ("Stue Blå", "Stue Grøn"):
            team = make_team(session, org, name=name)
            response = probe.get(f"/actor/{team.id}", headers=coordinator.headers)
            assert response.status_code == 200
            assert response.json()["name"] == name

    def test_member_of_another_team_in_same_org_gets_404(
        self, probe: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        team = make_team(session, org)
        other = make_member(session, make_team(session, org, name="Stue Grøn"))
        response = probe.get(f"/actor/{team.id}", headers=other.headers)
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"

    def test_coordinator_of_another_org_gets_404_like_a_missing_team(
        self, probe: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        foreign = probe.get(f"/actor/{team.id}", headers=outsider.headers)
        missing = probe.get("/actor/999999", headers=outsider.headers)
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json()

    def test_anonymous_and_bad_tokens_get_401(self, probe: TestClient, session: Session) -> None:
        team = make_team(session)
        assert probe.get(f"/actor/{team.id}").status_code == 401
        response = probe.get(f"/actor/{team.id}", headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"

    @pytest.mark.parametrize("team_id", ["x", "0", str(2**31), str(10**30)])
    def test_malformed_or_out_of_range_id_is_422(
        self, probe: TestClient, session: Session, team_id: str
    ) -> None:
        member = make_member(session)
        response = probe.get(f"/actor/{team_id}", headers=member.headers)
        assert response.status_code == 422
        assert response.json()["detail"].startswith("team_id: ")


class TestTeamForCoordinator:
    def test_coordinator_of_the_org_reaches_the_team(
        self, probe: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        team = make_team(session, org)
        coordinator = make_coordinator(session, org)
        assert probe.get(f"/coordinator/{team.id}", headers=coordinator.headers).status_code == 200

    def test_member_token_is_not_a_coordinator_token(
        self, probe: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        response = probe.get(f"/coordinator/{team.id}", headers=member.headers)
        assert response.status_code == 401

    def test_coordinator_of_another_org_gets_404(self, probe: TestClient, session: Session) -> None:
        team = make_team(session)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        response = probe.get(f"/coordinator/{team.id}", headers=outsider.headers)
        assert response.status_code == 404
