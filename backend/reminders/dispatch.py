"""Reminder passes: who is due now, claiming each reminder in the database, sending, recording.

The rule (docs/reminders.md): a member is due for date D at instant `now` when D is their local
date (the organisation's time zone), D is one of their reminder weekdays, not a public holiday they
skip, not inside their pause, their reminder time ≤ local time < reminder time + 2 h, and nothing
was claimed for (member, D, kind) yet. The afternoon follow-up (kind 2) has the same rule at
PUX_FOLLOW_UP_TIME and goes only to members who have not answered for D.

A claim is a row with the primary key (member, D, kind), inserted with ON CONFLICT DO NOTHING and
committed before anything is sent: of several passes — overlapping in one process, or in several
processes on one database — exactly one gets each row and sends that reminder. A late server
never sends yesterday's reminder (D is always today), and a reminder more than two hours late is
not sent at all. Claims are inserted in chunks, in an order that differs per process, so two
dispatchers share a large pass instead of queueing behind each other's locks."""

import asyncio
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from backend import clock, db, metrics
from backend.checkins import workdates
from backend.checkins.models import CheckIn
from backend.config import settings
from backend.holidays import is_holiday
from backend.orgs.models import Organisation
from backend.reminders import messages, vapid
from backend.reminders.models import PushSubscription, ReminderClaim, ReminderSettings
from backend.reminders.push import Outcome, Push, encode_payload, send_spread
from backend.solutions import service as solution_service
from backend.solutions.models import Solution
from backend.solutions.schemas import Perspective
from backend.teams.models import Member, Team

log = logging.getLogger("pux.reminders")

MORNING, FOLLOW_UP = 1, 2
LATENESS = timedelta(hours=2)
CLAIM_CHUNK = 500
# Claims are kept this long (a pass only ever looks at today's), then deleted.
KEEP_CLAIMS_DAYS = 35

_member = Member.__table__  # type: ignore[attr-defined]
_team = Team.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_settings = ReminderSettings.__table__  # type: ignore[attr-defined]
_subscription = PushSubscription.__table__  # type: ignore[attr-defined]
_claim = ReminderClaim.__table__  # type: ignore[attr-defined]
_checkin = CheckIn.__table__  # type: ignore[attr-defined]
_solution = Solution.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Due:
    """One reminder to claim: member, kind and their local date, with what its message needs."""

    member_id: int
    kind: int
    today: date
    team_id: int
    timezone: str
    lang: str
    window_days: int
    working_days: str


@dataclass
class PassReport:
    at: datetime
    due: int = 0
    claimed: int = 0
    pushes: int = 0
    delivered: int = 0
    gone: int = 0  # subscriptions the push service said no longer exist (deleted)
    failed: int = 0
    refused: int = 0  # endpoints the address rule refused at send time (skipped)
    seconds: float = 0.0
    claim_seconds: float = 0.0  # finding, claiming and building, before the first push
    last_push_seconds: float = 0.0  # from the start of the pass to the last push's answer
    outcomes: list[Outcome] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        return (
            f"{self.at.isoformat()}: {self.due} due, {self.claimed} claimed, "
            f"{self.pushes} pushes: {self.delivered} delivered, {self.gone} gone (removed), "
            f"{self.failed} failed, {self.refused} refused; {self.seconds:.2f} s"
        )


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _window_lower(local: datetime) -> str:
    """The earliest reminder time (exclusive) still due at `local`: local time − 2 h, never before
    midnight — the window does not reach into yesterday."""
    earlier = local - LATENESS
    return "" if earlier.date() != local.date() else _hhmm(earlier)


def _in_window(start: str, local: datetime) -> bool:
    now_minutes = local.hour * 60 + local.minute
    return _minutes(start) <= now_minutes < _minutes(start) + LATENESS.seconds // 60


def _candidates(*, timezone: str, today: date, kind: int, holiday: bool) -> Select[Any]:
    """Members of organisations in `timezone` with a device, reminders on, `today` among their
    weekdays, not skipped as a holiday, not paused, and no claim of `kind` for `today` yet."""
    weekdays = func.coalesce(_settings.c.weekdays, _team.c.working_days)
    query = (
        select(
            _member.c.id,
            _member.c.team_id,
            func.coalesce(_member.c.locale, _org.c.locale),
            _org.c.checkin_window_days,
            _team.c.working_days,
        )
        .select_from(
            _member.join(_team, _team.c.id == _member.c.team_id)
            .join(_org, _org.c.id == _team.c.org_id)
            .outerjoin(_settings, _settings.c.member_id == _member.c.id)
        )
        .where(
            _org.c.timezone == timezone,
            exists().where(_subscription.c.member_id == _member.c.id),
            func.coalesce(_settings.c.enabled, true()) == true(),
            (literal(",") + weekdays + literal(",")).like(f"%,{today.isoweekday()},%"),
            or_(_settings.c.paused_until.is_(None), _settings.c.paused_until < today),
            ~exists().where(
                _claim.c.member_id == _member.c.id,
                _claim.c.work_date == today,
                _claim.c.kind == kind,
            ),
        )
        .order_by(_member.c.id)
    )
    if holiday:
        query = query.where(func.coalesce(_settings.c.skip_public_holidays, true()) == false())
    return query


