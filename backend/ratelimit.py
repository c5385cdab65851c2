"""Failed-attempt limits (coordinator login, invite codes): growing delays, kept in the database.

Why the database: several `pux serve` processes on one PostgreSQL must share one count, and a
restart must not wipe it. (The `limits` library has no SQL storage in its released versions, and
growing delays are not one of its strategies; this is one small table and two statements.)

A key (e.g. "login-pair:203.0.113.9|leder@example.dk") counts its failures; failures are forgotten
after `Rule.window` without a new one. The first `Rule.free` failures cost nothing; after that each
failure blocks the key for a delay that doubles (1 s, 2 s, 4 s, …) up to `Rule.max_delay`. A
blocked key's `Retry-After` is the true time left. Which keys an endpoint checks, and what a
blocked key refuses, is the endpoint's rule (docs/http.md)."""

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from backend import clock, db
from backend.config import settings
from backend.db import utc_field
from backend.errors import TooManyRequests


class RateLimit(SQLModel, table=True):
    __tablename__ = "rate_limit"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    blocked_until: datetime = utc_field()
    # When the row means nothing any more (no failure within the window, no block, no
    # remembered success): rows past it are deleted.
    expires_at: datetime = utc_field(index=True)


@dataclass(frozen=True)
class Rule:
    name: str
    free: int
    window: timedelta
    max_delay: timedelta
    # False: a quota rather than a guard against guessing — past `free`, the full `max_delay`.
    growing: bool = True

    def key(self, subject: str) -> str:
        return f"{self.name}:{subject}"

    def delay(self, failures: int) -> timedelta:
        if failures <= self.free:
            return timedelta(0)
        if not self.growing:
            return self.max_delay
        seconds = 2.0 ** min(failures - self.free - 1, 30)
        return min(self.max_delay, timedelta(seconds=seconds))


def address_key(host: str) -> str:
    """A client address as a limit key: IPv6 by its /64, which one client can rotate within."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


_TABLE = RateLimit.__table__  # type: ignore[attr-defined]


def blocked_for(keys: Sequence[str]) -> int:
    """Seconds until every one of `keys` is unblocked (0: none is blocked)."""
    now = clock.now()
    with db.engine.connect() as connection:
        until = connection.execute(
            select(_TABLE.c.blocked_until).where(
                _TABLE.c.key.in_(keys), _TABLE.c.blocked_until > now
            )
        ).scalars()
        latest = max(until, default=None)
    if latest is None:
        return 0
    return max(1, math.ceil((latest - now).total_seconds()))


def _upsert(dialect: str) -> type:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert  # type: ignore[return-value]


def record_failure(failures: Sequence[tuple[Rule, str]]) -> int:
    """Counts a failure against each (rule, key), in a transaction of its own (the request that
    failed commits nothing); returns the longest block it caused, in seconds (0: none)."""
    now = clock.now()
    table = _TABLE
    longest = timedelta(0)
    with db.engine.begin() as connection:
        insert = _upsert(connection.dialect.name)
        for rule, key in sorted(failures, key=lambda pair: pair[1]):  # one lock order
            statement = insert(table).values(
                key=key, failures=1, blocked_until=now, expires_at=now + rule.window
            )
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    # A row past its expiry starts over; a remembered success stays remembered.
                    "failures": case((table.c.expires_at <= now, 1), else_=table.c.failures + 1),
                    "expires_at": case(
                        (table.c.expires_at > now + rule.window, table.c.expires_at),
                        else_=now + rule.window,
                    ),
                },
            ).returning(table.c.failures)
            count = connection.execute(statement).scalar_one()
            delay = rule.delay(count)
            if delay:
                longest = max(longest, delay)
                connection.execute(
                    table.update()
                    .where(table.c.key == key)
                    .values(
                        blocked_until=now + delay,
                        expires_at=case(
                            (table.c.expires_at > now + delay, table.c.expires_at),
                            else_=now + delay,
                        ),
                    )
                )
        connection.execute(delete(table).where(table.c.expires_at < now))
    return math.ceil(longest.total_seconds())


def forget(keys: Sequence[str]) -> None:
    """Clears the keys' failures (the owner got in)."""
    with db.engine.begin() as connection:
        connection.execute(delete(_TABLE).where(_TABLE.c.key.in_(keys)))


def remember(key: str, *, days: int) -> None:
    """Keeps `key` for `days` (a client address a coordinator logged in from)."""
    now = clock.now()
    table = _TABLE
    with db.engine.begin() as connection:
        insert = _upsert(connection.dialect.name)
        expires = now + timedelta(days=days)
        connection.execute(
            insert(table)
            .values(key=key, failures=0, blocked_until=now, expires_at=expires)
            .on_conflict_do_update(index_elements=[table.c.key], set_={"expires_at": expires})
        )


def is_remembered(key: str) -> bool:
    with db.engine.connect() as connection:
        found = connection.execute(
            select(_TABLE.c.key).where(_TABLE.c.key == key, _TABLE.c.expires_at > clock.now())
        ).first()
    return found is not None


def too_many(seconds: int, what: str) -> TooManyRequests:
    return TooManyRequests(
        f"Too many failed {what}; try again in {seconds} seconds", retry_after_seconds=seconds
    )


# --- The rules -----------------------------------------------------------------------------------

# Coordinator login. A pair (address + account) is what one person at one place tries; an account
# is tried from everywhere; an address tries any number of accounts (30 emails from one address).
# An address a coordinator has logged in from is exempt from the address and account rules (only
# its pair counts), so whoever hammers an account elsewhere never locks its owner out at home.
LOGIN_PAIR = Rule(
    "login-pair",
    free=settings.login_max_failures,
    window=timedelta(minutes=15),
    max_delay=timedelta(minutes=settings.login_lockout_minutes),
)
LOGIN_ACCOUNT = Rule(
    "login-account", free=20, window=timedelta(minutes=15), max_delay=timedelta(minutes=5)
)
LOGIN_ADDRESS = Rule(
    "login-address", free=10, window=timedelta(minutes=15), max_delay=timedelta(minutes=15)
)
LOGIN_KNOWN = "login-known"
KNOWN_ADDRESS_DAYS = 30

# Invite codes (POST /join, GET /invites/{code}): only wrong or stale codes count, and a valid
# code always joins, so a staff room behind one address joins even after typos. Codes have
# ~53 bits, so the limit bounds the noise and load of guessing, not its (negligible) odds.
JOIN_ADDRESS = Rule(
    "join-address", free=20, window=timedelta(minutes=10), max_delay=timedelta(minutes=10)
)

# Test notifications (POST /me/push-subscriptions/test): each is a request to every device's push
# service, so every test counts, not only failed ones — five per member in ten minutes.
TEST_PUSH = Rule(
    "test-push",
    free=5,
    window=timedelta(minutes=10),
    max_delay=timedelta(minutes=10),
    growing=False,
)
