"""GET /healthz: liveness and database reachability, for docker-compose and load balancers."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend import db


class TestHealthz:
    def test_ok_when_the_database_answers(self, client: TestClient) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    @pytest.fixture
    def unreachable_database(self, tmp_path: Path) -> Iterator[None]:
        previous = db.engine
        broken = db.make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'pux.db'}")
        db.use_engine(broken)
        yield
        db.use_engine(previous)
        broken.dispose()

    def test_503_when_the_database_is_unreachable(
        self, client: TestClient, unreachable_database: None
    ) -> None:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "error"
        assert response.json()["database"] == "unreachable"

    def test_needs_no_authentication_and_is_not_cached(self, client: TestClient) -> None:
        response = client.get("/healthz", headers={"Authorization": "Bearer nonsense"})
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
