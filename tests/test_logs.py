"""Log lines (backend/logs.py): secrets in paths never reach a log, each line of a request names
its request id, and production never prints a join link."""

import logging
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from backend import cli, demo, logs
from backend.main import create_app
from tests.factories import make_coordinator, make_invite, make_team
from tests.test_http import live


class TestRedaction:
    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            ('"GET /join/K7QM-3XTP-9HWC HTTP/1.1" 200', '"GET /join/… HTTP/1.1" 200'),
            ("GET /api/v1/invites/k7qm3xtp9hwc?x=1", "GET /api/v1/invites/…?x=1"),
            ("DELETE /api/v1/teams/12/invites/K7QM-3XTP-9HWC", "DELETE /api/v1/teams/12/invites/…"),
            ("GET /api/v1/teams/12/invites", "GET /api/v1/teams/12/invites"),
            (
                '"GET /api/v1/calendar/s3cr3t-Xy_z.ics HTTP/1.1"',
                '"GET /api/v1/calendar/….ics HTTP/1.1"',
            ),
        ],
    )
    def test_every_secret_path_is_redacted(self, line: str, expected: str) -> None:
        assert logs.redact(line) == expected

    def test_the_access_log_of_a_running_server_shows_no_invite_code(
        self, engine: Any, session: Session, caplog: pytest.LogCaptureFixture
    ) -> None:
        team = make_team(session)
        invite = make_invite(session, team)
        coordinator = make_coordinator(session)
        paths = [
            ("GET", f"/join/{invite.code}"),
            ("GET", f"/api/v1/invites/{invite.code}"),
            ("DELETE", f"/api/v1/teams/{team.id}/invites/{invite.code}"),
        ]
        with (
            caplog.at_level(logging.INFO),
            live(create_app(), access_log=True) as port,
            httpx.Client(base_url=f"http://127.0.0.1:{port}") as client,
        ):
            ids = [
                client.request(method, path, headers=coordinator.headers).headers["x-request-id"]
                for method, path in paths
            ]
        records = [r for r in caplog.records if r.name == "uvicorn.access"]
        access = [r.getMessage() for r in records]
        assert len(access) == 3, caplog.text
        assert invite.code not in caplog.text
        assert invite.code.replace("-", "") not in caplog.text
        for line, record, request_id in zip(access, records, ids, strict=True):
            assert "…" in line
            assert record.request_id == request_id


class TestStartup:
    def test_production_never_prints_a_join_link(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(cli.settings, "demo", True)
        cli.startup_lines()  # seeds the demo (development)
        monkeypatch.setattr(cli.settings, "env", "production")
        text = "\n".join(cli.startup_lines())
        assert "/join/" not in text
        assert demo.DEMO_PASSWORD not in text
