"""Hand-written, set-based SQL for the check-in hot path, run on the raw driver connection.

Why not SQLAlchemy Core here: measured in the writer thread, Core's per-statement machinery cost
about four times the SQLite call itself, and every microsecond there holds the GIL the event loop
needs. Why set-based: on PostgreSQL every statement is a network round trip, and each one makes
the writer thread give up and win back the GIL; one statement per batch instead of one per request
is what made PostgreSQL keep up. The statements are plain SQL both databases understand
(INSERT … ON CONFLICT … RETURNING needs SQLite ≥ 3.35).

Nothing here is a second copy of a rule: who a token belongs to is the auth domain's query
(`member_token_query`, compiled once per driver and batch size), the column lists come from the
table definitions (checkins.models), the SQLite time text from backend.db. What differs per driver
— parameter markers, how dates and times travel, row locks — lives here and only here: callers
hand in and get back plain Python values."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlmodel import col

from backend.auth.dependencies import member_token_query
from backend.checkins.models import CHECKIN_COLUMNS, MARK_COLUMNS
from backend.db import sqlite_utc_text, sqlite_utc_value
from backend.orgs.models import Organisation
from backend.solutions.service import SolutionRow, StatusChangeRow
from backend.teams.models import Member, MemberToken, Team

# What the check-in rules need of the member a token belongs to, by the names of
# service.MemberContext's fields (the rows are read by name, not by position).
MEMBER_CONTEXT_COLUMNS: dict[str, Any] = {
    "member_id": col(Member.id),
    "team_id": col(Member.team_id),
    "timezone": col(Organisation.timezone),
    "window_days": col(Organisation.checkin_window_days),
    "working_days": col(Team.working_days),
    "frozen_through": col(Team.frozen_through),
}
_AUTH_KEYS = ("token_hash", *MEMBER_CONTEXT_COLUMNS)

assert CHECKIN_COLUMNS[0] == "id", "the database assigns the id"
assert MARK_COLUMNS == ("checkin_id", "solution_id", "used"), "insert_marks takes them so"
UPSERT_COLUMNS = CHECKIN_COLUMNS[1:]
# The columns whose Python value the driver wants in another form (see Driver).
_WORK_DATE = UPSERT_COLUMNS.index("work_date")
_INSTANTS = (UPSERT_COLUMNS.index("created_at"), UPSERT_COLUMNS.index("updated_at"))
# Columns a row of the hot path is returned with (RETURNING and the SELECT of stored rows).
STORED_COLUMNS = ("member_id", "work_date", "id", "revision", "created_at", "updated_at")
_STORED = ", ".join(STORED_COLUMNS)
_CONTENT = ("calm", "flow", "workload", "comment", "share_comment")

# One statement creates or replaces; `revision` tells the two apart (1 = just created), which keeps
# PUT idempotent and race-free without reading first. A statement may touch each (member, date)
# only once, so the caller never puts the same pair twice into one call.
_UPSERT = f"""
INSERT INTO checkin ({{columns}}) VALUES {{rows}}
ON CONFLICT (member_id, work_date) DO UPDATE SET
    team_id = excluded.team_id, calm = excluded.calm, flow = excluded.flow,
    workload = excluded.workload, comment = excluded.comment,
    share_comment = excluded.share_comment, updated_at = excluded.updated_at,
    revision = checkin.revision + 1
