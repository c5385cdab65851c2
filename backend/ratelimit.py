"""A small in-process limiter for failed attempts per key (e.g. invite codes guessed per client IP).

It counts failures in a sliding window; once a key reaches the limit it is refused until the
oldest failure leaves the window. State lives in this process only: with several workers each
keeps its own count, which still bounds guessing (an invite code has ~53 bits). Coordinator login
keeps its lockout in the database instead, because it protects one account across workers."""

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from backend import clock
from backend.errors import TooManyRequests


class FailureLimiter:
    def __init__(self, *, max_failures: int, window: timedelta, what: str) -> None:
        self.max_failures = max_failures
        self.window = window
        self.what = what
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: datetime) -> deque[datetime] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures

    def check(self, key: str) -> None:
        """Raises TooManyRequests (with Retry-After) while `key` is over its limit."""
        now = clock.now()
        with self._lock:
            failures = self._prune(key, now)
            if failures is None or len(failures) < self.max_failures:
                return
            retry_after = failures[0] + self.window - now
        seconds = max(1, int(retry_after.total_seconds() + 0.999))
        raise TooManyRequests(
            f"Too many failed {self.what} attempts; try again in {seconds} seconds",
            retry_after_seconds=seconds,
        )

    def record_failure(self, key: str) -> None:
        now = clock.now()
        with self._lock:
            if len(self._failures) > 10_000:  # forget idle keys so memory stays bounded
                for stale in list(self._failures):
                    self._prune(stale, now)
            self._failures.setdefault(key, deque()).append(now)

    @contextmanager
    def attempt(self, key: str, *, failures: tuple[type[Exception], ...]) -> Iterator[None]:
        """Refuses `key` while it is over the limit; counts the block's `failures` against it."""
        self.check(key)
        try:
            yield
        except failures:
            self.record_failure(key)
            raise

    def reset(self) -> None:
        """Forgets every failure (tests start from a clean slate)."""
        with self._lock:
            self._failures.clear()


# Invite codes: 20 wrong or stale codes per client IP in 10 minutes, then 429 until the oldest
# failure is 10 minutes old. Shared by POST /join and GET /invites/{code}.
invite_limiter = FailureLimiter(max_failures=20, window=timedelta(minutes=10), what="invite code")
