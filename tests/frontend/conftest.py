"""Browser-test set-up: the real app on a free port (a uvicorn subprocess on the run's migrated
database, clock pinned), driven by Debian's Chromium through Playwright; seeding helpers."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine
from sqlmodel import Session

from backend.config import ROOT_DIR
from backend.solutions.models import Solution, SolutionStatusChange
from backend.teams.models import Team

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Thursday 26 November 2026, 08:00 in Copenhagen: before noon, so Today suggests yesterday.
NOW = "2026-11-26T08:00:00+01:00"
PHONE = {"width": 390, "height": 844}
AXE = ROOT_DIR / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_app(
    database_url: str, log_path: Path, port: int | None = None, **env_overrides: str
) -> Iterator[str]:
    """Runs the app in a uvicorn subprocess until the block ends; yields its URL. The port is a free
    one unless given (a restart on the same port keeps the browser's origin: storage, worker)."""
    with serve_app_process(database_url, log_path, port, **env_overrides) as (base, _):
        yield base


@contextmanager
def serve_app_process(
    database_url: str, log_path: Path, port: int | None = None, **env_overrides: str
) -> Iterator[tuple[str, "subprocess.Popen[bytes]"]]:
    """serve_app, yielding the server process too (to measure it)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PUX_ENV": "test",
        "PUX_DEMO": "0",
        "PUX_DATABASE_URL": database_url,
        "PUX_PORT": str(port),
        "PUX_BASE_URL": base,
        "PUX_NOW": NOW,
        **env_overrides,
    }
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(
    engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app as a user gets it: uvicorn on a real port, on this run's (migrated) database."""
    with serve_app(database_url, tmp_path_factory.mktemp("server") / "server.log") as base:
        yield base


# Package scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, and the tests after this package call asyncio.run() (the reminder dispatcher).
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_phone(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    """A fresh phone: its own storage, IndexedDB and service worker. Its clock starts at the
    server's pinned NOW and runs on, so the device and the server agree on the date (the app
    uses the device's date offline)."""
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, locale="da-DK", service_workers="allow", **options
    )
    context.set_default_timeout(10_000)
    context.clock.install(time=datetime.fromisoformat(NOW))
    return context


@contextmanager
def watched_page(context: BrowserContext) -> Iterator[Page]:
    """A new page that fails the test on any uncaught error in it."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    context = new_phone(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    with watched_page(context) as page:
        yield page


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server}/api/v1", timeout=10) as client:
        yield client


def sign_in(page: Page, token: str, path: str = "/") -> None:
    """Puts a member token on the device, as joining would, then opens `path`."""
    page.goto("/join")
    page.evaluate(
        """token => new Promise((resolve, reject) => {
            const open = indexedDB.open('pux-puls', 1);
            open.onupgradeneeded = () => {
                open.result.createObjectStore('kv');
                open.result.createObjectStore('outbox', { keyPath: 'id' });
            };
            open.onsuccess = () => {
                const tx = open.result.transaction('kv', 'readwrite');
                tx.objectStore('kv').put(token, 'member_token');
                tx.oncomplete = () => { open.result.close(); resolve(null); };
                tx.onerror = () => reject(tx.error);
            };
            open.onerror = () => reject(open.error);
        })""",
        token,
    )
    page.goto(path)


def wait_for_service_worker(page: Page) -> None:
    """Waits until the service worker controls the page (its precache is then complete)."""
    page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            if (navigator.serviceWorker.controller) return;
            await new Promise(resolve =>
                navigator.serviceWorker.addEventListener('controllerchange', resolve, {once: 1}));
        }"""
    )


def make_active_solution(
    session: Session, team: Team, title: str, perspective: str = "P", since: str = "2026-11-02"
) -> Solution:
    """A solution in trial since `since` (history included, so it counts on past work dates)."""
    assert team.id is not None
    changed_at = datetime.fromisoformat(f"{since}T09:00:00").replace(tzinfo=UTC)
    solution = Solution.model_validate(
        {"team_id": team.id, "perspective": perspective, "title": title, "status": "trial"},
        update={"created_at": changed_at, "updated_at": changed_at},
    )
    session.add(solution)
    session.flush()
    assert solution.id is not None
    session.add(
        SolutionStatusChange(
            solution_id=solution.id, from_status=None, to_status="trial", changed_at=changed_at
        )
    )
    session.commit()
    return solution


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core (from node_modules) in the page; returns serious and critical violations."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Path(AXE).read_text())
    result = page.evaluate(
        """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')),
        })))"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
