"""backend/frontend.py: the app shell for in-app routes, only whitelisted files, compressed text,
a strict CSP, and a service worker whose VERSION follows the content of the files it caches."""

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.config import ROOT_DIR, settings

AppFactory = Callable[[Path], TestClient]


@pytest.fixture
def app_on(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """A TestClient for the app serving the given frontend directory."""
    clients: list[TestClient] = []

    def make(frontend: Path) -> TestClient:
        from backend.main import create_app

        monkeypatch.setattr(settings, "frontend_dir", frontend)
        client = TestClient(create_app())
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client_(app_on: AppFactory) -> TestClient:
    return app_on(ROOT_DIR / "frontend")


def _version(source: str) -> str:
    match = re.search(r"^const VERSION = '([^']+)';$", source, re.M)
    assert match
    return match.group(1)


class TestAppShell:
    @pytest.mark.parametrize("path", ["/", "/join/K7QM-3XTP-9HWC", "/me", "/coordinator/teams/3"])
    def test_in_app_routes_get_the_shell_with_a_strict_csp(
        self, client_: TestClient, path: str
    ) -> None:
        response = client_.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert '<script type="module" src="/js/main.js">' in response.text
        csp = response.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and script_src.group(1) == "'self'"
        assert "unsafe-inline" not in csp

    def test_text_is_compressed(self, client_: TestClient) -> None:
        response = client_.get("/css/app.css", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["cache-control"] == "no-cache"


class TestWhitelist:
    @pytest.mark.parametrize(
        "path",
        ["/icons/render_icons.py", "/../pyproject.toml", "/%2e%2e/pyproject.toml", "/nope.js"],
    )
    def test_other_files_are_not_served(self, client_: TestClient, path: str) -> None:
        response = client_.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"

    def test_vendor_files_come_from_node_modules_by_name_only(self, client_: TestClient) -> None:
        qr = client_.get("/vendor/uqr.mjs")
        assert qr.status_code == 200
        assert qr.headers["content-type"].startswith("text/javascript")
        assert "export {" in qr.text
        assert client_.get("/vendor/axe.min.js").status_code == 404


class TestServiceWorkerVersion:
    def test_version_changes_when_a_cached_file_changes(
        self, app_on: AppFactory, tmp_path: Path
    ) -> None:
        frontend = tmp_path / "frontend"
        shutil.copytree(ROOT_DIR / "frontend", frontend)
        client = app_on(frontend)
        first = client.get("/sw.js")
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/javascript")
        assert client.get("/sw.js").text == first.text

        css = frontend / "css" / "app.css"
        css.write_text(css.read_text() + "\n/* changed */\n")
        second = client.get("/sw.js")

        declared = _version((frontend / "sw.js").read_text())
        assert _version(first.text).startswith(f"{declared}+")
        assert _version(second.text).startswith(f"{declared}+")
        assert _version(second.text) != _version(first.text)