def find_due(connection: Connection, now: datetime) -> list[Due]:
    """Every reminder due at `now` and not claimed yet (see the module's rule)."""
    found: list[Due] = []
    timezones = connection.execute(select(_org.c.timezone).distinct()).scalars().all()
    for timezone in timezones:
        local = now.astimezone(ZoneInfo(timezone))
        today = local.date()
        holiday = is_holiday(today)
        morning = _candidates(timezone=timezone, today=today, kind=MORNING, holiday=holiday)
        reminder_time = func.coalesce(_settings.c.time, _team.c.reminder_time)
        queries = [
            (
                MORNING,
                morning.where(reminder_time <= _hhmm(local), reminder_time > _window_lower(local)),
            )
        ]
        if _in_window(settings.follow_up_time, local):
            follow_up = _candidates(timezone=timezone, today=today, kind=FOLLOW_UP, holiday=holiday)
            queries.append(
                (
                    FOLLOW_UP,
                    follow_up.where(
                        func.coalesce(_settings.c.follow_up, false()) == true(),
                        ~exists().where(
                            _checkin.c.member_id == _member.c.id, _checkin.c.work_date == today
                        ),
                    ),
                )
            )
        for kind, query in queries:
            for member_id, team_id, lang, window_days, working_days in connection.execute(query):
                found.append(
                    Due(member_id, kind, today, team_id, timezone, lang, window_days, working_days)
                )
    return found


def _among(connection: Connection, column: Any, values: Sequence[int]) -> Any:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter: a statement with
    thousands of placeholders is not cached by psycopg, which then spent more time converting
    its placeholders than the database spent running it (4 of 13 s of a 10,000-member pass)."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(Integer)))
    return column.in_(values)


# On PostgreSQL a chunk of claims is one statement with four array parameters.
_CLAIM_ARRAYS = text(
    "INSERT INTO reminder_claim (member_id, work_date, kind, claimed_at, delivered, failed) "
    "SELECT m, d, k, :at, 0, 0 FROM unnest(CAST(:members AS integer[]), CAST(:dates AS date[]), "
    "CAST(:kinds AS smallint[])) AS c(m, d, k) "
    "ON CONFLICT DO NOTHING RETURNING member_id, kind"
)


def claim(connection: Connection, due: Sequence[Due]) -> list[Due]:
    """Inserts a claim per reminder; returns the ones this call got (not claimed by anyone else)."""
    if not due:
        return []
    at = clock.now()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            _CLAIM_ARRAYS,
            {
                "at": at,
                "members": [d.member_id for d in due],
                "dates": [d.today for d in due],
                "kinds": [d.kind for d in due],
            },
        )
    else:
        # One statement, many rows: SQLAlchemy sends them as multi-row VALUES batches and
        # returns the rows actually inserted.
        statement = (
            sqlite.insert(_claim)
            .on_conflict_do_nothing()
            .returning(_claim.c.member_id, _claim.c.kind)
        )
        rows = connection.execute(
            statement,
            [
                {"member_id": d.member_id, "work_date": d.today, "kind": d.kind, "claimed_at": at}
                for d in due
            ],
        )
    got = {(member_id, kind) for member_id, kind in rows}
    return [d for d in due if (d.member_id, d.kind) in got]


def _rated_dates(connection: Connection, due: Sequence[Due]) -> dict[int, set[date]]:
    first = min(_window(d)[0] for d in due)
    rated: dict[int, set[date]] = defaultdict(set)
    rows = connection.execute(
        select(_checkin.c.member_id, _checkin.c.work_date).where(
            _among(connection, _checkin.c.member_id, [d.member_id for d in due]),
            _checkin.c.work_date >= first,
        )
    )
    for member_id, work_date in rows:
        rated[member_id].add(work_date)
    return rated


