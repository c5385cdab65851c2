"""Demo data: a realistic Danish kindergarten to try the app, and large data sets for benchmarks.

Everything is generated from one seed, so a run can be repeated exactly, and member tokens can be
derived from the seed (`member_token`) by bench scripts. That makes demo tokens and the demo
password public knowledge: they exist for development and tests only, and `seed_demo` refuses to
run in production unless explicitly forced.

Speed: a demo of 500 teams x 20 members x 52 weeks is ~1.7 million check-ins. Rows are generated as
plain Python tuples (values already in the driver's format) and written through the raw driver in
the caller's one transaction — `executemany` on SQLite, binary `COPY` on PostgreSQL — with ids
assigned here, so no row makes a round trip of its own.
"""

import base64
import hashlib
import random
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text
from sqlalchemy.schema import AddConstraint, DropConstraint
from sqlmodel import Session, col, select

from backend import clock, security
from backend.auth import service as auth_service
from backend.checkins.models import CHECKIN_COLUMNS, MARK_COLUMNS
from backend.config import settings
from backend.db import sqlite_utc_text
from backend.holidays import is_holiday
from backend.models import metadata
from backend.orgs.models import Organisation
from backend.teams.models import Team

DEMO_ORG_NAME = "Børnehuset Mælkebøtten"
DEMO_EMAIL = "leder@maelkeboetten.example"
# Public on purpose (printed by `pux serve`): the demo is for development and tests only.
DEMO_PASSWORD = "pux-demo-maelkeboetten"

TEAM_NAMES = (
    "Stue Blå",
    "Stue Grøn",
    "Vuggestuen Solstrålen",
    "Stue Rød",
    "Stue Gul",
    "Vuggestuen Mariehønen",
    "Børnehaven Egernet",
    "Vuggestuen Humlebien",
    "Stue Lilla",
    "Naturgruppen",
)
FIRST_NAMES = (
    "Mette", "Anne", "Hanne", "Lone", "Susanne", "Pia", "Camilla", "Louise", "Sofie", "Ida",
    "Line", "Maria", "Kirsten", "Tina", "Rikke", "Julie", "Emma", "Karen", "Helle", "Birgitte",
    "Lars", "Jens", "Mads", "Peter", "Søren", "Rasmus", "Mikkel", "Anders", "Thomas", "Jonas",
    "Frederik", "Emil", "Nanna", "Signe", "Freja", "Malene", "Dorthe", "Jette", "Bente", "Asger",
)  # fmt: skip
COMMENTS = (
    "Mange syge kolleger i dag – vi løb stærkt hele dagen.",
    "Afhentningen var kaotisk, mange forældre på én gang.",
    "Dejlig dag på legepladsen, børnene var rolige.",
    "Vikar i dag, så rollefordelingen holdt ikke helt.",
    "Svært at nå pauserne i dag.",
    "Der manglede en voksen fra kl. 15.",
    "Tak for en god dag, alle hjalp hinanden.",
    "Larmende dag – to børn var nye på stuen.",
)
COMMENTS_AFTER_TRIAL = (
    "Frokosten gik meget roligere, da bleskiftet var klaret på forhånd.",
    "Godt med fast rollefordeling ved bordene – jeg vidste, hvad jeg skulle.",
    "Børnene hjalp selv med at dække bord, det gav ro.",
    "Puslebordet var ledigt under frokosten for første gang i lang tid.",
)
# A team smaller than the default threshold (5): none of its weeks can be shown.
SMALL_TEAM_MEMBERS = 4
USED_VALUES = ("yes",) * 11 + ("partly",) * 5 + ("no",) * 2 + ("not_relevant",) * 2

LUNCH = {
    "title": "Frokost og puslesituationen",
    "when": "11–12",
    "description": (
        "Alle børn skal spise, skiftes og puttes på samme tid, mens kollegerne skiftes til pause."
    ),
}
PICKUP = {
    "title": "Afhentning",
    "when": "15–16",
    "description": (
        "Forældrene vil gerne have en snak, børnene skal findes og have tøj på, og vi er færre "
        "voksne på stuen."
    ),
}


class DemoError(Exception):
    """The demo cannot be seeded here (production, or this seed is already in the database)."""


