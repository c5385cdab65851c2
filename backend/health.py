"""Liveness and readiness: is the database reachable, and is its schema the one the code needs."""

from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from backend.config import ROOT_DIR


@cache
def migrations_head() -> str | None:
    """The newest Alembic revision of this code (read once: it changes only with the code)."""
    config = Config(str(ROOT_DIR / "alembic.ini"))
    return ScriptDirectory.from_config(config).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None when it was never migrated); raises the
    driver's error when the database is unreachable."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def readiness(engine: Engine) -> tuple[int, dict[str, str | None]]:
    """(status code, body) of GET /readyz: ready when the database answers and its schema is at
    this code's newest migration, so a load balancer sends no traffic to a replica that would
    fail on a missing column (e.g. started before `pux migrate` finished)."""
    try:
        revision = database_revision(engine)
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        return 503, {"status": "error", "database": "unreachable", "detail": type(exc).__name__}
    head = migrations_head()
    if revision != head:
        detail = (
            f"the database is at {revision or 'no schema'}, this code needs {head}: run pux migrate"
        )
        return 503, {"status": "error", "database": "ok", "schema": revision, "detail": detail}
    return 200, {"status": "ok", "database": "ok", "schema": revision}
