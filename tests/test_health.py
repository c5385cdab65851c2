"""GET /healthz (liveness, database reachable) and GET /readyz (and its schema migrated), for
docker-compose and load balancers."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from backend import db, health


@pytest.fixture
def unreachable_database(tmp_path: Path) -> Iterator[None]:
    previous = db.engine
    broken = db.make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'pux.db'}")
    db.use_engine(broken)
    yield
    db.use_engine(previous)
    broken.dispose()


class TestHealthz:
    def test_ok_when_the_database_answers(self, client: TestClient) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

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


class TestReadyz:
    def test_ready_when_the_schema_is_at_this_codes_newest_migration(
        self, client: TestClient
    ) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "schema": health.migrations_head(),
        }

    @pytest.fixture
    def older_schema(self, engine: Engine) -> Iterator[None]:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        yield
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"),
                {"head": health.migrations_head()},
            )

    def test_503_while_migrations_are_missing(self, client: TestClient, older_schema: None) -> None:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["database"] == "ok" and body["schema"] == "older"
        assert "pux migrate" in body["detail"]
        assert client.get("/healthz").status_code == 200  # alive, just not ready

    def test_503_when_the_database_is_unreachable(
        self, client: TestClient, unreachable_database: None
    ) -> None:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"
