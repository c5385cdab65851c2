"""The one error shape, {"error": ClassName, "detail": ...}, for every kind of bad request."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend.teams.models import Member


class TestValidationErrors:
    def test_a_body_that_is_not_json_is_described_as_such_not_as_a_field(
        self, client: TestClient, session: Session
    ) -> None:
        response = client.post(
            "/api/v1/join", content=b"not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "ValidationError"
        assert body["detail"] == "request: Invalid JSON: Expecting value at position 0"
        assert [e["type"] for e in body["errors"]] == ["json_invalid"]
        assert session.exec(select(Member)).all() == []

    def test_field_errors_name_the_field(self, client: TestClient) -> None:
        response = client.post("/api/v1/join", json={"code": ""})
        assert response.status_code == 422
        assert response.json()["detail"] == "code: String should have at least 1 character"
