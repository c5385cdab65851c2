"""Hand-written, set-based SQL for the check-in hot path, run on the raw driver connection.

Why not SQLAlchemy Core here: measured in the writer thread, Core's per-statement machinery cost
about four times the SQLite call itself, and every microsecond there holds the GIL the event loop
needs. Why set-based: on PostgreSQL every statement is a network round trip, and each one makes
the writer thread give up and win back the GIL; one statement per batch instead of one per request
is what made PostgreSQL keep up. The statements are plain SQL both databases understand
(INSERT … ON CONFLICT … RETURNING needs SQLite ≥ 3.35); parameter markers and the storage of
dates and times differ per driver, and those differences live here, matching what SQLAlchemy
stores (the tests read it back through the ORM)."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from backend.solutions.service import SolutionRow, StatusChangeRow

# Token → member, team and org settings (only token hashes are ever stored).
_AUTHENTICATE = """
SELECT mt.token_hash, m.id, m.team_id, o.timezone, o.checkin_window_days, t.working_days,
    t.frozen_through
FROM member_token AS mt
JOIN member AS m ON m.id = mt.member_id
JOIN team AS t ON t.id = m.team_id
JOIN organisation AS o ON o.id = t.org_id
WHERE mt.token_hash IN ({markers})
"""

# One statement creates or replaces; `revision` tells the two apart (1 = just created), which keeps
# PUT idempotent and race-free without reading first. A statement may touch each (member, date)
# only once, so the caller never puts the same pair twice into one call.
UPSERT_COLUMNS = (
    "member_id",
    "team_id",
    "work_date",
    "calm",
    "flow",
    "workload",
    "comment",
    "share_comment",
    "revision",
    "created_at",
    "updated_at",
)
_UPSERT = """
INSERT INTO checkin ({columns}) VALUES {rows}
ON CONFLICT (member_id, work_date) DO UPDATE SET
    team_id = excluded.team_id, calm = excluded.calm, flow = excluded.flow,
    workload = excluded.workload, comment = excluded.comment,
    share_comment = excluded.share_comment, updated_at = excluded.updated_at,
    revision = checkin.revision + 1
RETURNING member_id, work_date, id, revision, created_at, updated_at
"""
# The rows solutions.service.active_ids needs for the batch's teams (see active_solution_ids there).
_SOLUTIONS = """
SELECT s.id, s.team_id, s.status, o.timezone
FROM solution AS s
JOIN team AS t ON t.id = s.team_id
JOIN organisation AS o ON o.id = t.org_id
WHERE s.team_id IN ({markers})
"""
_STATUS_CHANGES = """
SELECT solution_id, to_status, changed_at FROM solution_status_change
WHERE solution_id IN ({markers})
ORDER BY changed_at, id
"""
_DELETE_MARKS = "DELETE FROM checkin_solution WHERE checkin_id IN ({markers})"
_INSERT_MARKS = (
    "INSERT INTO checkin_solution (checkin_id, solution_id, used) VALUES ({m}, {m}, {m})"
)


@dataclass(frozen=True)
class Driver:
    """How one database driver wants its parameters, dates and times."""

    marker: str
    date_param: Callable[[date], Any]
    date_value: Callable[[Any], date]
    datetime_param: Callable[[datetime], Any]
    datetime_value: Callable[[Any], datetime]


# sqlite3: dates and times are text in the formats SQLAlchemy writes (UTC without offset, see
# backend.db.UTCDateTime).
SQLITE = Driver(
    marker="?",
    date_param=date.isoformat,
    date_value=date.fromisoformat,
    datetime_param=lambda value: value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    datetime_value=lambda value: datetime.fromisoformat(value).replace(tzinfo=UTC),
)
# psycopg adapts date and aware datetime itself.
POSTGRESQL = Driver(
    marker="%s",
    date_param=lambda value: value,
    date_value=lambda value: value,
    datetime_param=lambda value: value,
    datetime_value=lambda value: value.astimezone(UTC),
)
DRIVERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


@lru_cache(maxsize=1024)
def _markers(marker: str, count: int) -> str:
    return ", ".join([marker] * count)


@lru_cache(maxsize=512)
def _upsert(marker: str, rows: int) -> str:
    row = f"({_markers(marker, len(UPSERT_COLUMNS))})"
    return _UPSERT.format(columns=", ".join(UPSERT_COLUMNS), rows=", ".join([row] * rows))


class Statements:
    """The hot-path statements on the raw cursor of the driver connection under `connection`,
    so they run in the writer's transaction and commit with it."""

    def __init__(self, connection: Connection) -> None:
        self.driver = DRIVERS[connection.dialect.name]
        self.cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def authenticate(self, token_hashes: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """token hash → (member_id, team_id, timezone, window_days, working_days,
        frozen_through or None)."""
        unique = list(dict.fromkeys(token_hashes))
        sql = _AUTHENTICATE.format(markers=_markers(self.driver.marker, len(unique)))
        self.cursor.execute(sql, unique)
        as_date = self.driver.date_value
        return {
            row[0]: (*row[1:6], None if row[6] is None else as_date(row[6]))
            for row in self.cursor.fetchall()
        }

    def upsert(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Rows in UPSERT_COLUMNS order → (member_id, work_date, id, revision, created_at,
        updated_at) per row, in no particular order."""
        self.cursor.execute(
            _upsert(self.driver.marker, len(rows)), [value for row in rows for value in row]
        )
        return [tuple(row) for row in self.cursor.fetchall()]

    def solutions(
        self, team_ids: Collection[int]
    ) -> tuple[list[SolutionRow], list[StatusChangeRow]]:
        """The teams' solutions and their status changes, as solutions.service.active_ids takes
        them."""
        marker = self.driver.marker
        self.cursor.execute(_SOLUTIONS.format(markers=_markers(marker, len(team_ids))), [*team_ids])
        solutions = [tuple(row) for row in self.cursor.fetchall()]
        if not solutions:
            return [], []
        ids = [row[0] for row in solutions]
        self.cursor.execute(_STATUS_CHANGES.format(markers=_markers(marker, len(ids))), ids)
        as_utc = self.driver.datetime_value
        history = [(row[0], row[1], as_utc(row[2])) for row in self.cursor.fetchall()]
        return solutions, history

    def delete_marks(self, checkin_ids: Sequence[int]) -> None:
        sql = _DELETE_MARKS.format(markers=_markers(self.driver.marker, len(checkin_ids)))
        self.cursor.execute(sql, list(checkin_ids))

    def insert_marks(self, marks: Sequence[tuple[int, int, str]]) -> None:
        self.cursor.executemany(_INSERT_MARKS.format(m=self.driver.marker), marks)


def statements(connection: Connection) -> Statements:
    """Statements (and a cursor) for this connection, made once per DBAPI connection: kept in its
    `info`, which SQLAlchemy drops together with the DBAPI connection when it is replaced."""
    made = connection.info.get("checkin_statements")
    if made is None:
        made = connection.info["checkin_statements"] = Statements(connection)
    return made
