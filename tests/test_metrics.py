"""GET /metrics: Prometheus metrics behind PUX_METRICS_TOKEN, by route template, and added up
across worker processes in multi-process mode."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlmodel import Session

from backend import metrics
from backend.config import ROOT_DIR, settings
from tests.factories import make_coordinator, make_member

TOKEN = "metrics-token-for-the-test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(settings, "metrics_token", TOKEN)
    return TOKEN


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestEndpoint:
    def test_does_not_exist_without_a_token_configured(self, client: TestClient) -> None:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404

    def test_needs_the_token(self, client: TestClient, metrics_token: str) -> None:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "Unauthorized"
        member = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
        assert member.status_code == 401

    def test_with_the_token_it_is_prometheus_text(
        self, client: TestClient, metrics_token: str
    ) -> None:
        response = client.get("/metrics", headers=AUTH)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        for name in (
            "pux_http_requests_total",
            "pux_http_request_duration_seconds_bucket",
            "pux_checkins_recorded_total",
            "pux_checkin_batch_size_bucket",
            "pux_db_pool_connections_in_use",
            "pux_db_pool_connections_open",
            'pux_reminders_total{outcome="gone"}',
            'pux_rollup_runs_total{outcome="failed"}',
        ):
            assert name in response.text

    def test_not_in_the_api_schema(self, client: TestClient) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert "/metrics" not in paths


class TestWhatIsCounted:
    def test_requests_by_route_template_never_the_raw_path(
        self, client: TestClient, session: Session
    ) -> None:
        coordinator = make_coordinator(session)
        route = "/api/v1/orgs/{org_id}"
        before = _value("pux_http_requests_total", method="GET", route=route, status="200")
        org_id = client.get("/api/v1/orgs", headers=coordinator.headers).json()[0]["id"]
        assert client.get(f"/api/v1/orgs/{org_id}", headers=coordinator.headers).status_code == 200
        assert client.get("/api/v1/orgs/999999", headers=coordinator.headers).status_code == 404
        assert _value("pux_http_requests_total", method="GET", route=route, status="200") == (
            before + 1
        )
        assert _value("pux_http_requests_total", method="GET", route=route, status="404") >= 1
        text = metrics.generate_latest(REGISTRY).decode()
        assert "/api/v1/orgs/999999" not in text
        assert _value("pux_http_request_duration_seconds_count", method="GET", route=route) >= 2

    def test_a_check_in_counts_as_recorded_in_a_batch(
        self, client: TestClient, session: Session, set_now: Callable[[str], object]
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        member = make_member(session)
        recorded = _value("pux_checkins_recorded_total")
        batches = _value("pux_checkin_batch_size_count")
        response = client.put(
            "/api/v1/me/checkins/2026-11-26",
            json={"calm": 4, "flow": 3, "workload": 2, "solutions": []},
            headers=member.headers,
        )
        assert response.status_code == 201, response.text
        assert _value("pux_checkins_recorded_total") == recorded + 1
        assert _value("pux_checkin_batch_size_count") == batches + 1
        route = "/api/v1/me/checkins/{work_date}"
        assert _value("pux_http_requests_total", method="PUT", route=route, status="201") >= 1

    def test_a_refused_check_in_is_not_recorded(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        recorded = _value("pux_checkins_recorded_total")
        response = client.put(
            "/api/v1/me/checkins/2001-01-01",
            json={"calm": 4, "flow": 3, "workload": 2, "solutions": []},
            headers=member.headers,
        )
        assert response.status_code == 422
        assert _value("pux_checkins_recorded_total") == recorded

    def test_the_hooks_for_reminders_and_roll_ups(self) -> None:
        sent = _value("pux_reminders_total", outcome="sent")
        metrics.record_reminder("sent")
        assert _value("pux_reminders_total", outcome="sent") == sent + 1
        failed = _value("pux_rollup_runs_total", outcome="failed")
        metrics.record_rollup_run(ok=False, seconds=0.5)
        assert _value("pux_rollup_runs_total", outcome="failed") == failed + 1
        before = time.time()
        metrics.record_rollup_run(ok=True, seconds=1.5)
        assert _value("pux_rollup_last_success_timestamp_seconds") >= int(before)

    def test_pool_connections_in_use_go_back_down(self, client: TestClient) -> None:
        client.get("/healthz")
        assert _value("pux_db_pool_connections_open") >= 1
        # The check-in writer may hold one connection for good; a request holds none afterwards.
        in_use = _value("pux_db_pool_connections_in_use")
        client.get("/healthz")
        assert _value("pux_db_pool_connections_in_use") == in_use


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def two_workers(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app under `uvicorn --workers 2` sharing one port, in multi-process mode."""
    port = _free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUX_")}
    env.update(
        PUX_ENV="test",
        PUX_DEMO="0",
        PUX_DATABASE_URL=database_url,
        PUX_METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    command = [sys.executable, "-m", "uvicorn", "backend.main:app", "--workers", "2"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, cwd=ROOT_DIR, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while len(list(multiproc.glob("*.db"))) < 2 or not _answers(base):
            assert server.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.1)
        yield base, multiproc
    finally:
        server.terminate()
        server.wait(timeout=20)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2):
            return True
    except (OSError, urllib.error.URLError):
        return False


