"""A database outage under a running server: every endpoint answers 503 DatabaseUnavailable with
Retry-After (the check-in writer too), /healthz says so within 2 s, and everything works again
when the database is back, without a restart. On SQLite a missing file is never re-created."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic import command
from sqlmodel import Session

from backend import db
from tests.conftest import PG_ADMIN_URL, _create_pg_database, alembic_config
from tests.factories import JoinedMember, make_coordinator, make_member, make_team
from tests.frontend.conftest import serve_app

CHECKIN = {"calm": 4, "flow": 3, "workload": 2, "solutions": []}


@contextmanager
def served(url: str, log: Path) -> Iterator[tuple[httpx.Client, JoinedMember, dict[str, str]]]:
    """A migrated database at `url` with a member and a coordinator, served by uvicorn."""
    engine = db.make_engine(url, create=True)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with Session(engine, expire_on_commit=False) as session:
        team = make_team(session)
        member = make_member(session, team)
        coordinator = make_coordinator(session)
    engine.dispose()
    with serve_app(url, log) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client, member, coordinator.headers


def _assert_unavailable(client: httpx.Client, member: JoinedMember, coordinator: dict) -> None:
    answers = [
        client.get("/api/v1/me", headers=member.headers),
        client.put("/api/v1/me/checkins/2026-11-25", json=CHECKIN, headers=member.headers),
        client.get("/api/v1/orgs", headers=coordinator),
        client.post("/api/v1/join", json={"code": "K7QM-3XTP-9HWC"}),
    ]
    for response in answers:
        assert response.status_code == 503, (response.request.url, response.text)
        assert response.json()["error"] == "DatabaseUnavailable"
        assert int(response.headers["retry-after"]) > 0
        assert response.headers["x-content-type-options"] == "nosniff"
    started = time.monotonic()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert time.monotonic() - started < 2


def _assert_working(client: httpx.Client, member: JoinedMember, coordinator: dict) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/me", headers=member.headers).status_code == 200
    put = client.put("/api/v1/me/checkins/2026-11-25", json=CHECKIN, headers=member.headers)
    assert put.status_code in (200, 201), put.text
    assert client.get("/api/v1/orgs", headers=coordinator).status_code == 200


class TestSQLiteOutage:
    @pytest.fixture(autouse=True)
    def _sqlite_only(self, request: pytest.FixtureRequest) -> None:
        if request.config.getoption("--db") != "sqlite":
            pytest.skip("the SQLite file outage runs with --db sqlite")

    def test_a_moved_database_file_is_503_and_not_recreated(self, tmp_path: Path) -> None:
        path = tmp_path / "data" / "pux.db"
        path.parent.mkdir()
        with served(f"sqlite:///{path}", tmp_path / "server.log") as (client, member, coord):
            _assert_working(client, member, coord)  # the server holds open connections now
            path.rename(tmp_path / "moved.db")
            _assert_unavailable(client, member, coord)
            assert not path.exists(), "a missing database file must not be re-created"
            (tmp_path / "moved.db").rename(path)
            _assert_working(client, member, coord)

    def test_a_missing_folder_is_503(self, tmp_path: Path) -> None:
        folder = tmp_path / "data"
        folder.mkdir()
        with served(f"sqlite:///{folder / 'pux.db'}", tmp_path / "server.log") as (
            client,
            member,
            coord,
        ):
            _assert_working(client, member, coord)
            folder.rename(tmp_path / "elsewhere")
            _assert_unavailable(client, member, coord)
            assert not folder.exists()
            (tmp_path / "elsewhere").rename(folder)
            _assert_working(client, member, coord)


class TestPostgreSQLOutage:
    @pytest.fixture(autouse=True)
    def _postgresql_only(self, request: pytest.FixtureRequest) -> None:
        if request.config.getoption("--db") != "postgresql":
            pytest.skip("the PostgreSQL outage runs with --db postgresql")

    def test_refused_and_terminated_connections_are_503_then_it_recovers(
        self, tmp_path: Path
    ) -> None:
        # A database of the test's own: the machine's server keeps running for everyone else.
        url, drop = _create_pg_database()
        name = url.rsplit("/", 1)[1]
        try:
            with (
                served(url, tmp_path / "server.log") as (client, member, coord),
                psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin,
            ):
                _assert_working(client, member, coord)
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
                _assert_unavailable(client, member, coord)
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
                _assert_working(client, member, coord)
        finally:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            drop()
