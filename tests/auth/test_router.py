"""Coordinator login, lockout and logout."""

import time
from collections.abc import Callable
from datetime import datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend.auth.models import CoordinatorToken, LoginFailure
from tests.factories import PASSWORD, make_coordinator

SetNow = Callable[[str], datetime]


def _login(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token", data={"username": email, "password": password})


class TestLogin:
    def test_right_password_gives_a_working_token(
        self, client: TestClient, session: Session
    ) -> None:
        coordinator = make_coordinator(session, email="leder@example.dk").coordinator
        response = _login(client, "Leder@Example.dk ", PASSWORD)
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer"
        assert len(body["access_token"]) >= 43  # 256 bits, url-safe base64
        stored = session.exec(select(CoordinatorToken.token_hash)).all()
        assert body["access_token"] not in stored  # only the hash is kept
        assert coordinator.id is not None

    def test_wrong_password_is_401_with_error_name(
        self, client: TestClient, session: Session
    ) -> None:
        make_coordinator(session, email="leder@example.dk")
        response = _login(client, "leder@example.dk", "wrong")
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"

    def test_unknown_email_takes_as_long_as_wrong_password(
        self, client: TestClient, session: Session
    ) -> None:
        make_coordinator(session, email="leder@example.dk")

        def timed(email: str) -> float:
            start = time.perf_counter()
            assert _login(client, email, "wrong").status_code == 401
            return time.perf_counter() - start

        known = min(timed("leder@example.dk") for _ in range(3))
        unknown = min(timed(f"ukendt{i}@example.dk") for i in range(3))
        # Both pay one argon2 verification; without the dummy hash unknown would be ~100x faster.
        assert unknown > known * 0.5

    def test_repeated_failures_lock_the_email(self, client: TestClient, session: Session) -> None:
        make_coordinator(session, email="leder@example.dk")
        for _ in range(5):
            assert _login(client, "leder@example.dk", "wrong").status_code == 401
        response = _login(client, "leder@example.dk", PASSWORD)
        assert response.status_code == 429
        assert response.json()["error"] == "TooManyRequests"
        assert "Retry-After" in response.headers
        assert len(session.exec(select(LoginFailure)).all()) == 5

    def test_the_lockout_ends_and_old_failures_are_forgotten(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        make_coordinator(session, email="leder@example.dk")
        set_now("2026-11-26T08:00:00+01:00")
        for _ in range(5):
            assert _login(client, "leder@example.dk", "wrong").status_code == 401
        assert _login(client, "leder@example.dk", PASSWORD).status_code == 429

        set_now("2026-11-26T08:16:00+01:00")  # the 15-minute lockout is over
        assert _login(client, "andre@example.dk", "wrong").status_code == 401
        # Only the new failure is kept; the five old ones are gone.
        assert [f.email for f in session.exec(select(LoginFailure)).all()] == ["andre@example.dk"]
        assert _login(client, "leder@example.dk", PASSWORD).status_code == 200

    def test_an_email_with_control_characters_is_422_and_not_recorded(
        self, client: TestClient, session: Session
    ) -> None:
        response = _login(client, "leder\u0000@example.dk", "wrong")
        assert response.status_code == 422
        assert response.json()["error"] == "InvalidEmail"
        assert response.json()["detail"] == "username: must not contain control characters"
        assert session.exec(select(LoginFailure)).all() == []


class TestLogout:
    def test_logout_revokes_the_token(self, client: TestClient, session: Session) -> None:
        coordinator = make_coordinator(session)
        assert client.post("/api/v1/auth/logout", headers=coordinator.headers).status_code == 204
        response = client.post("/api/v1/auth/logout", headers=coordinator.headers)
        assert response.status_code == 401
        assert session.exec(select(CoordinatorToken)).all() == []

    def test_logout_needs_a_token(self, client: TestClient) -> None:
        assert client.post("/api/v1/auth/logout").status_code == 401
