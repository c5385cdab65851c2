"""Secrets: bearer tokens (random, stored only as SHA-256), invite codes, password hashing."""

import contextlib
import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from backend.errors import ServerBusy

T = TypeVar("T")

# argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane). A hash made with other parameters
# (the earlier 64 MiB ones) is replaced at its owner's next successful login.
_password_hash = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))
# Hashed once at import so an unknown email costs as much as a wrong password (no timing oracle).
DUMMY_PASSWORD_HASH = _password_hash.hash("pux-dummy-password-for-timing")

# Each hash takes 19 MiB and a core for tens of milliseconds, so hashes run in a small pool (one
# thread per core but one): memory stays flat however many logins arrive (malloc keeps a freed
# 19 MiB in the arena of the thread that used it, so hashing in every request thread grew by that
# per thread). A few more wait briefly; beyond that a login gets 503 ServerBusy with Retry-After at
# once instead of piling up.
HASH_SLOTS = max(1, (os.cpu_count() or 1) - 1)  # a core stays free for the event loop
MAX_WAITING_HASHES = 4 * HASH_SLOTS
HASH_WAIT_SECONDS = 2.0


def _lower_priority() -> None:
    # The hashing threads yield the CPU to the event loop and the check-in writer: a flood of
    # logins slows logins, not check-ins. (Linux: a thread's nice value is its own.)
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


_pool = ThreadPoolExecutor(
    max_workers=HASH_SLOTS, thread_name_prefix="argon2", initializer=_lower_priority
)
_admitted = 0
_admitted_lock = threading.Lock()


_logins = 0


def logins_full() -> bool:
    """Whether a new login would be refused now (read without the lock: the HTTP edge uses it to
    refuse early; `login_slot` is the admission that counts)."""
    return _logins >= HASH_SLOTS + MAX_WAITING_HASHES


@contextmanager
def login_slot() -> Iterator[None]:
    """Admits a login while fewer than the hashing pool takes on are under way; otherwise
    ServerBusy at once, before the login touches the database or a thread (a flood of logins
    must not occupy the request threads, whose contention for the interpreter slowed
    check-ins)."""
    global _logins
    with _admitted_lock:
        if _logins >= HASH_SLOTS + MAX_WAITING_HASHES:
            raise ServerBusy("Too many logins at once; try again in a moment")
        _logins += 1
    try:
        yield
    finally:
        with _admitted_lock:
            _logins -= 1


def _in_pool(work: Callable[[], T]) -> T:
    """Runs `work` in the hashing pool; ServerBusy when too many wait or the wait is too long."""
    global _admitted
    with _admitted_lock:
        if _admitted >= HASH_SLOTS + MAX_WAITING_HASHES:
            raise ServerBusy("Too many logins at once; try again in a moment")
        _admitted += 1
    try:
        started = threading.Event()

        def run() -> T:
            started.set()
            return work()

        future = _pool.submit(run)
        # Only the wait for a free thread is bounded; a hash that has started is waited for.
        if not started.wait(HASH_WAIT_SECONDS) and future.cancel():
            raise ServerBusy("Too many logins at once; try again in a moment")
        return future.result()
    finally:
        with _admitted_lock:
            _admitted -= 1


# Unambiguous alphabet: no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V. 22 symbols, 12 chars: ~53.5 bits.
INVITE_ALPHABET = "34679ACDEFGHJKMNPQRTWX"
INVITE_LENGTH = 12


def new_token() -> str:
    """A bearer token with 256 bits of entropy; only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens are high-entropy random values, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(token.encode()).hexdigest()


def new_invite_code() -> str:
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, INVITE_LENGTH, 4))


def normalize_invite_code(code: str) -> str:
    """Accepts codes typed with spaces, lower case or without dashes."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def hash_password(password: str) -> str:
    return _in_pool(lambda: _password_hash.hash(password))


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash when the stored one has old parameters."""
    return _in_pool(lambda: _password_hash.verify_and_update(password, password_hash))