def _solution_titles(
    connection: Connection, team_days: set[tuple[int, date]]
) -> dict[tuple[int, date], list[str]]:
    """Each team's active solutions on a date, in the order Today lists them (P, U, X, oldest
    first); the rule for "active" is the solutions domain's."""
    with Session(bind=connection) as session:
        active = solution_service.active_solution_ids(session=session, team_days=team_days)
    ids = {solution_id for found in active.values() for solution_id in found}
    if not ids:
        return {}
    order = {perspective: n for n, perspective in enumerate(get_args(Perspective))}
    rows = connection.execute(
        select(_solution.c.id, _solution.c.title, _solution.c.perspective).where(
            _solution.c.id.in_(ids)
        )
    ).all()
    rank = {row.id: (order.get(row.perspective, len(order)), row.id) for row in rows}
    title = {row.id: row.title for row in rows}
    return {
        key: [title[i] for i in sorted(found, key=rank.__getitem__)]
        for key, found in active.items()
    }


def _window(due: Due) -> tuple[date, date]:
    """The member's check-in window now: the check-in domain's rule (working days back)."""
    return workdates.checkin_window(
        due.timezone, workdates.parse_working_days(due.working_days), due.window_days
    )


def work_date_to_rate(due: Due, rated: set[date]) -> date:
    """The date Today suggests to this member now (the check-in domain's rule), so tapping the
    reminder opens the same day the app would."""
    return workdates.suggested_work_date(
        timezone=due.timezone,
        window=_window(due),
        working_days=workdates.parse_working_days(due.working_days),
        rated=rated,
    )


@dataclass
class Messages:
    """What one pass has worked out so far, shared by its chunks: the teams' solution titles per
    date, and each distinct message once (most members of a team get the same one)."""

    titles: dict[tuple[int, date], list[str]] = field(default_factory=dict)
    payloads: dict[tuple[str, int, date, date, tuple[str, ...]], bytes] = field(
        default_factory=dict
    )


def build_pushes(
    connection: Connection, due: Sequence[Due], known: Messages | None = None
) -> list[tuple[Due, Push]]:
    """The messages for claimed reminders, one per device of each member."""
    if not due:
        return []
    known = known or Messages()
    devices: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    rows = connection.execute(
        select(
            _subscription.c.member_id,
            _subscription.c.id,
            _subscription.c.endpoint,
            _subscription.c.p256dh,
            _subscription.c.auth,
        ).where(_among(connection, _subscription.c.member_id, [d.member_id for d in due]))
    )
    for member_id, *device in rows:
        devices[member_id].append((device[0], device[1], device[2], device[3]))
    rated = _rated_dates(connection, due)
    # The date each member would rate now, and the solutions Today shows for it; worked out once
    # per distinct case (most members of an organisation have rated nothing in the window).
    suggested: dict[tuple[str, int, str, frozenset[date]], date] = {}
    work_dates: dict[Due, date] = {}
    for d in due:
        member_rated = frozenset(rated.get(d.member_id, ()))
        case = (d.timezone, d.window_days, d.working_days, member_rated)
        if case not in suggested:
            suggested[case] = work_date_to_rate(d, set(member_rated))
        work_dates[d] = suggested[case]
    missing = {(d.team_id, work_dates[d]) for d in due} - known.titles.keys()
    if missing:
        known.titles.update(_solution_titles(connection, missing))
    pushes: list[tuple[Due, Push]] = []
    for d in due:
        solutions = tuple(known.titles.get((d.team_id, work_dates[d]), ()))
        key = (d.lang, d.kind, d.today, work_dates[d], solutions)
        payload = known.payloads.get(key)
        if payload is None:
            message = messages.reminder_message(
                kind="morning" if d.kind == MORNING else "follow_up",
                lang=d.lang,
                today=d.today,
                work_date=work_dates[d],
                solutions=list(solutions),
            )
            payload = known.payloads[key] = encode_payload(message)
        for subscription_id, endpoint, p256dh, auth in devices.get(d.member_id, []):
            push = Push(subscription_id, endpoint, p256dh, auth, payload, messages.REMINDER_TAG)
            pushes.append((d, push))
    return pushes


def _claim_and_build(
    chunk: Sequence[Due], known: Messages
) -> tuple[list[Due], list[tuple[Due, Push]]]:
    # The claims are committed before their messages are built and sent: another dispatcher
    # waiting on these rows goes on at once, and never sends them.
    with db.engine.begin() as connection:
        claimed = claim(connection, chunk)
    with db.engine.connect() as connection:
        return claimed, build_pushes(connection, claimed, known)


def _claim_and_build_all(
    chunks: Sequence[Sequence[Due]],
) -> tuple[list[Due], list[tuple[Due, Push]]]:
    claimed: list[Due] = []
    pushes: list[tuple[Due, Push]] = []
    known = Messages()
    for chunk in chunks:
        got, built = _claim_and_build(chunk, known)
        claimed += got
        pushes += built
    return claimed, pushes


def _find_due(now: datetime) -> list[Due]:
    with db.engine.connect() as connection:
        return find_due(connection, now)


