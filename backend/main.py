"""create_app(): API routers under /api/v1, error handlers, security headers, the PWA."""

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import text

from backend import db, health, http, logs, metrics, openapi
from backend.auth.router import router as auth_router
from backend.checkins import writer as checkin_writer
from backend.checkins.router import router as checkins_router
from backend.config import settings
from backend.frontend import install_frontend
from backend.insights import maintenance as insights_maintenance
from backend.insights.router import router as insights_router
from backend.me.router import router as me_router
from backend.orgs.router import router as orgs_router
from backend.reminders.router import router as reminders_router
from backend.reminders.worker import ReminderThread
from backend.solutions.router import router as solutions_router
from backend.teams.router import router as teams_router

API_PREFIX = http.API_PREFIX


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Everything built at start-up (routes, models, metadata) lives as long as the process;
    # frozen, the cyclic GC stops re-scanning it in every full collection (measured ~90 ms
    # pauses, which showed up directly in the p99 latency under load).
    gc.freeze()
    # Closed weeks are frozen and old check-ins deleted in the background, so no worker is needed.
    maintenance = (
        asyncio.create_task(
            insights_maintenance.run_periodically(db.engine, settings.maintenance_minutes)
        )
        if settings.maintenance_minutes > 0
        else None
    )
    reminders = ReminderThread() if app.state.reminder_loop else None
    if reminders is not None:
        reminders.start()
    yield
    if reminders is not None:
        reminders.stop()  # lets the passes under way finish their sends first
    if maintenance is not None:
        maintenance.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await maintenance
    # Commit the check-ins still queued and stop the writer thread before the process exits.
    checkin_writer.shutdown()
    metrics.process_stopped()
    gc.unfreeze()  # collectable again (tests start and stop many apps in one process)


def create_app(*, reminder_loop: bool = False) -> FastAPI:
    """The app; with `reminder_loop` it also runs a reminder pass every minute (`pux serve`)."""
    logs.install()
    app = FastAPI(
        lifespan=lifespan,
        title="PUX Puls API",
        version="1.0.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.reminder_loop = reminder_loop
    # Check-ins first: routes are matched in order, and PUT /me/checkins is the hot path. Each
    # router is included into the app itself: every level of nesting is matched on every request.
    for router in (
        checkins_router,
        auth_router,
        orgs_router,
        teams_router,
        me_router,
        reminders_router,
        solutions_router,
        insights_router,
    ):
        app.include_router(router, prefix=API_PREFIX)

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """200 when the database answers a query on a real table (within 2 s), else 503."""
        try:
            with db.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SET LOCAL statement_timeout = 2000"))
                connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except Exception as exc:  # any driver error means "not healthy", reported, not raised
            return JSONResponse(
                {"status": "error", "database": "unreachable", "detail": type(exc).__name__},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        status_code, body = health.readiness(db.engine)
        return JSONResponse(body, status_code=status_code)

    # Text assets and JSON compressed (the PWA's first load stays small on a poor connection).
    app.add_middleware(
        GZipMiddleware, minimum_size=http.GZIP_MIN_BYTES, compresslevel=http.GZIP_LEVEL
    )
    http.install(app, trusted_proxies=settings.trusted_proxies)
    # Outermost: times and counts everything, the edge's own answers and compression included.
    metrics.install(app, api_prefix=API_PREFIX)

    install_frontend(app)
    openapi.install(app)
    return app


app = create_app()


def serving_app() -> FastAPI:
    """What `pux serve` runs: the app and, unless PUX_REMINDER_LOOP=0, the reminder passes."""
    return create_app(reminder_loop=settings.reminder_loop)
