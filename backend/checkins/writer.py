"""Group commit for check-in writes: one thread, one connection, many requests per transaction.

Why: a commit (an fsync on SQLite, a WAL flush on PostgreSQL) costs far more than the upsert
itself, and SQLite allows one writer at a time anyway. So `async def` routes hand their job to
this thread instead of blocking the event loop or a thread-pool thread on a connection; the thread
runs every job that is waiting in ONE transaction and answers each request only after that
transaction has committed — nobody is told "saved" before it is.

Jobs must do every check before their first write and signal refusal with an AppError; the
writer then simply reports that error (nothing of that job was written). Any other exception
(a database error) aborts the shared transaction, so the batch is rolled back and each of its
jobs is re-run alone in its own transaction: only the faulty one fails."""

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from backend import db
from backend.errors import AppError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Large enough to take all waiting requests of a busy server in one commit, small enough that one
# transaction never holds SQLite's write lock for long.
MAX_BATCH = 256


@dataclass
class _Job:
    run: Callable[[Connection], Any]
    future: "asyncio.Future[Any]"
    loop: asyncio.AbstractEventLoop


_STOP = object()


def _resolve(future: "asyncio.Future[Any]", value: Any, error: BaseException | None) -> None:
    if future.cancelled():  # the client went away; its write still counts (PUT is idempotent)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


class BatchWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="checkin-writer", daemon=True)
        self._thread.start()

    async def run(self, job: Callable[[Connection], T]) -> T:
        """Runs `job(connection)` in the writer thread; returns after its transaction committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(job, future, loop))
        return await future

    def close(self) -> None:
        """Finishes the jobs already queued, then stops the thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def _loop(self) -> None:
        connection: Connection | None = None
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch = [first]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)
                connection = self._run_batch(connection, batch)  # type: ignore[arg-type]
                if stop:
                    return
        finally:
            if connection is not None:
                connection.close()

    def _run_batch(self, connection: Connection | None, batch: list[_Job]) -> Connection | None:
        outcomes: list[tuple[Any, BaseException | None]] = []
        try:
            connection = self._usable(connection)
            with connection.begin():
                for job in batch:
                    try:
                        outcomes.append((job.run(connection), None))
                    except AppError as refusal:
                        outcomes.append((None, refusal))
        except Exception:
            log.warning("check-in batch of %d failed; retrying one by one", len(batch))
            outcomes = []
            for job in batch:
                try:
                    connection = self._usable(connection)
                    with connection.begin():
                        outcomes.append((job.run(connection), None))
                except Exception as failure:
                    outcomes.append((None, failure))
        for job, (value, error) in zip(batch, outcomes, strict=True):
            job.loop.call_soon_threadsafe(_resolve, job.future, value, error)
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
