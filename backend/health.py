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