@dataclass
class DemoResult:
    org_id: int
    team_ids: list[int]
    seed: int
    coordinator_email: str
    coordinator_created: bool
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def member_token(seed: int, number: int) -> str:
    """The device token of demo member `number` (0-based, team by team) of the demo with `seed`.

    Derived, not random, so bench scripts can authenticate as demo members; same shape as
    `security.new_token()` (256 bits, url-safe base64)."""
    digest = hashlib.sha256(f"pux-demo-member:{seed}:{number}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def working_dates(*, tz_name: str, weeks: int) -> list[date]:
    """Mon–Fri work dates of the last `weeks` weeks up to yesterday, without Danish holidays."""
    today = clock.local_today(tz_name)
    days = (today - timedelta(days=n) for n in range(weeks * 7, 0, -1))
    return [d for d in days if d.weekday() < 5 and not is_holiday(d)]


def find_demo_team(*, session: Session) -> Team | None:
    """The first team of the demo coordinator's first organisation (None without a demo)."""
    coordinator = auth_service.get_by_email(session=session, email=DEMO_EMAIL)
    if coordinator is None:
        return None
    org_ids = sorted(auth_service.org_ids(session=session, coordinator=coordinator))
    if not org_ids:
        return None
    return session.exec(
        select(Team).where(Team.org_id == org_ids[0]).order_by(col(Team.id))
    ).first()


def seed_demo(
    *,
    connection: Connection,
    teams: int = 3,
    members: int = 8,
    weeks: int = 12,
    seed: int | None = None,
    allow_production: bool = False,
    small_team: bool = False,
) -> DemoResult:
    """Seeds one demo organisation inside the caller's transaction (the caller commits).

    With `small_team`, one more team of SMALL_TEAM_MEMBERS (fewer than the threshold k) is added
    after the others: its weeks are always suppressed, so the screens show what that looks like.
    Its members come last in the member-token numbering."""
    if settings.env == "production" and not allow_production:
        raise DemoError("demo data (public tokens and password) is refused in production")
    if teams < 1 or members < 1 or weeks < 1:
        raise DemoError("--teams, --members and --weeks must be at least 1")
    started = time.perf_counter()
    seed = secrets.randbelow(2**31) if seed is None else seed
    taken = connection.execute(
        text("SELECT 1 FROM member_token WHERE token_hash = :h"),
        {"h": security.hash_token(member_token(seed, 0))},
    ).first()
    if taken is not None:
        raise DemoError(f"this database already holds a demo with seed {seed}; use another --seed")

    # The ORM (and the auth service) for the few rows with rules; the bulk goes through _Writer.
    with Session(bind=connection) as session:
        org = Organisation(name=DEMO_ORG_NAME)
        session.add(org)
        session.flush()
        coordinator = auth_service.get_by_email(session=session, email=DEMO_EMAIL)
        created = coordinator is None
        if coordinator is None:
            coordinator = auth_service.create_coordinator(
                session=session, email=DEMO_EMAIL, password=DEMO_PASSWORD
            )
        auth_service.add_to_org(session=session, coordinator=coordinator, org=org)
        assert org.id is not None
        org_id, tz_name = org.id, org.timezone

    generator = _Generator(
        _Writer(connection), org_id=org_id, tz_name=tz_name, seed=seed, weeks=weeks
    )
    # (members, plan pattern) per team; the small team has just started, like pattern 2.
    shapes = [(members, i % 3) for i in range(teams)]
    shapes += [(SMALL_TEAM_MEMBERS, 2)] if small_team else []
    team_ids = generator.run(shapes=shapes)
    result = DemoResult(
        org_id=org_id,
        team_ids=team_ids,
        seed=seed,
        coordinator_email=DEMO_EMAIL,
        coordinator_created=created,
        counts=generator.writer.counts,
    )
    result.counts["organisation"] += 1
    result.counts["coordinator"] += int(created)
    result.seconds = time.perf_counter() - started
    return result


class _Writer:
    """Bulk inserts through the raw driver, inside the SQLAlchemy connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self.raw: Any = connection.connection.driver_connection
        self.counts: Counter[str] = Counter()
        self._next: dict[str, int] = {}
        self._cache_size: int | None = None
        if not self.postgresql:
            # A larger page cache keeps the check-in indexes in memory while millions of rows go in
            # (about twice as fast); the connection's own setting comes back in `finish`.
            self._cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            connection.exec_driver_sql("PRAGMA cache_size = -262144")

    def ids(self, table: str, count: int) -> range:
        """`count` fresh primary keys for `table` (assigned here: child rows need no RETURNING)."""
        if table not in self._next:
            current = self.connection.execute(text(f'SELECT MAX(id) FROM "{table}"')).scalar()
            self._next[table] = (current or 0) + 1
        start = self._next[table]
        self._next[table] = start + count
        return range(start, start + count)

    def instant(self, value: datetime) -> Any:
        # SQLite keeps UTC without offset in SQLAlchemy's text format (see db.UTCDateTime).
        if self.postgresql:
            return value.astimezone(UTC)
        return sqlite_utc_text(value)

    def day(self, value: date) -> Any:
        return value if self.postgresql else value.isoformat()

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        rows = list(rows)
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.raw.cursor()
        try:
            if self.postgresql:
                # Binary COPY costs the client a third of text COPY; it needs the column types.
                types = self._column_types(table, columns)
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
                    copy.set_types(types)
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        finally:
            cursor.close()
        self.counts[table] += len(rows)

    def _column_types(self, table: str, columns: Sequence[str]) -> list[int]:
        oids: dict[str, int] = dict(
            self.connection.execute(
                text(
                    "SELECT attname, atttypid::int FROM pg_attribute "
                    "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0"
                ),
                {"table": f'"{table}"'},
            ).all()
        )
        return [oids[c] for c in columns]

    @contextmanager
    def foreign_keys_checked_at_the_end(self, tables: Sequence[str]) -> Iterator[None]:
        """On PostgreSQL, takes the tables' foreign keys off during the load and adds them back.

        Adding a foreign key checks all rows in one join; keeping it checks each row with a trigger,
        which made up ~80 % of the load time. DDL is transactional, so a failed load leaves the
        keys as they were; until commit the tables are locked, which a demo seeding can afford.
        The definitions come from the models, which the migration tests keep equal to the schema."""
        if not self.postgresql:
            yield
            return
        keys = [fk for t in tables for fk in metadata.tables[t].foreign_key_constraints]
        for key in keys:
            self.connection.execute(DropConstraint(key))
        yield
        for key in keys:
            self.connection.execute(AddConstraint(key))

    def finish(self) -> None:
        """Restores SQLite's cache size; on PostgreSQL, moves each id sequence past our ids."""
        if not self.postgresql:
            self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size or 0)}")
            return
        for table in self._next:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{table}"))'
                )
            )