_FINISH_ARRAYS = text(
    "UPDATE reminder_claim SET finished_at = :at, delivered = u.ok, failed = u.bad "
    "FROM unnest(CAST(:members AS integer[]), CAST(:dates AS date[]), "
    "CAST(:kinds AS smallint[]), CAST(:ok AS integer[]), CAST(:bad AS integer[])) "
    "AS u(m, d, k, ok, bad) "
    "WHERE reminder_claim.member_id = u.m AND reminder_claim.work_date = u.d "
    "AND reminder_claim.kind = u.k"
)


def record_outcomes(
    connection: Connection, claimed: Sequence[Due], sent: Sequence[tuple[Due, Outcome]]
) -> None:
    """Marks each claim finished with its counts; deletes subscriptions the push service says are
    gone (404/410)."""
    counts: dict[tuple[int, date, int], list[int]] = {
        (d.member_id, d.today, d.kind): [0, 0] for d in claimed
    }
    gone: list[int] = []
    for d, outcome in sent:
        entry = counts[d.member_id, d.today, d.kind]
        entry[0 if outcome.result == "delivered" else 1] += 1
        if outcome.result == "gone":
            gone.append(outcome.subscription_id)
    at = clock.now()
    if counts and connection.dialect.name == "postgresql":
        keys, results = list(counts), list(counts.values())
        connection.execute(
            _FINISH_ARRAYS,
            {
                "at": at,
                "members": [m for m, _, _ in keys],
                "dates": [d for _, d, _ in keys],
                "kinds": [k for _, _, k in keys],
                "ok": [ok for ok, _ in results],
                "bad": [bad for _, bad in results],
            },
        )
    elif counts:
        connection.execute(
            _claim.update()
            .where(
                and_(
                    _claim.c.member_id == bindparam("m"),
                    _claim.c.work_date == bindparam("d", type_=_claim.c.work_date.type),
                    _claim.c.kind == bindparam("k"),
                )
            )
            .values(finished_at=at, delivered=bindparam("ok"), failed=bindparam("bad")),
            [
                {"m": m, "d": d, "k": k, "ok": ok, "bad": bad}
                for (m, d, k), (ok, bad) in counts.items()
            ],
        )
    for start in range(0, len(gone), 500):
        connection.execute(
            delete(_subscription).where(
                _among(connection, _subscription.c.id, gone[start : start + 500])
            )
        )


def prune_claims(connection: Connection, today: date) -> None:
    connection.execute(
        delete(_claim).where(_claim.c.work_date < today - timedelta(days=KEEP_CLAIMS_DAYS))
    )


def _record(claimed: Sequence[Due], sent: Sequence[tuple[Due, Outcome]], today: date) -> None:
    with db.engine.begin() as connection:
        record_outcomes(connection, claimed, sent)
        prune_claims(connection, today)


async def run_pass(
    *, now: datetime | None = None, keys: vapid.Keys | None = None, timeout: float | None = None
) -> PassReport:
    """One pass at `now` (default: the clock): claims what is due, then sends it.

    The database work runs in a thread before any push is sent, never beside the sends: a thread
    holding the GIL next to the event loop made each of the loop's system calls wait for it
    (measured: 16 random bytes for a salt took 1.4 ms instead of 1 µs, and a pass ran at a third
    of its speed)."""
    instant = now or clock.now()
    report = PassReport(at=instant)
    started = time.perf_counter()
    started_monotonic = time.monotonic()
    with clock.pinned(instant):
        if keys is None:
            keys = await asyncio.to_thread(vapid.load_keys)
        due = await asyncio.to_thread(_find_due, instant)
        report.due = len(due)
        chunks = [due[i : i + CLAIM_CHUNK] for i in range(0, len(due), CLAIM_CHUNK)]
        if chunks:
            offset = random.randrange(len(chunks))
            chunks = chunks[offset:] + chunks[:offset]
        claimed, pushes = await asyncio.to_thread(_claim_and_build_all, chunks)
        report.claim_seconds = time.perf_counter() - started
        outcomes, last_answer = await send_spread(
            keys,
            [push for _, push in pushes],
            processes=settings.push_processes,
            timeout=timeout,
        )
        report.last_push_seconds = (last_answer - started_monotonic) if last_answer else 0.0
        sent = [(d, outcome) for (d, _), outcome in zip(pushes, outcomes, strict=True)]
        await asyncio.to_thread(_record, claimed, sent, instant.date())
    report.claimed = len(claimed)
    report.pushes = len(sent)
    metrics.record_reminders(Counter(outcome.result for outcome in outcomes))
    report.outcomes = outcomes
    for outcome in outcomes:
        if outcome.result == "delivered":
            report.delivered += 1
        elif outcome.result == "gone":
            report.gone += 1
        elif outcome.result == "refused":
            report.refused += 1
        else:
            report.failed += 1
    report.seconds = time.perf_counter() - started
    return report
