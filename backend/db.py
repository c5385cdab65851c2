"""Database engine, naming convention, column types shared by all tables, session per request,
and what counts as "the database is unavailable" (503) rather than a bug (500)."""

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Path
from sqlalchemy import Connection, DateTime, Engine, create_engine, event, exc
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel

from backend.config import settings
from backend.errors import DatabaseUnavailable

# Stable constraint names, so migrations name (and can drop) the same things on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on both databases (SQLite keeps no offset, so we store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite keeps a UTC instant as text without offset, in the format SQLAlchemy's DATETIME writes
# (what UTCDateTime hands it). Code that writes rows past the ORM (the check-in hot path, the demo's
# bulk insert) uses these two, so there is one format (tests/checkins/test_sql.py holds it to
# SQLAlchemy's).
def sqlite_utc_text(value: datetime) -> str:
    """An aware instant as the text SQLite stores for a UTC column."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_utc_value(text: str) -> datetime:
    """The aware UTC instant a UTC column's SQLite text stands for."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def utc_field(**kwargs: Any) -> Any:
    """A timezone-aware UTC datetime column (names end in `_at`)."""
    return Field(sa_type=UTCDateTime, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; NORMAL sync is durable across app crashes in WAL mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def suspend_sqlite_foreign_keys(connection: Connection) -> None:
    """Turns SQLite's foreign keys off on `connection` until it goes back to the pool.

    For migrations: batch mode rebuilds a table by dropping and re-creating it, and dropping a
    table with foreign keys on deletes every row that refers to it (ON DELETE CASCADE) — an
    upgrade would empty the database. The pragma only works outside a transaction, so this must
    come before the migration's first statement; it says so rather than running unprotected."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() != 0:
        raise RuntimeError("SQLite foreign keys could not be suspended: a transaction is open")
    connection.connection.info["foreign_keys_suspended"] = True


def check_sqlite_foreign_keys(connection: Connection) -> None:
    """Raises when a row refers to a row that does not exist (after suspended foreign keys)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


def _restore_foreign_keys(dbapi_connection: Any, record: Any) -> None:
    # Back in the pool (its transaction ended): the next user gets foreign keys on again.
    if dbapi_connection is not None and record.info.pop("foreign_keys_suspended", False):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def sqlite_file_replaced(connection: Connection) -> bool:
    """True when the SQLite file this connection opened is gone, moved or replaced. An open
    connection keeps writing into a deleted file's inode, so acknowledged writes would vanish:
    such a connection must be dropped (backend.checkins.writer checks before every batch)."""
    if connection.dialect.name != "sqlite":
        return False
    info = connection.connection.info
    return "sqlite_file" in info and _file_identity(info["sqlite_path"]) != info["sqlite_file"]


def _sqlite_engine(url: str, *, create: bool) -> Engine:
    path = make_url(url).database or ""
    memory = path in ("", ":memory:")
    # mode=rw: a missing file is an error ("unable to open database file", so a 503), never a new
    # empty database silently answering "no such table" or, worse, taking writes.
    target = path if memory else f"file:{path}?mode={'rwc' if create else 'rw'}"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(target, uri=not memory, check_same_thread=False)

    engine = create_engine(url, creator=connect)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "checkin", _restore_foreign_keys)

    def remember_file(_: Any, record: Any) -> None:
        record.info["sqlite_path"] = path
        record.info["sqlite_file"] = _file_identity(path)

    def check_file(_: Any, record: Any, __: Any) -> None:
        if _file_identity(path) != record.info.get("sqlite_file"):
            raise exc.DisconnectionError("the SQLite file was moved, replaced or deleted")

    if not memory:
        event.listen(engine, "connect", remember_file)
        event.listen(engine, "checkout", check_file)
    return engine


def make_engine(url: str, *, create: bool = False) -> Engine:
    """The engine for `url`. A SQLite file must exist unless `create` (migrations, tests)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, create=create)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # connect_timeout: a database that does not answer is reported (503) within seconds.
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args={"connect_timeout": 2},
    )


def create_missing_sqlite_file(engine: Engine) -> None:
    """Creates the (empty) SQLite file of `engine` if there is none: only migrations do this."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if path and path != ":memory:" and not os.path.exists(path):
        sqlite3.connect(path).close()


def unavailable(error: BaseException) -> DatabaseUnavailable | None:
    """DatabaseUnavailable when `error` says the database cannot be used right now (connection
    refused or lost, server shutting down, file missing or unreadable, locked beyond the busy
    timeout, pool exhausted); None for anything else (a bug is a 500, not a 503)."""
    if isinstance(error, DatabaseUnavailable):
        return error
    original: BaseException = error
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(
            error, exc.OperationalError | exc.InterfaceError
        ):
            return DatabaseUnavailable("The database is unavailable; try again shortly")
        original = error.orig or error
    elif isinstance(error, exc.DisconnectionError | exc.TimeoutError):
        return DatabaseUnavailable("The database is unavailable; try again shortly")
    if isinstance(original, sqlite3.OperationalError | sqlite3.InterfaceError):
        return DatabaseUnavailable("The database is unavailable; try again shortly")
    if isinstance(original, psycopg.OperationalError | psycopg.InterfaceError):
        return DatabaseUnavailable("The database is unavailable; try again shortly")
    return None


engine = make_engine(settings.database_url)


def use_engine(new_engine: Engine) -> None:
    """Points the app at another database (tests, CLI with --database)."""
    global engine
    engine = new_engine


def get_session() -> Iterator[Session]:
    # One session per request; it commits once, after the route returned without error.
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

# An id in a URL path. Ids are INTEGER columns: a larger number is refused as 422 here instead of
# reaching PostgreSQL, which fails with "integer out of range" (a 500).
PathId = Annotated[int, Path(ge=1, le=2_147_483_647)]
