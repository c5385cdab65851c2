"""The OpenAPI document says what the server does: schemathesis drives the live app from it, as a
member and as a coordinator (schemathesis.toml holds the checks and the declared domain rules)."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from backend.config import ROOT_DIR
from backend.errors import ValidationErrorBody
from backend.solutions.models import Situation
from tests.factories import make_coordinator, make_invite, make_member, make_org, make_team
from tests.frontend.conftest import make_active_solution, serve_app

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _run(base: str, token: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUX_SCHEMATHESIS_TOKEN": token, "NO_COLOR": "1"}
    return subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(ROOT_DIR / "schemathesis.toml"), "run",
         f"{base}/api/v1/openapi.json", "--url", base],
        cwd=ROOT_DIR, env=env, capture_output=True, text=True, timeout=170,
    )  # fmt: skip


def test_the_live_api_does_what_its_document_says(
    engine: Engine,
    database_url: str,
    session: Session,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if request.config.getoption("--db") != "sqlite":
        # It checks the HTTP contract, which does not depend on the database; once is enough
        # for the time it takes (about 90 s for both runs).
        pytest.skip("schemathesis runs with --db sqlite")
    # An organisation of its own, with one of everything to find.
    org = make_org(session, name="Schemathesis kommune")
    team = make_team(session, org, name="Stue Schemathesis")
    member = make_member(session, team, display_name="Prøve")
    coordinator = make_coordinator(session, org)
    solution = make_active_solution(session, team, "Frugt i to hold")
    session.add(Situation(team_id=team.id, title="Frokost", created_at=datetime.now(UTC)))
    make_invite(session, team)
    session.commit()
    assert solution.id is not None
    with serve_app(database_url, tmp_path / "server.log") as base:
        failures = []
        for role, token in (("member", member.token), ("coordinator", coordinator.token)):
            result = _run(base, token)
            if result.returncode != 0:
                failures.append(
                    f"--- as {role} ---\n{result.stdout[-20000:]}\n{result.stderr[-3000:]}"
                )
    assert not failures, "\n".join(failures)


class TestDocumentedStatuses:
    @pytest.fixture
    def doc(self, client: TestClient) -> dict[str, Any]:
        return client.get("/api/v1/openapi.json").json()

    def _operations(self, doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        return [
            (f"{method.upper()} {path}", operation)
            for path, item in doc["paths"].items()
            if path.startswith("/api/")
            for method, operation in item.items()
        ]

    def test_every_operation_documents_422_500_and_503_with_their_bodies(
        self, doc: dict[str, Any]
    ) -> None:
        for name, operation in self._operations(doc):
            responses = operation["responses"]
            assert {"422", "500", "503"} <= responses.keys(), name
            schema = responses["500"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/InternalErrorBody"}, name
            if "requestBody" in operation:
                assert "413" in responses, name

    def test_statuses_follow_the_dependencies_and_endpoints(self, doc: dict[str, Any]) -> None:
        operations = dict(self._operations(doc))
        assert "401" in operations["GET /api/v1/me"]["responses"]  # CurrentMember
        assert "401" not in operations["POST /api/v1/join"]["responses"]
        assert {"404", "410", "429"} <= operations["POST /api/v1/join"]["responses"].keys()
        assert "404" in operations["PATCH /api/v1/teams/{team_id}"]["responses"]  # path resource
        assert "409" in operations["PATCH /api/v1/teams/{team_id}"]["responses"]
        login = operations["POST /api/v1/auth/token"]["responses"]
        assert {"400", "401", "429", "503"} <= login.keys()
        put = operations["PUT /api/v1/me/checkins/{work_date}"]["responses"]
        assert "WorkDateOutsideWindow" in put["422"]["description"]

    def test_a_field_that_may_not_be_null_is_not_documented_as_nullable(
        self, doc: dict[str, Any], client: TestClient, session: Session
    ) -> None:
        name = doc["components"]["schemas"]["TeamUpdate"]["properties"]["name"]
        assert "anyOf" not in name and name["type"] == "string"
        coordinator = make_coordinator(session)
        team = make_team(session)
        response = client.patch(
            f"/api/v1/teams/{team.id}", json={"name": None}, headers=coordinator.headers
        )
        assert response.status_code in (404, 422)


class TestOneUnprocessableShape:
    def test_a_domain_rule_answers_like_a_field_error(
        self, client: TestClient, session: Session, set_now: Any
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        member = make_member(session)
        response = client.put(
            "/api/v1/me/checkins/2026-01-05", json={"calm": 3}, headers=member.headers
        )
        assert response.status_code == 422
        body = response.json()
        ValidationErrorBody.model_validate(body)
        assert body["error"] == "WorkDateOutsideWindow"
        assert body["errors"][0]["type"] == "WorkDateOutsideWindow"


class TestWrongMethods:
    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("OPTIONS", "/api/v1/me", "DELETE, GET, PATCH"),
            ("PUT", "/api/v1/me", "DELETE, GET, PATCH"),
            ("GET", "/api/v1/join", "POST"),
            ("TRACE", "/api/v1/orgs", "GET"),
            ("POST", "/api/v1/me/checkins/2026-11-26", "DELETE, PUT"),
        ],
    )
    def test_405_with_every_method_of_the_path(
        self, client: TestClient, method: str, path: str, allow: str
    ) -> None:
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.json()["error"] == "MethodNotAllowed"
        assert response.headers["allow"] == allow

    def test_an_unknown_api_path_is_404(self, client: TestClient) -> None:
        assert client.get("/api/v1/nothing-here").json()["error"] == "NotFound"
