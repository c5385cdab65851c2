"""Backups of the whole database into one file and restoring one: SQLite through its online
backup API, PostgreSQL through `pg_dump` / `pg_restore` in custom format.

A backup is taken while the app runs (SQLite copies a consistent snapshot in one step beside the
writer; pg_dump reads one snapshot). It is written beside its final name and renamed at the end,
so a file under the given name is always a whole backup. A restore replaces the database's
contents in one transaction (PostgreSQL) or one backup step (SQLite): it is refused while the
database holds any data unless the caller says to replace it, and the app should be stopped
while it runs. A restored database keeps the schema revision it was backed up at; `pux migrate`
brings it to the code's."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

from backend import health
from backend.models import metadata

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupInfo:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    revision: str | None  # the Alembic revision of the schema that was copied
    size_bytes: int
    seconds: float


def backup(*, engine: Engine, path: Path) -> BackupInfo:
    """Writes the whole database to `path` (replacing a file of that name)."""
    started = time.perf_counter()
    revision = health.database_revision(engine)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_file(engine), partial)
        else:
            _run(["pg_dump", "--format=custom", f"--file={partial}"], engine.url)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(
        path=path,
        kind=engine.dialect.name,
        revision=revision,
        size_bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
    )


def restore(*, engine: Engine, path: Path, replace: bool = False) -> BackupInfo:
    """Replaces the database's contents with the backup in `path`.

    Refused when the backup is of the other kind of database, and when the database holds data
    and `replace` is false."""
    started = time.perf_counter()
    kind = _kind_of(path)
    if kind != engine.dialect.name:
        raise BackupError(
            f"{path} is a {kind} backup and this database is {engine.dialect.name}: a backup "
            "restores into the same kind of database only"
        )
    if not replace and (tables := tables_with_rows(engine)):
        raise BackupError(
            f"the database holds data (e.g. in {', '.join(tables[:3])}); restoring replaces "
            "all of it: pass --force to do that"
        )
    engine.dispose()  # no pooled connection of ours holds the old contents or a lock
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_file(engine))
    else:
        _pg_restore(engine, path)
    engine.dispose()
    return BackupInfo(
        path=path,
        kind=kind,
        revision=health.database_revision(engine),
        size_bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
    )


def tables_with_rows(engine: Engine) -> list[str]:
    """Our tables that hold at least one row, in dependency order."""
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return [
            table.name
            for table in metadata.sorted_tables
            if table.name in present
            and connection.execute(text(f'SELECT 1 FROM "{table.name}" LIMIT 1')).first()
        ]


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `pux backup`")


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has no file to back up or restore")
    return Path(database)


def _sqlite_backup(source: Path, target: Path) -> None:
    # One step (pages=-1) copies a consistent snapshot; in WAL mode the app's writer goes on.
    if not source.is_file():
        raise BackupError(f"the database file {source} does not exist")
    with closing(sqlite3.connect(source)) as from_db, closing(sqlite3.connect(target)) as to_db:
        from_db.backup(to_db)


def _sqlite_restore(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as from_db:
        try:
            tables = {row[0] for row in from_db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is damaged (nothing changed): {exc}") from exc
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is an SQLite file but not a PUX Puls database")
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as to_db:
            from_db.backup(to_db)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string (without the password) and the environment that carries the
    password, so it never shows in the process list."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"`{name}` is not installed; it comes with PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client), in the version of the server or newer"
        )
    return found


def _run(command: list[str], url: URL) -> None:
    dsn, env = _libpq(url)
    done = subprocess.run(
        [_tool(command[0]), *command[1:], f"--dbname={dsn}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _pg_restore(engine: Engine, path: Path) -> None:
    """pg_restore turns the archive into SQL; psql runs it after dropping our tables, all in one
    transaction that commits only when pg_restore read the whole archive without error, so a
    failed restore leaves the database as it was."""
    with engine.connect() as connection:
        present = inspect(connection).get_table_names()
    dsn, env = _libpq(engine.url)
    env["PGOPTIONS"] = "-c client_min_messages=warning"
    with tempfile.TemporaryFile() as reader_errors, tempfile.TemporaryFile() as psql_errors:
        reader = subprocess.Popen(
            [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=reader_errors,
        )
        psql = subprocess.Popen(
            [_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={dsn}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        assert reader.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(b"BEGIN;\n")
            for name in present:
                psql.stdin.write(f'DROP TABLE IF EXISTS "{name}" CASCADE;\n'.encode())
            shutil.copyfileobj(reader.stdout, psql.stdin, 1 << 20)
            read_ok = reader.wait() == 0
            psql.stdin.write(b"COMMIT;\n" if read_ok else b"ROLLBACK;\n")
            psql.stdin.close()
        except BrokenPipeError:  # psql stopped at an error: its transaction was never committed
            reader.kill()
        reader.wait()
        psql.wait()
        if reader.returncode != 0:
            reader_errors.seek(0)
            message = reader_errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_restore could not read {path} (nothing changed): {message}")
        if psql.returncode != 0:
            psql_errors.seek(0)
            message = psql_errors.read().decode(errors="replace").strip()
            raise BackupError(f"the restore failed and changed nothing: {message}")