@dataclass
class _SolutionPlan:
    situation: int  # index into the team's situations
    perspective: str
    title: str
    details: str
    # (days before today, new status); the first entry is the proposal.
    history: list[tuple[int, str]]
    effect: bool = False  # whether the team's ratings improve once it is in trial


def _team_plan(pattern: int, period: int) -> tuple[list[dict[str, str]], list[_SolutionPlan]]:
    """Situations and solutions of a team, by pattern; `period` is the demo's length in days."""
    half = period // 2
    # A success story: trial half way, adopted at the follow-up three weeks later. Calm and flow
    # rise in this team as the solution settles in; other teams move only with their own
    # solutions, so the comparison with the rest of the house shows what is this team's own.
    if pattern == 0:
        adopted = [(half + 14, "proposed"), (half, "trial")]
        if half > 21:
            adopted.append((half - 21, "adopted"))
        return [LUNCH, PICKUP], [
            _SolutionPlan(
                0,
                "P",
                "Bleskift før frokost for de mindste",
                "De yngste skiftes kl. 10.45, så puslebordet er ledigt, mens vi spiser.",
                adopted,
                effect=True,
            ),
            # Tried only since last week: the summary has too few weeks to say anything yet.
            _SolutionPlan(
                0,
                "U",
                "Fast rollefordeling ved frokosten",
                "Én voksen ved hvert bord og én ved puslebordet; rollerne fordeles på morgenmødet.",
                [(half + 14, "proposed"), (min(9, half), "trial")],
            ),
            _SolutionPlan(
                0,
                "X",
                "Børnene dækker selv bord",
                "De største børn henter tallerkener og kopper. Det letter os og styrker børnene.",
                [(half + 14, "proposed")],
            ),
            _SolutionPlan(
                1,
                "P",
                "Korte beskeder ved afhentning",
                "Længere forældresamtaler aftales til et andet tidspunkt eller tages over Aula.",
                [(max(period // 4, 1), "proposed")],
            ),
        ]
    if pattern == 1:  # one solution did not work and was dropped, another one helps
        third = max(period // 3, 1)
        dropped = [(half + 10, "proposed"), (half + 7, "trial")]
        if half > 7:
            dropped.append((half - 7, "dropped"))
        return [PICKUP], [
            _SolutionPlan(
                0,
                "X",
                "En kollega fra nabostuen hjælper 15–16",
                "Naboens voksne tager de børn, der er klar, med ud på legepladsen.",
                dropped,
            ),
            _SolutionPlan(
                0,
                "P",
                "Oprydning flyttes til efter afhentning",
                "Vi rydder op kl. 16.15, så alle voksne er fri til forældrene kl. 15–16.",
                [(third + 7, "proposed"), (third, "trial")],
                effect=True,
            ),
        ]
    recent = min(10, period)  # just started: solutions proposed, nothing tried yet
    return [LUNCH], [
        _SolutionPlan(
            0,
            "U",
            "Sovebørn puttes i to hold",
            "Det første hold puttes kl. 11.15, så ikke alle skal puttes på én gang.",
            [(recent, "proposed")],
        ),
        _SolutionPlan(
            0,
            "X",
            "Madvognen hentes af køkkenet",
            "Køkkenet kører madvognen ind, så vi bliver hos børnene.",
            [(recent, "proposed")],
        ),
    ]


class _Generator:
    """Generates the rows of one demo organisation and hands them to the writer in batches."""

    BATCH = 100_000

    def __init__(self, writer: _Writer, *, org_id: int, tz_name: str, seed: int, weeks: int):
        self.writer = writer
        self.org_id = org_id
        self.zone = ZoneInfo(tz_name)
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = clock.local_today(tz_name)
        self.period = weeks * 7
        self.dates = working_dates(tz_name=tz_name, weeks=weeks)
        self.day_values = [writer.day(d) for d in self.dates]
        # A few check-in moments per date (afternoon of the day, or next morning), pre-formatted.
        now = clock.now()
        self.moments = [
            [
                writer.instant(min(self._local(d + timedelta(days=hour < 12), hour, minute), now))
                for hour, minute in ((14, 5), (15, 40), (16, 20), (19, 55), (7, 10), (7, 50))
            ]
            for d in self.dates
        ]

    def _local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def _ago(self, days: int, hour: int = 13) -> datetime:
        return self._local(self.today - timedelta(days=days), hour)

    def run(self, *, shapes: list[tuple[int, int]]) -> list[int]:
        """Writes the teams (`shapes`: members and plan pattern per team) and all in them."""
        w = self.writer
        teams = len(shapes)
        team_of = [t for t, (size, _) in enumerate(shapes) for _ in range(size)]
        start = self._ago(self.period + 21, 9)
        team_ids = list(w.ids("team", teams))
        w.insert(
            "team",
            ("id", "org_id", "name", "reminder_time", "working_days", "created_at"),
            [
                (tid, self.org_id, _team_name(i), "07:45", "1,2,3,4,5", w.instant(start))
                for i, tid in enumerate(team_ids)
            ],
        )
        member_ids = list(w.ids("member", len(team_of)))
        by_team: list[list[int]] = [[] for _ in shapes]
        for n, mid in enumerate(member_ids):
            by_team[team_of[n]].append(mid)
        names = [
            self.rng.choice(FIRST_NAMES) if self.rng.random() < 0.8 else None for _ in member_ids
        ]
        joined = w.instant(self._ago(self.period + 7, 8))
        w.insert(
            "member",
            ("id", "team_id", "display_name", "locale", "joined_at", "coordinator_note"),
            [
                (mid, team_ids[team_of[n]], names[n], None, joined, "")
                for n, mid in enumerate(member_ids)
            ],
        )
        token_ids = w.ids("member_token", len(member_ids))
        w.insert(
            "member_token",
            ("id", "member_id", "token_hash", "created_at"),
            [
                (tid, mid, security.hash_token(member_token(self.seed, n)), joined)
                for n, (tid, mid) in enumerate(zip(token_ids, member_ids, strict=True))
            ],
        )
        plans = [_team_plan(pattern, self.period) for _, pattern in shapes]
        active = self._solutions(team_ids, plans)
        with w.foreign_keys_checked_at_the_end(("checkin", "checkin_solution")):
            self._checkins(team_ids, by_team, plans, active)
        w.finish()
        return team_ids

    def _solutions(
        self, team_ids: list[int], plans: list[tuple[list[dict[str, str]], list[_SolutionPlan]]]
    ) -> list[list[list[int]]]:
        """Writes situations, solutions, status history and evaluations.

        Returns, per team and work date, the ids of the solutions active (trial/adopted) then."""
        w = self.writer
        situations: list[tuple[Any, ...]] = []
        solutions: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        evaluations: list[tuple[Any, ...]] = []
        active: list[list[list[int]]] = []
        for tid, (team_situations, team_solutions) in zip(team_ids, plans, strict=True):
            situation_ids = list(w.ids("situation", len(team_situations)))
            first_day = max(s.history[0][0] for s in team_solutions) + 7
            for sid, s in zip(situation_ids, team_situations, strict=True):
                at = w.instant(self._ago(first_day))
                situations.append(
                    (sid, tid, s["title"], s["when"], s["description"], "open", at, at)
                )
            team_active: list[list[int]] = [[] for _ in self.dates]
            for solution_id, plan in zip(
                w.ids("solution", len(team_solutions)), team_solutions, strict=True
            ):
                history = [(self._ago(days), status) for days, status in plan.history]
                # A solution in trial has its follow-up meeting ahead: four weeks in, or next week.
                review = None
                if history[-1][1] == "trial":
                    in_four_weeks = history[-1][0].date() + timedelta(weeks=4)
                    review = w.day(max(in_four_weeks, self.today + timedelta(days=7)))
                solutions.append(
                    (
                        solution_id,
                        tid,
                        situation_ids[plan.situation],
                        plan.perspective,
                        plan.title,
                        plan.details,
                        history[-1][1],
                        review,
                        w.instant(history[0][0]),
                        w.instant(history[-1][0]),
                    )
                )
                previous: str | None = None
                for change_id, (at_, status) in zip(
                    w.ids("solution_status_change", len(history)), history, strict=True
                ):
                    changes.append((change_id, solution_id, previous, status, w.instant(at_)))
                    previous = status
                if history[-1][1] == "adopted":
                    meeting = history[-1][0]
                    evaluations.append(
                        (
                            w.ids("evaluation", 1)[0],
                            solution_id,
                            None,
                            "more",
                            "more",
                            "more",
                            "same",
                            "Vi skal skifte lidt tidligere, og det giver travlhed kl. 10.45.",
                            "keep",
                            w.day(meeting.date()),
                            w.instant(meeting + timedelta(minutes=45)),
                        )
                    )
                for i, d in enumerate(self.dates):
                    if _status_on(history, d) in ("trial", "adopted"):
                        team_active[i].append(solution_id)
            active.append(team_active)
        w.insert(
            "situation",
            ("id", "team_id", "title", "when", "description", "status", "created_at", "updated_at"),
            situations,
        )
        w.insert(
            "solution",
            (
                "id",
                "team_id",
                "situation_id",
                "perspective",
                "title",
                "details",
                "status",
                "review_date",
                "created_at",
                "updated_at",
            ),
            solutions,
        )
        w.insert(
            "solution_status_change",
            ("id", "solution_id", "from_status", "to_status", "changed_at"),
            changes,
        )
        w.insert(
            "evaluation",
            (
                "id",
                "solution_id",
                "client_id",
                "more_calm",
                "better_flow",
                "could_relax",
                "not_all_at_once",
                "negative_consequences",
                "decision",
                "meeting_date",
                "created_at",
            ),
            evaluations,
        )
        return active

    def _effects(self, plan: list[_SolutionPlan]) -> list[float]:
        """Per work date, how much the helpful solution is felt: 0 before trial, 1 after 3 weeks."""
        starts = [
            self.today - timedelta(days=days)
            for s in plan
            if s.effect
            for days, status in s.history
            if status == "trial"
        ]
        if not starts:
            return [0.0] * len(self.dates)
        begin = min(starts)
        return [min(max((d - begin).days / 21, 0.0), 1.0) for d in self.dates]

    def _checkins(
        self,
        team_ids: list[int],
        by_team: list[list[int]],
        plans: list[tuple[list[dict[str, str]], list[_SolutionPlan]]],
        active: list[list[list[int]]],
    ) -> None:
        w, rnd, dates = self.writer, self.rng.random, range(len(self.dates))
        checkins: list[tuple[Any, ...]] = []
        marks: list[tuple[Any, ...]] = []
        # Ids are counted here; `finish` moves the PostgreSQL sequence past them.
        next_id = w.ids("checkin", 0).start
        mondays = [0.3 if d.weekday() == 0 else 0.0 for d in self.dates]
        for t, tid in enumerate(team_ids):
            effect = self._effects(plans[t][1])
            # Shared ups and downs of the team (sick colleagues, a substitute, a good day outside).
            noise = [(rnd() + rnd() - 1.0) * 0.9 for _ in dates]
            calm0, flow0, load0 = 3.0 + rnd() * 0.6, 3.2 + rnd() * 0.6, 4.0 + rnd() * 0.5
            # The team's level per date (+0.5 so that int() below rounds): calm and flow rise and
            # workload eases once a helpful solution is in trial.
            calm_level = [calm0 + 1.0 * effect[i] - noise[i] for i in dates]
            flow_level = [flow0 + 0.9 * effect[i] - noise[i] for i in dates]
            load_level = [load0 - 0.9 * effect[i] + noise[i] + mondays[i] for i in dates]
            for mid in by_team[t]:
                presence = 0.55 + rnd() * 0.3  # ~70 % participation on average
                offset = (rnd() - 0.5) * 0.8
                for i in dates:
                    if rnd() > presence:
                        continue
                    # Inlined rounding and clamping to 1..5: this loop runs millions of times.
                    calm = int(calm_level[i] + offset + rnd() + rnd() - 1.0)
                    calm = calm if 0 < calm < 6 else (1 if calm < 1 else 5)
                    flow = int(flow_level[i] + offset + rnd() + rnd() - 1.0)
                    flow = flow if 0 < flow < 6 else (1 if flow < 1 else 5)
                    pressure = int(load_level[i] - offset + rnd() - 0.5)
                    load: int | None = pressure if 0 < pressure < 6 else (1 if pressure < 1 else 5)
                    comment, shared, extra = None, False, rnd()
                    if extra < 0.025:
                        shared = extra < 0.018
                        helped = effect[i] > 0.3 and extra < 0.012
                        pool = COMMENTS_AFTER_TRIAL if helped else COMMENTS
                        comment = pool[int(rnd() * len(pool))]
                    elif extra < 0.04:
                        load = None  # skipped one rating
                    at = self.moments[i][int(rnd() * 6)]
                    checkins.append(
                        (
                            next_id,
                            mid,
                            tid,
                            self.day_values[i],
                            calm,
                            flow,
                            load,
                            comment,
                            shared,
                            1,
                            at,
                            at,
                        )
                    )
                    for solution_id in active[t][i]:
                        marks.append((next_id, solution_id, USED_VALUES[int(rnd() * 20)]))
                    next_id += 1
                if len(checkins) >= self.BATCH:
                    self._flush(checkins, marks)
        self._flush(checkins, marks)

    def _flush(self, checkins: list[tuple[Any, ...]], marks: list[tuple[Any, ...]]) -> None:
        # Rows are built in the tables' column order (checkins.models), id first.
        self.writer.insert("checkin", CHECKIN_COLUMNS, checkins)
        self.writer.insert("checkin_solution", MARK_COLUMNS, marks)
        checkins.clear()
        marks.clear()


def _status_on(history: list[tuple[datetime, str]], day: date) -> str | None:
    """The status a solution had during work date `day` (changes count from their date on)."""
    status = None
    for at, new in history:
        if at.date() <= day:
            status = new
    return status


def _team_name(index: int) -> str:
    name = TEAM_NAMES[index % len(TEAM_NAMES)]
    return name if index < len(TEAM_NAMES) else f"{name} {index // len(TEAM_NAMES) + 1}"
