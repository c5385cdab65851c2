"""Hand-written SQL for the check-in hot path, run on the raw driver connection.

Why not SQLAlchemy Core here: measured in the writer thread, Core's per-statement machinery cost
about four times the SQLite call itself, and every microsecond there holds the GIL the event loop
needs. The statements stay plain SQL both databases understand (INSERT … ON CONFLICT … RETURNING
needs SQLite ≥ 3.35); only parameter style and the storage of dates and times differ per driver,
and those differences live here, matching what SQLAlchemy stores (tests read it back through
the ORM)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

# Token → member, team and org settings in one round trip (only the hash is ever stored).
AUTHENTICATE = """
SELECT m.id, m.team_id, o.timezone, o.checkin_window_days, t.working_days
FROM member_token AS mt
JOIN member AS m ON m.id = mt.member_id
JOIN team AS t ON t.id = m.team_id
JOIN organisation AS o ON o.id = t.org_id
WHERE mt.token_hash = :token_hash
"""

# One statement creates or replaces; `revision` tells the two apart (1 = just created), which keeps
# PUT idempotent and race-free without reading first.
UPSERT = """
INSERT INTO checkin (member_id, team_id, work_date, calm, flow, workload, comment, share_comment,
                     revision, created_at, updated_at)
VALUES (:member_id, :team_id, :work_date, :calm, :flow, :workload, :comment, :share_comment,
        1, :now, :now)
ON CONFLICT (member_id, work_date) DO UPDATE SET
    team_id = excluded.team_id, calm = excluded.calm, flow = excluded.flow,
    workload = excluded.workload, comment = excluded.comment,
    share_comment = excluded.share_comment, updated_at = excluded.updated_at,
    revision = checkin.revision + 1
RETURNING id, revision, created_at, updated_at
"""

DELETE_MARKS = "DELETE FROM checkin_solution WHERE checkin_id = :checkin_id"
INSERT_MARKS = """
INSERT INTO checkin_solution (checkin_id, solution_id, used)
VALUES (:checkin_id, :solution_id, :used)
"""


@dataclass(frozen=True)
class Driver:
    """How one database driver wants its SQL, dates and times."""

    sql: Callable[[str], str]
    date_param: Callable[[date], Any]
    datetime_param: Callable[[datetime], Any]
    datetime_value: Callable[[Any], datetime]


def _sqlite_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


# sqlite3 takes :name as it is; dates and times are text in the formats SQLAlchemy writes
# (UTC, without offset — see backend.db.UTCDateTime).
SQLITE = Driver(
    sql=lambda statement: statement,
    date_param=date.isoformat,
    datetime_param=lambda value: value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    datetime_value=_sqlite_datetime,
)
# psycopg wants %(name)s and adapts date and aware datetime itself.
POSTGRESQL = Driver(
    sql=lambda statement: re.sub(r":(\w+)", r"%(\1)s", statement),
    date_param=lambda value: value,
    datetime_param=lambda value: value,
    datetime_value=lambda value: value.astimezone(UTC),
)
DRIVERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


class Statements:
    """The hot-path statements for the driver under `connection`, executed on its raw cursor.

    The raw connection is the one under the SQLAlchemy Connection, so everything runs in the
    writer's transaction and commits with it."""

    def __init__(self, connection: Connection) -> None:
        self.driver = DRIVERS[connection.dialect.name]
        self.cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self.authenticate = self.driver.sql(AUTHENTICATE)
        self.upsert = self.driver.sql(UPSERT)
        self.delete_marks = self.driver.sql(DELETE_MARKS)
        self.insert_marks = self.driver.sql(INSERT_MARKS)

    def one(self, statement: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        self.cursor.execute(statement, params)
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None

    def execute(self, statement: str, params: dict[str, Any]) -> None:
        self.cursor.execute(statement, params)

    def execute_many(self, statement: str, params: list[dict[str, Any]]) -> None:
        self.cursor.executemany(statement, params)


def statements(connection: Connection) -> Statements:
    """Statements (and a cursor) for this connection, made once per DBAPI connection: kept in its
    `info`, which SQLAlchemy drops together with the DBAPI connection when it is replaced."""
    made = connection.info.get("checkin_statements")
    if made is None:
        made = connection.info["checkin_statements"] = Statements(connection)
    return made