RETURNING {_STORED}
"""
# Creates only: a row that exists (also one another process created a moment ago) is left alone
# and simply not returned — the "I believe there is none" (If-None-Match: *) write.
_INSERT_NEW = f"""
INSERT INTO checkin ({{columns}}) VALUES {{rows}}
ON CONFLICT (member_id, work_date) DO NOTHING
RETURNING {_STORED}
"""
_SELECT_STORED = f"SELECT {_STORED}, {', '.join(_CONTENT)} FROM checkin WHERE {{where}}{{lock}}"
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
_SELECT_MARKS = (
    "SELECT checkin_id, solution_id, used FROM checkin_solution WHERE checkin_id IN ({markers}) "
    "ORDER BY checkin_id, solution_id"
)
_DELETE_MARKS = "DELETE FROM checkin_solution WHERE checkin_id IN ({markers})"
_INSERT_MARKS = "INSERT INTO checkin_solution ({columns}) VALUES ({markers})"


@dataclass(frozen=True)
class Driver:
    """How one database driver wants its parameters, dates and times."""

    name: str
    # The dialect the auth query is compiled with: positional markers, like the statements here.
    dialect: Dialect
    marker: str
    date_param: Callable[[date], Any]
    date_value: Callable[[Any], date]
    datetime_param: Callable[[datetime], Any]
    datetime_value: Callable[[Any], datetime]
    # Appended to the SELECT of rows a conditional replace is about to change: on PostgreSQL
    # another process's writer could change them in between; SQLite has one writer at a time.
    lock: str


# sqlite3: dates and times are text in the formats SQLAlchemy writes (backend.db).
SQLITE = Driver(
    name="sqlite",
    dialect=sqlite.dialect(),
    marker="?",
    date_param=date.isoformat,
    date_value=date.fromisoformat,
    datetime_param=sqlite_utc_text,
    datetime_value=sqlite_utc_value,
    lock="",
)
# psycopg adapts date and aware datetime itself.
POSTGRESQL = Driver(
    name="postgresql",
    dialect=postgresql.psycopg.dialect(paramstyle="format"),
    marker="%s",
    date_param=lambda value: value,
    date_value=lambda value: value,
    datetime_param=lambda value: value,
    datetime_value=lambda value: value.astimezone(UTC),
    lock=" FOR UPDATE",
)
DRIVERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


class Stored(NamedTuple):
    """A check-in row as the hot path sees it (its marks are read only when needed)."""

    id: int
    revision: int
    created_at: datetime
    updated_at: datetime
    # Filled by Statements.stored (the SELECT), not by the writes' RETURNING.
    content: tuple[Any, ...] | None = None


Key = tuple[int, date]  # (member_id, work_date)


@lru_cache(maxsize=1024)
def _markers(marker: str, count: int) -> str:
    return ", ".join([marker] * count)


@lru_cache(maxsize=512)
def _insert(template: str, marker: str, rows: int) -> str:
    row = f"({_markers(marker, len(UPSERT_COLUMNS))})"
    return template.format(columns=", ".join(UPSERT_COLUMNS), rows=", ".join([row] * rows))


@lru_cache(maxsize=512)
def _authenticate(driver: str, count: int) -> str:
    """The auth domain's member-by-token query as this driver's SQL for `count` token hashes."""
    labelled = (column.label(name) for name, column in MEMBER_CONTEXT_COLUMNS.items())
    columns = [col(MemberToken.token_hash), *labelled]
    query = member_token_query(*columns).params(token_hashes=["?"] * count)
    compiled = query.compile(
        dialect=DRIVERS[driver].dialect, compile_kwargs={"render_postcompile": True}
    )
    assert tuple(compiled.positiontup or ()) == tuple(
        f"token_hashes_{n}" for n in range(1, count + 1)
    ), "the token hashes are the query's only parameters"
    return compiled.string


@lru_cache(maxsize=512)
def _select_stored(driver: str, count: int) -> str:
    d = DRIVERS[driver]
    where = " OR ".join([f"(member_id = {d.marker} AND work_date = {d.marker})"] * count)
    return _SELECT_STORED.format(where=where, lock=d.lock)


class Statements:
    """The hot-path statements on the raw cursor of the driver connection under `connection`,
    so they run in the writer's transaction and commit with it."""

    def __init__(self, connection: Connection) -> None:
        self.driver = DRIVERS[connection.dialect.name]
        self.cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def authenticate(self, token_hashes: Sequence[str]) -> dict[str, dict[str, Any]]:
        """token hash → MemberContext's fields (member_id, team_id, timezone, window_days,
        working_days, frozen_through or None), for the tokens that belong to a member."""
        unique = list(dict.fromkeys(token_hashes))
        self.cursor.execute(_authenticate(self.driver.name, len(unique)), unique)
        as_date = self.driver.date_value
        found = {}
        for row in self.cursor.fetchall():
            fields = dict(zip(_AUTH_KEYS, row, strict=True))
            frozen = fields["frozen_through"]
            fields["frozen_through"] = None if frozen is None else as_date(frozen)
            found[fields.pop("token_hash")] = fields
        return found

    def _rows(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        as_date, as_instant = self.driver.date_param, self.driver.datetime_param
        # A batch's rows share one instant: turned into the driver's value once, not per row.
        instants: dict[datetime, Any] = {}
        values: list[Any] = []
        for row in rows:
            made = [row[name] for name in UPSERT_COLUMNS]
            made[_WORK_DATE] = as_date(made[_WORK_DATE])
            for index in _INSTANTS:
                instant = made[index]
                if (value := instants.get(instant)) is None:
                    value = instants[instant] = as_instant(instant)
                made[index] = value
            values += made
        return values

    def _returned(self) -> dict[Key, Stored]:
        as_date, as_instant = self.driver.date_value, self.driver.datetime_value
        return {
            (row[0], as_date(row[1])): Stored(
                id=row[2],
                revision=row[3],
                created_at=as_instant(row[4]),
                updated_at=as_instant(row[5]),
                content=tuple(row[6:]) if len(row) > 6 else None,
            )
            for row in self.cursor.fetchall()
        }

    def upsert(self, rows: Sequence[dict[str, Any]]) -> dict[Key, Stored]:
        """Creates or replaces each row (a dict by UPSERT_COLUMNS); each row as stored."""
        self.cursor.execute(_insert(_UPSERT, self.driver.marker, len(rows)), self._rows(rows))
        return self._returned()

    def insert_new(self, rows: Sequence[dict[str, Any]]) -> dict[Key, Stored]:
        """Creates the rows whose (member, date) has none yet; only those are returned."""
        self.cursor.execute(_insert(_INSERT_NEW, self.driver.marker, len(rows)), self._rows(rows))
        return self._returned()

    def stored(self, keys: Collection[Key]) -> dict[Key, Stored]:
        """The stored rows for these (member, date) pairs, with their content (calm, flow,
        workload, comment, share_comment); on PostgreSQL locked until the transaction ends."""
        as_date = self.driver.date_param
        params = [value for member_id, day in keys for value in (member_id, as_date(day))]
        self.cursor.execute(_select_stored(self.driver.name, len(keys)), params)
        return self._returned()

    def marks(self, checkin_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
        """checkin id → its marks (solution_id, used), by solution id."""
        if not checkin_ids:
            return {}
        sql = _SELECT_MARKS.format(markers=_markers(self.driver.marker, len(checkin_ids)))
        self.cursor.execute(sql, list(checkin_ids))
        found: dict[int, list[tuple[int, str]]] = {}
        for checkin_id, solution_id, used in self.cursor.fetchall():
            found.setdefault(checkin_id, []).append((solution_id, used))
        return found

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
        """Marks as (checkin_id, solution_id, used), MARK_COLUMNS' order."""
        sql = _INSERT_MARKS.format(
            columns=", ".join(MARK_COLUMNS), markers=_markers(self.driver.marker, 3)
        )
        self.cursor.executemany(sql, marks)


def statements(connection: Connection) -> Statements:
    """Statements (and a cursor) for this connection, made once per DBAPI connection: kept in its
    `info`, which SQLAlchemy drops together with the DBAPI connection when it is replaced."""
    made = connection.info.get("checkin_statements")
    if made is None:
        made = connection.info["checkin_statements"] = Statements(connection)
    return made
