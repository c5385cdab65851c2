"""Installability: Chromium reports no installability errors (checked in a persistent profile,
as incognito-like contexts are never installable), and the manifest parses cleanly."""

from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from tests.frontend.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, wait_for_service_worker

pytestmark = pytest.mark.browser


class TestInstallability:
    def test_chromium_reports_no_installability_errors(
        self, playwright: Playwright, live_server: str, tmp_path: Path
    ) -> None:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            base_url=live_server,
        )
        try:
            page = context.new_page()
            page.goto("/join")
            wait_for_service_worker(page)
            cdp = context.new_cdp_session(page)

            manifest = cdp.send("Page.getAppManifest")
            errors = cdp.send("Page.getInstallabilityErrors")

            assert manifest["errors"] == []
            assert manifest["url"].endswith("/manifest.webmanifest")
            assert errors["installabilityErrors"] == []
        finally:
            context.close()
