"""Service-worker update: a new VERSION waits and the page offers "update available"; the new
version takes over only when the member accepts, and the old cache is then deleted."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine

from backend.config import ROOT_DIR
from tests.frontend.conftest import PHONE, serve_app, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def frontend_copy(tmp_path: Path) -> Path:
    """A copy of frontend/ that the test can release a new version into."""
    copy = tmp_path / "frontend"
    shutil.copytree(ROOT_DIR / "frontend", copy)
    return copy


@pytest.fixture
def copy_server(
    engine: Engine, database_url: str, frontend_copy: Path, tmp_path: Path
) -> Iterator[str]:
    """The app serving the copy (it reads files per request, so changes show at once)."""
    with serve_app(
        database_url, tmp_path / "server.log", PUX_FRONTEND_DIR=str(frontend_copy)
    ) as base:
        yield base


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

        # A release changes one file; the served sw.js changes with it (its VERSION has a hash).
        css = frontend_copy / "css" / "app.css"
        css.write_text(css.read_text() + "\n.next-release { color: inherit; }\n")
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
        assert page.evaluate(
            "fetch('/css/app.css').then(r => r.text()).then(t => t.includes('.next-release'))"
        )
