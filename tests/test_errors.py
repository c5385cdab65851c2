"""The one error shape, {"error": ClassName, "detail": ...}, for every kind of bad request."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend.errors import ValidationErrorBody
from backend.teams.models import Member
from tests.factories import make_member


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


class TestDocumentedValidationErrors:
    def test_the_api_document_describes_the_422_the_api_sends(
        self, client: TestClient, session: Session
    ) -> None:
        # A client generated from /api/v1/openapi.json must be able to read a real 422.
        doc = client.get("/api/v1/openapi.json").json()
        schemas = doc["components"]["schemas"]
        documented = schemas["HTTPValidationError"]
        field_error = schemas["ValidationError"]
        member = make_member(session)
        answers = [
            client.post("/api/v1/join", json={"code": ""}),
            client.put("/api/v1/me/checkins/2026-11-26", json={"calm": 9}, headers=member.headers),
        ]
        for response in answers:
            assert response.status_code == 422
            body = response.json()
            assert set(body) == set(documented["properties"]) == set(documented["required"])
            for error in body["errors"]:
                assert set(error) == set(field_error["properties"])
            ValidationErrorBody.model_validate(body)

    def test_every_documented_422_refers_to_that_schema(self, client: TestClient) -> None:
        doc = client.get("/api/v1/openapi.json").json()
        refs = {
            operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            for path in doc["paths"].values()
            for operation in path.values()
            if "422" in operation.get("responses", {})
        }
        assert refs == {"#/components/schemas/HTTPValidationError"}
