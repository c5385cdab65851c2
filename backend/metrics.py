"""Prometheus metrics: what is counted, the middleware that times every request by its route
template, and GET /metrics behind PUX_METRICS_TOKEN.

Multi-process safe: with PROMETHEUS_MULTIPROC_DIR set (several worker processes sharing one
port, e.g. `uvicorn --workers 4`), every process writes its values to files in that directory
and /metrics, whichever process answers, adds them all up. Without it each process counts in
memory, which is right for one process per container. Other domains record through the
functions at the bottom; the metric names are the interface dashboards and alerts rely on."""

import hmac
import os
import time
from collections.abc import Mapping
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import event
from sqlalchemy.pool import Pool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.config import settings
from backend.errors import NotFound, Unauthorized

# Requests without a matching route (scanners, typos) share one label, so a client cannot
# create new time series by inventing paths.
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "pux_http_requests",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "pux_http_request_duration_seconds",
    "Time from receiving a request to the end of its response, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CHECKINS_RECORDED = Counter(
    "pux_checkins_recorded", "Check-ins written (created or replaced) and committed"
)
CHECKIN_BATCH_SIZE = Histogram(
    "pux_checkin_batch_size",
    "Check-in requests per writer transaction (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
POOL_CONNECTIONS_OPEN = Gauge(
    "pux_db_pool_connections_open",
    "Database connections the pool holds open",
    multiprocess_mode="livesum",
)
POOL_CONNECTIONS_IN_USE = Gauge(
    "pux_db_pool_connections_in_use",
    "Database connections checked out of the pool",
    multiprocess_mode="livesum",
)
REMINDERS = Counter(
    "pux_reminders",
    "Reminder notifications by outcome: sent, failed (will retry) or gone (subscription expired)",
    ["outcome"],
)
ROLLUP_RUNS = Counter("pux_rollup_runs", "Roll-up runs by outcome (ok, failed)", ["outcome"])
ROLLUP_LAST_SUCCESS = Gauge(
    "pux_rollup_last_success_timestamp_seconds",
    "When the last roll-up run finished without error (Unix time)",
    multiprocess_mode="max",
)
ROLLUP_SECONDS = Histogram(
    "pux_rollup_duration_seconds",
    "How long a roll-up run took",
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900),
)

for _outcome in ("sent", "failed", "gone"):
    REMINDERS.labels(_outcome)  # present at 0, so rate() and alerts see them before the first
for _outcome in ("ok", "failed"):
    ROLLUP_RUNS.labels(_outcome)


def record_checkin_batch(*, size: int, recorded: int) -> None:
    """The check-in writer committed one transaction of `size` requests, `recorded` written."""
    CHECKIN_BATCH_SIZE.observe(size)
    CHECKINS_RECORDED.inc(recorded)


def record_reminder(outcome: Literal["sent", "failed", "gone"]) -> None:
    """One reminder notification handed to (or refused by) the push service."""
    REMINDERS.labels(outcome).inc()


def record_reminders(outcomes: Mapping[str, int]) -> None:
    """A reminder pass's pushes by their result (delivered, gone, failed, refused): delivered
    counts as sent, refused (an endpoint the address rule stopped) as failed."""
    for result, count in outcomes.items():
        if count:
            label = {"delivered": "sent", "gone": "gone"}.get(result, "failed")
            REMINDERS.labels(label).inc(count)


def record_rollup_run(*, ok: bool, seconds: float) -> None:
    """One run of the roll-up job, successful or not."""
    ROLLUP_RUNS.labels("ok" if ok else "failed").inc()
    ROLLUP_SECONDS.observe(seconds)
    if ok:
        ROLLUP_LAST_SUCCESS.set(time.time())


@event.listens_for(Pool, "connect")
def _opened(*_: object) -> None:
    POOL_CONNECTIONS_OPEN.inc()


@event.listens_for(Pool, "close")
def _closed(*_: object) -> None:
    POOL_CONNECTIONS_OPEN.dec()


@event.listens_for(Pool, "close_detached")
def _closed_detached(*_: object) -> None:
    POOL_CONNECTIONS_OPEN.dec()


@event.listens_for(Pool, "checkout")
def _checked_out(*_: object) -> None:
    POOL_CONNECTIONS_IN_USE.inc()


@event.listens_for(Pool, "checkin")
def _checked_in(*_: object) -> None:
    POOL_CONNECTIONS_IN_USE.dec()


class RequestMetrics:
    """Pure ASGI middleware: counts and times each HTTP request under its route template
    (`/api/v1/me/checkins/{work_date}`), never the raw path, which may hold a secret."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix
        # Children per label set, so the hot path skips labels()'s validation and lock.
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._timers: dict[tuple[str, str], Histogram] = {}

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        path = getattr(route, "path", None)
        if not path:
            return UNMATCHED
        # A route of a router included under the API prefix knows its path without the prefix.
        if scope["path"].startswith(self.prefix + "/") and not path.startswith(self.prefix):
            return self.prefix + path
        return str(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"]
            key = (method, self._template(scope), status)
            counter = self._counters.get(key)
            if counter is None:
                counter = self._counters[key] = REQUESTS.labels(key[0], key[1], str(status))
            counter.inc()
            timer = self._timers.get(key[:2])
            if timer is None:
                timer = self._timers[key[:2]] = REQUEST_SECONDS.labels(key[0], key[1])
            timer.observe(time.perf_counter() - started)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition(authorization: str | None) -> bytes:
    """The metrics in Prometheus' text format, for a caller with the metrics token.

    Without PUX_METRICS_TOKEN the endpoint does not exist (404): metrics are opt-in."""
    token = settings.metrics_token
    if not token:
        raise NotFound("Not Found")
    expected = f"Bearer {token}".encode()
    if not hmac.compare_digest((authorization or "").encode(), expected):
        raise Unauthorized("The metrics need Authorization: Bearer <PUX_METRICS_TOKEN>")
    return generate_latest(_registry())


def process_stopped() -> None:
    """Drops this process's live gauges from the shared directory (multi-process mode), so a
    worker that stopped no longer counts as holding connections."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        mark_process_dead(os.getpid())


def install(app: FastAPI, *, api_prefix: str) -> None:
    """Times every request and serves GET /metrics (outside the API, not in the schema).
    `api_prefix` is the prefix the domain routers are included under."""

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        body = exposition(request.headers.get("authorization"))
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(RequestMetrics, prefix=api_prefix)
