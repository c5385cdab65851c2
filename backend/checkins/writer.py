"""Group commit for check-in writes: one thread, one connection, many requests per transaction.

Why: a commit (an fsync on SQLite, a WAL flush on PostgreSQL) costs far more than the upsert
itself, SQLite allows one writer at a time anyway, and per-request round trips to PostgreSQL make
a thread hand the GIL back and forth. So the `async def` PUT route hands its parsed request to
this thread instead of blocking the event loop or a pool thread on a connection; the thread takes
every request that is waiting, records them together (service.record_checkins, a few set-based
statements) in ONE transaction, and answers each request only after that transaction has
committed — nobody is told "saved" before it is.

Refusals (AppError: bad token, date outside the window, foreign solution) are outcomes, written
nothing, and leave the rest of the batch alone. Any other exception (a database error) aborts the
shared transaction, so the batch is rolled back and each request is re-run alone in its own
transaction: only the faulty one fails."""

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from backend import db, metrics
from backend.checkins import service
from backend.checkins.service import CheckInRequest, Recorded
from backend.errors import AppError

log = logging.getLogger(__name__)

# Large enough to take all waiting requests of a busy server in one commit, small enough that one
# transaction never holds SQLite's write lock for long.
MAX_BATCH = 256

Handler = Callable[[Connection, Sequence[CheckInRequest]], list[Recorded | AppError]]


def _record(
    connection: Connection, requests: Sequence[CheckInRequest]
) -> list[Recorded | AppError]:
    return service.record_checkins(connection=connection, requests=requests)


@dataclass
class _Waiting:
    request: CheckInRequest
    future: "asyncio.Future[Recorded]"
    loop: asyncio.AbstractEventLoop


_STOP = object()


def _resolve(answers: list[tuple["asyncio.Future[Recorded]", Any]]) -> None:
    for future, outcome in answers:
        if future.cancelled():  # the client went away; its write still counts (PUT is idempotent)
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class BatchWriter:
    def __init__(self, engine: Engine, handler: Handler = _record) -> None:
        self.engine = engine
        self.handler = handler
        self._queue: queue.SimpleQueue[list[_Waiting] | object] = queue.SimpleQueue()
        # Requests of the current event-loop iteration, handed over together: waking the thread
        # (and every GIL hand-over) once per loop iteration instead of once per request was
        # measured to matter as much as the SQL.
        self._pending: list[_Waiting] = []
        self._pending_lock = threading.Lock()
        self._connection: Connection | None = None  # used by the writer thread only
        self._thread = threading.Thread(target=self._loop, name="checkin-writer", daemon=True)
        self._thread.start()

    async def record(self, request: CheckInRequest) -> Recorded:
        """Records one check-in; returns after the transaction holding it has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Recorded] = loop.create_future()
        with self._pending_lock:
            self._pending.append(_Waiting(request, future, loop))
            first = len(self._pending) == 1
        if first:
            loop.call_soon(self._hand_over)
        return await future

    def _hand_over(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, []
        if pending:
            self._queue.put(pending)

    def close(self) -> None:
        """Finishes the requests already handed over, then stops the thread."""
        self._hand_over()
        self._queue.put(_STOP)
        self._thread.join()

    def _loop(self) -> None:
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch: list[_Waiting] = list(first)  # type: ignore[call-overload]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is _STOP:
                        stop = True
                        break
                    batch += more  # type: ignore[arg-type]
                outcomes = self._run_batch([waiting.request for waiting in batch])
                metrics.record_checkin_batch(
                    size=len(batch),
                    recorded=sum(not isinstance(o, BaseException) for o in outcomes),
                )
                self._answer(batch, outcomes)
                if stop:
                    return
        finally:
            if self._connection is not None:
                self._connection.close()

    def _run_batch(self, requests: list[CheckInRequest]) -> list[Any]:
        try:
            return self._transaction(requests)
        except Exception as error:
            if self._is_operational(error):
                # The database itself failed (still locked after busy_timeout, connection lost):
                # every request would fail alike, so try the batch once more, on a new
                # connection, rather than one by one; if that fails too, the database is
                # unavailable (503) for all of them.
                log.warning("check-in batch of %d failed (%s); retrying it", len(requests), error)
                self._discard()
                try:
                    return self._transaction(requests)
                except Exception as again:
                    self._discard()
                    return [db.unavailable(again) or again] * len(requests)
            log.warning("check-in batch of %d failed; retrying one by one", len(requests))
            outcomes: list[Any] = []
            for request in requests:
                try:
                    outcomes += self._transaction([request])
                except Exception as failure:
                    outcomes.append(failure)
            return outcomes

    def _transaction(self, requests: list[CheckInRequest]) -> list[Any]:
        connection = self._usable()
        with connection.begin():
            return self.handler(connection, requests)

    def _is_operational(self, error: Exception) -> bool:
        return db.unavailable(error) is not None

    def _answer(self, batch: list[_Waiting], outcomes: list[Any]) -> None:
        # One wake-up per event loop for the whole batch, not one per request.
        answers: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Recorded], Any]]] = {}
        for waiting, outcome in zip(batch, outcomes, strict=True):
            answers.setdefault(waiting.loop, []).append((waiting.future, outcome))
        for loop, answered in answers.items():
            # RuntimeError: that event loop is closed, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, answered)

    def _usable(self) -> Connection:
        # Connect on first use, and again after a lost connection (e.g. PostgreSQL restarted) or
        # a SQLite file that was moved away; a failure here fails the waiting requests instead
        # of killing the thread.
        connection = self._connection
        if connection is not None and not (
            connection.invalidated or connection.closed or db.sqlite_file_replaced(connection)
        ):
            return connection
        self._discard()
        self._connection = self.engine.connect()
        return self._connection

    def _discard(self) -> None:
        """Drops the connection (the raw driver's errors do not tell SQLAlchemy it broke)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.invalidate()
            with contextlib.suppress(Exception):
                connection.close()


_writer: BatchWriter | None = None
_lock = threading.Lock()


def get_writer() -> BatchWriter:
    """The writer for the app's current engine, started on first use.

    Built lazily from `db.engine` (not at import) so tests and the CLI that swap the engine with
    `db.use_engine` get a writer on the right database."""
    global _writer
    with _lock:
        if _writer is None or _writer.engine is not db.engine:
            if _writer is not None:
                _writer.close()
            _writer = BatchWriter(db.engine)
        return _writer


def shutdown() -> None:
    """Stops the writer (app shutdown): queued check-ins are committed first."""
    global _writer
    with _lock:
        if _writer is not None:
            _writer.close()
            _writer = None
