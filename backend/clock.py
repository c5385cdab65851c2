"""The app's one clock, and the one place that turns instants into local work dates."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from backend.config import settings

# An instant a piece of work runs at as a whole (a reminder pass at `--now`); context-local, so
# tasks and threads started inside the work see it and nothing else does.
_pinned: ContextVar[datetime | None] = ContextVar("pinned_now", default=None)


def now() -> datetime:
    """Current instant, timezone-aware UTC; pinned by PUX_NOW in demos and tests."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    if settings.now is not None:
        return settings.now.astimezone(UTC)
    return datetime.now(UTC)


@contextmanager
def pinned(instant: datetime) -> Iterator[datetime]:
    """Inside the block (and the tasks and threads it starts) `now()` is `instant`: every rule
    asked during one reminder pass sees the same moment, also the ones other domains own."""
    if instant.tzinfo is None:
        raise ValueError("a pinned instant needs a time zone")
    token = _pinned.set(instant.astimezone(UTC))
    try:
        yield instant.astimezone(UTC)
    finally:
        _pinned.reset(token)


def local_now(tz_name: str) -> datetime:
    return now().astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str) -> date:
    return local_now(tz_name).date()
