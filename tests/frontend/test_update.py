"""Service-worker update: a new VERSION waits and the page offers "update available"; the new
version takes over only when the member accepts, and the old cache is then deleted."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from backend.config import ROOT_DIR
from tests.frontend.conftest import NOW, PHONE, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def frontend_copy(tmp_path: Path) -> Path:
    """A copy of frontend/ that the test can release a new version into."""
    copy = tmp_path / "frontend"
    shutil.copytree(ROOT_DIR / "frontend", copy)
    return copy


@pytest.fixture
def copy_server(database_url: str, frontend_copy: Path, tmp_path: Path) -> Iterator[str]:
    from tests.frontend.conftest import _free_port

    port = _free_port()
    env = {
        **os.environ,
        "PUX_ENV": "test",
        "PUX_DEMO": "0",
        "PUX_DATABASE_URL": database_url,
        "PUX_NOW": NOW,
        "PUX_FRONTEND_DIR": str(frontend_copy),
    }
    with (tmp_path / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.main:app", "--port", str(port),
             "--log-level", "warning"],
            cwd=ROOT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cache_names(page: Page) -> list[str]:
    return sorted(page.evaluate("caches.keys()"))


class TestServiceWorkerUpdate:
    def test_new_version_waits_for_the_member(
        self, context: BrowserContext, copy_server: str, frontend_copy: Path
    ) -> None:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(f"{copy_server}/join")
        wait_for_service_worker(page)
        old_caches = _cache_names(page)
        assert len(old_caches) == 1

        sw = frontend_copy / "sw.js"
        sw.write_text(sw.read_text().replace("const VERSION = '", "const VERSION = 'next-", 1))
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")

        expect(page.get_by_text("Der er en ny version af PUX Puls.")).to_be_visible()
        # Not taken over silently: the old worker still serves this page, the new one waits.
        assert page.evaluate(
            "navigator.serviceWorker.getRegistration().then(r => r.waiting !== null)"
        )
        with page.expect_event("load"):
            page.get_by_role("button", name="Opdatér").click()

        wait_for_service_worker(page)
        new_caches = _cache_names(page)
        assert len(new_caches) == 1 and new_caches != old_caches
        assert new_caches[0].startswith("pux-shell-next-")
