"""Reminder passes every minute: in `pux worker` (a process of its own) and inside `pux serve`
(a thread with its own event loop, started and stopped by the app's lifespan).

Passes start on each minute's boundary and do not wait for each other: a push service that is
slow to answer (or retried after its Retry-After) holds up its own send, never the next minute's
reminders. A pass that fails (the database restarting, say) is logged and the next one runs as
usual; the claims make a retry of the same minute harmless."""

import asyncio
import contextlib
import logging
import threading
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from backend import metrics
from backend.config import settings
from backend.errors import NotFound, Unauthorized
from backend.reminders import dispatch, push

log = logging.getLogger("pux.reminders")

# On stop, passes under way get this long to finish their sends before they are cancelled.
STOP_GRACE_SECONDS = 10.0


async def _one_pass() -> None:
    try:
        report = await dispatch.run_pass()
    except Exception:  # a failed pass must not end the loop; the next minute tries again
        log.exception("reminder pass failed")
        return
    if report.claimed:
        log.info("reminders %s", report.summary())


async def run_forever(stop: asyncio.Event, interval: float | None = None) -> None:
    """Starts a pass at every `interval` boundary of the wall clock (PUX_REMINDER_INTERVAL_SECONDS,
    a minute) until `stop` is set: processes on one clock start their passes together."""
    interval = interval or settings.reminder_interval_seconds
    passes: set[asyncio.Task[None]] = set()
    while not stop.is_set():
        task = asyncio.create_task(_one_pass())
        passes.add(task)
        task.add_done_callback(passes.discard)
        wait = interval - (time.time() % interval)
        with contextlib.suppress(TimeoutError):  # the next minute has come
            await asyncio.wait_for(stop.wait(), timeout=wait)
    if passes:
        _, pending = await asyncio.wait(passes, timeout=STOP_GRACE_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class ReminderThread:
    """`run_forever` on a thread of its own, so the pass's work (and a push service that keeps
    it waiting) never runs on the event loop that serves requests."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pux-reminders", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await run_forever(self._stop, self.interval)

        push.run(main())

    def start(self) -> None:
        self._thread.start()
        self._started.wait(5)

    def stop(self, timeout: float = STOP_GRACE_SECONDS + 20) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


async def serve_metrics(host: str, port: int) -> web.AppRunner:
    """GET /metrics for a worker (which has no HTTP server of its own), by the app's rule: only
    with `Authorization: Bearer <PUX_METRICS_TOKEN>`, 404 when no token is set. The values are
    this process's, or every process's in PROMETHEUS_MULTIPROC_DIR when that is set."""

    async def exposition(request: web.Request) -> web.Response:
        try:
            body = metrics.exposition(request.headers.get("Authorization"))
        except NotFound:
            return web.Response(status=404, text="Not Found")
        except Unauthorized as exc:
            return web.Response(status=401, text=str(exc), headers={"WWW-Authenticate": "Bearer"})
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/metrics", exposition)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