def _scrape(base: str) -> str:
    request = urllib.request.Request(f"{base}/metrics", headers=AUTH)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def _healthz_count(text: str) -> float:
    pattern = r'pux_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)'
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


class TestMultiProcess:
    def test_every_worker_counts_and_any_worker_reports_the_sum(
        self, two_workers: tuple[str, Path]
    ) -> None:
        base, multiproc = two_workers
        start = _healthz_count(_scrape(base))
        for _ in range(40):  # a new connection each time, so both workers take some
            assert _answers(base)
        counts = {_healthz_count(_scrape(base)) for _ in range(6)}  # whichever worker answers
        assert counts == {start + 40}
        writers = {p.stem.rsplit("_", 1)[1] for p in multiproc.glob("counter_*.db")}
        assert len(writers) == 2, "each worker process keeps its own file"


@pytest.fixture(params=[False, True], ids=["own-memory", "multiproc-dir"])
def worker_metrics(
    request: pytest.FixtureRequest, database_url: str, session: Session, tmp_path: Path
) -> Iterator[tuple[str, Path | None, int]]:
    """`pux worker --metrics-port` at a pinned instant when one member with a device is due,
    counting in its own memory or in a PROMETHEUS_MULTIPROC_DIR; its pass sends at start."""
    from tests.reminders.conftest import subscribe
    from tests.reminders.receiver import push_receiver

    port = _free_port()
    multiproc = tmp_path / "prometheus" if request.param else None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUX_", "PROMETHEUS_"))}
    env.update(
        PUX_ENV="test",
        PUX_DEMO="0",
        PUX_DATABASE_URL=database_url,
        PUX_METRICS_TOKEN=TOKEN,
        PUX_NOW="2026-11-26T07:45:00+01:00",
    )
    if multiproc is not None:
        multiproc.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
    with push_receiver() as receiver:
        subscribe(session, make_member(session).member, receiver.device())
        command = [sys.executable, "-m", "backend.cli", "worker", "--metrics-port", str(port)]
        worker = subprocess.Popen(command, cwd=ROOT_DIR, env=env, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 90  # a loaded machine starts Python slowly
            while not receiver.delivered():
                assert worker.poll() is None and time.monotonic() < deadline, "no push sent"
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}", multiproc, worker.pid
        finally:
            worker.terminate()
            worker.wait(timeout=30)


class TestWorkerMetrics:
    def test_the_worker_serves_its_reminder_counts_behind_the_token(
        self, worker_metrics: tuple[str, Path | None, int]
    ) -> None:
        base, multiproc, pid = worker_metrics
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/metrics", timeout=5)
        assert refused.value.code == 401
        deadline = time.monotonic() + 10
        sent = 0.0
        while sent < 1 and time.monotonic() < deadline:  # counted when the pass has finished
            found = re.search(r'pux_reminders_total\{outcome="sent"\} (\S+)', _scrape(base))
            sent = float(found.group(1)) if found else 0.0
            time.sleep(0.1)
        assert sent == 1.0
        if multiproc is not None:
            # In the shared directory, so an app process scraping it adds the worker's in.
            assert list(multiproc.glob(f"counter_{pid}.db"))
