"""Test set-up: one database per run (SQLite file or a fresh PostgreSQL database), migrated with
Alembic, emptied after every test so no test sees another's rows.

Choose the database with `--db sqlite|postgresql` (or PUX_TEST_DB); `make test` runs both."""

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

os.environ["PUX_ENV"] = "test"
os.environ.setdefault("PUX_DEMO", "0")
# No background maintenance in tests (the app started by a test would write behind its back).
os.environ.setdefault("PUX_MAINTENANCE_MINUTES", "0")

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from backend import db
from backend.config import ROOT_DIR, settings
from backend.insights import cache as insights_cache
from backend.models import metadata

PG_ADMIN_URL = os.environ.get("PUX_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("PUX_TEST_DB", "sqlite"),
        choices=["sqlite", "postgresql"],
        help="database the suite runs against",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--db')}"


def alembic_config(connection: object | None = None) -> Config:
    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _create_pg_database() -> tuple[str, Callable[[], None]]:
    # A database of its own per run, so parallel runs (and developers) never share rows.
    name = f"pux_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.config.getoption("--db") == "postgresql":
        url, drop = _create_pg_database()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url, create=True)
    previous = db.engine
    db.use_engine(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    yield engine
    db.use_engine(previous)
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(engine: Engine) -> Iterator[None]:
    yield
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
    # The next test's teams get the same ids (and its pinned clock the same creation times), so
    # figures kept for this test's roll-ups would match its keys (backend/insights/cache.py).
    insights_cache.clear()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for arranging data and checking effects; factories commit through it."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def set_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], datetime]:
    """Pins the app clock, like PUX_NOW: set_now("2026-11-26T08:00:00+01:00")."""

    def _set(instant: str) -> datetime:
        value = datetime.fromisoformat(instant)
        monkeypatch.setattr(settings, "now", value)
        return value

    return _set


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from backend.main import create_app

    with TestClient(create_app()) as client:
        yield client


@pytest.fixture(scope="session")
def root_dir() -> Path:
    return ROOT_DIR


@pytest.fixture
def fresh_engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Engine]]:
    """Makes empty databases of the run's kind, not the suite's migrated one; all dropped after
    the test."""
    made: list[tuple[Engine, Callable[[], None] | None]] = []

    def make() -> Engine:
        if request.config.getoption("--db") == "postgresql":
            url, drop = _create_pg_database()
        else:
            path = tmp_path_factory.mktemp("fresh") / "pux.db"
            url, drop = f"sqlite:///{path}", None
        engine = db.make_engine(url, create=True)
        made.append((engine, drop))
        return engine

    yield make
    for engine, drop in made:
        engine.dispose()
        if drop is not None:
            drop()
