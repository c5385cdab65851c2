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
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from backend import db
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


def _resolve(future: "asyncio.Future[Recorded]", outcome: Any) -> None:
    if future.cancelled():  # the client went away; its write still counts (PUT is idempotent)
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class BatchWriter:
    def __init__(self, engine: Engine, handler: Handler = _record) -> None:
        self.engine = engine
        self.handler = handler
        self._queue: queue.SimpleQueue[_Waiting | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="checkin-writer", daemon=True)
        self._thread.start()

    async def record(self, request: CheckInRequest) -> Recorded:
        """Records one check-in; returns after the transaction holding it has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Recorded] = loop.create_future()
        self._queue.put(_Waiting(request, future, loop))
        return await future

    def close(self) -> None:
        """Finishes the requests already queued, then stops the thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def _loop(self) -> None:
        connection: Connection | None = None
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch: list[_Waiting] = [first]  # type: ignore[list-item]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)  # type: ignore[arg-type]
                connection = self._run_batch(connection, batch)
                if stop:
                    return
        finally:
            if connection is not None:
                connection.close()

    def _run_batch(self, connection: Connection | None, batch: list[_Waiting]) -> Connection | None:
        outcomes: list[Any]
        try:
            connection = self._usable(connection)
            with connection.begin():
                outcomes = self.handler(connection, [waiting.request for waiting in batch])
        except Exception:
            log.warning("check-in batch of %d failed; retrying one by one", len(batch))
            outcomes = []
            for waiting in batch:
                try:
                    connection = self._usable(connection)
                    with connection.begin():
                        outcomes += self.handler(connection, [waiting.request])
                except Exception as failure:
                    outcomes.append(failure)
        for waiting, outcome in zip(batch, outcomes, strict=True):
            waiting.loop.call_soon_threadsafe(_resolve, waiting.future, outcome)
        return connection

    def _usable(self, connection: Connection | None) -> Connection:
        # Connect on first use, and again after a lost connection (e.g. PostgreSQL restarted);
        # a failure here fails the waiting requests instead of killing the thread.
        if connection is not None and not (connection.invalidated or connection.closed):
            return connection
        if connection is not None:
            connection.close()
        return self.engine.connect()


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
