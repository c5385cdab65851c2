"""Computed figures of frozen weeks, kept in memory until something they depend on changes.

A roll-up is written once and never changed, so whatever is computed from an organisation's
roll-ups stays right as long as the same roll-ups are there and read under the same threshold.
Every key therefore holds the organisation's `rollup.OrgState.version` — each team's id, creation
time and `frozen_through` — and its k: a week closing (frozen_through moves), a team added,
deleted or moved to another organisation, or k changed gives new keys, and the old entries fall
out of the LRU. Nothing is invalidated by hand, so replicas need no coordination: each asks the
database for the version (one small query it makes anyway, to know whether to freeze).

Only figures made of roll-ups are kept here, never raw check-ins (comments), and nothing that can
change (solution statuses and titles, member counts, team names are read on every request)."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

# What the entries may weigh in all, as their makers estimate it. A 500-team year — its rows,
# their JSON, the document and its gzip — is estimated at ~11 MB, a team's cells at a few KB; the
# server's RSS grew 31 MB (147 → 178 MB) keeping that year, a 50-team year and a summary, so a
# full cache costs about 70 MB: two 500-team years fit, and a process stays under issue 9's
# 250 MB.
MAX_WEIGHT = 24 * 1024 * 1024

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
_weight = 0
enabled = True  # bench/dashboard turns it off to time the computation itself


def peek(key: Hashable) -> Any:
    """The value kept for `key`, or None."""
    if not enabled:
        return None
    with _lock:
        found = _entries.get(key)
        if found is None:
            return None
        _entries.move_to_end(key)
        return found[0]


def put(key: Hashable, value: object, weight: int = 1) -> None:
    """Keeps `value` for `key`, weighing about `weight` bytes (a value too large to keep without
    pushing out everything else is not kept)."""
    global _weight
    if not enabled or weight > MAX_WEIGHT // 2:
        return
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _weight -= old[1]
        _entries[key] = (value, weight)
        _weight += weight
        while _weight > MAX_WEIGHT:
            _, (_, dropped) = _entries.popitem(last=False)
            _weight -= dropped


def get(key: Hashable, compute: Callable[[], T], weight: Callable[[T], int] = lambda _: 1) -> T:
    """The value kept for `key`, or `compute()`, kept for next time. Two threads that miss at
    once both compute the same value; neither waits for the other."""
    found = peek(key)
    if found is not None:
        return found
    value = compute()
    put(key, value, weight(value))
    return value


def clear() -> None:
    global _weight
    with _lock:
        _entries.clear()
        _weight = 0
