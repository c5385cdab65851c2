"""Coordinator login, its failed-attempt limits, and logout."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from backend.auth.models import Coordinator, CoordinatorToken
from backend.main import create_app
from backend.ratelimit import RateLimit
from tests.factories import PASSWORD, make_coordinator
from tests.frontend.conftest import serve_app_process

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

    def test_an_email_with_control_characters_is_422_and_not_recorded(
        self, client: TestClient, session: Session
    ) -> None:
        response = _login(client, "leder\u0000@example.dk", "wrong")
        assert response.status_code == 422
        assert response.json()["error"] == "InvalidEmail"
        assert response.json()["detail"] == "username: must not contain control characters"
        assert session.exec(select(RateLimit)).all() == []

    def test_an_old_hash_is_replaced_at_the_next_login(
        self, client: TestClient, session: Session
    ) -> None:
        coordinator = make_coordinator(session, email="leder@example.dk").coordinator
        old = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=65536, parallelism=4),))
        coordinator.password_hash = old.hash(PASSWORD)
        session.add(coordinator)
        session.commit()
        assert _login(client, "leder@example.dk", PASSWORD).status_code == 200
        session.expire_all()
        stored = session.get(Coordinator, coordinator.id)
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert _login(client, "leder@example.dk", PASSWORD).status_code == 200


def _from(engine: Engine, address: str) -> TestClient:
    """A client calling from `address`."""
    return TestClient(create_app(), client=(address, 50000))


class TestLoginLimits:
    def test_failures_at_one_place_delay_that_place_with_the_true_time_left(
        self, engine: Engine, session: Session, set_now: SetNow
    ) -> None:
        make_coordinator(session, email="leder@example.dk")
        set_now("2026-11-26T08:00:00+01:00")
        with _from(engine, "203.0.113.7") as here:
            for _ in range(6):  # five are free; the sixth starts a 1 s delay
                assert _login(here, "leder@example.dk", "wrong").status_code == 401
            refused = _login(here, "leder@example.dk", PASSWORD)
            assert refused.status_code == 429
            assert refused.json()["error"] == "TooManyRequests"
            assert refused.headers["Retry-After"] == "1"
            set_now("2026-11-26T08:00:01+01:00")
            assert _login(here, "leder@example.dk", "wrong").status_code == 401  # 2 s now
            set_now("2026-11-26T08:00:02.200000+01:00")
            assert _login(here, "leder@example.dk", PASSWORD).headers["Retry-After"] == "1"
            set_now("2026-11-26T08:00:03+01:00")
            assert _login(here, "leder@example.dk", PASSWORD).status_code == 200

    def test_the_owner_logs_in_elsewhere_while_one_place_is_delayed(
        self, engine: Engine, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")  # the clock stands still: no delay runs out
        make_coordinator(session, email="leder@example.dk")
        with _from(engine, "198.51.100.66") as attacker:
            for _ in range(8):
                attacker_answer = _login(attacker, "leder@example.dk", "wrong")
            assert attacker_answer.status_code == 429
        with _from(engine, "203.0.113.7") as owner:
            assert _login(owner, "leder@example.dk", PASSWORD).status_code == 200

    def test_an_attack_from_many_addresses_never_locks_the_owner_out_where_they_log_in(
        self, engine: Engine, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")  # the clock stands still: no delay runs out
        make_coordinator(session, email="leder@example.dk")
        with _from(engine, "203.0.113.7") as office:
            assert _login(office, "leder@example.dk", PASSWORD).status_code == 200
        answers = []
        for n in range(25):  # more than the account's 20 free failures
            with _from(engine, f"198.51.100.{n + 1}") as attacker:
                answers.append(_login(attacker, "leder@example.dk", "wrong").status_code)
        assert answers[:21] == [401] * 21 and set(answers[21:]) == {429}
        with _from(engine, "203.0.113.7") as office:
            assert _login(office, "leder@example.dk", PASSWORD).status_code == 200
        # From a new place the account is delayed, never locked for long.
        with _from(engine, "192.0.2.44") as new_place:
            delayed = _login(new_place, "leder@example.dk", PASSWORD)
        assert delayed.status_code == 429
        assert 1 <= int(delayed.headers["Retry-After"]) <= 300

    def test_thirty_emails_from_one_address_are_limited(
        self, engine: Engine, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")  # the clock stands still: no delay runs out
        make_coordinator(session, email="leder@example.dk")
        with _from(engine, "198.51.100.9") as sprayer:
            answers = [
                _login(sprayer, f"bruger{n}@example.dk", "wrong").status_code for n in range(30)
            ]
            assert answers[:11] == [401] * 11  # ten free, the eleventh starts the delay
            assert set(answers[11:]) == {429}
            # The delay is the address's: a real account from there waits too.
            assert _login(sprayer, "leder@example.dk", PASSWORD).status_code == 429
        assert session.exec(select(func.count()).select_from(RateLimit)).one() >= 12

    def test_the_limits_live_in_the_database(
        self, engine: Engine, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        # Another server process on the same database sees the same counts.
        make_coordinator(session, email="leder@example.dk")
        with _from(engine, "198.51.100.9") as first_server:
            for _ in range(6):
                _login(first_server, "leder@example.dk", "wrong")
        with _from(engine, "198.51.100.9") as second_server:
            assert _login(second_server, "leder@example.dk", PASSWORD).status_code == 429
        keys = set(session.exec(select(RateLimit.key)).all())
        assert "login-pair:198.51.100.9|leder@example.dk" in keys


class TestLogout:
    def test_logout_revokes_the_token(self, client: TestClient, session: Session) -> None:
        coordinator = make_coordinator(session)
        assert client.post("/api/v1/auth/logout", headers=coordinator.headers).status_code == 204
        response = client.post("/api/v1/auth/logout", headers=coordinator.headers)
        assert response.status_code == 401
        assert session.exec(select(CoordinatorToken)).all() == []

    def test_logout_needs_a_token(self, client: TestClient) -> None:
        assert client.post("/api/v1/auth/logout").status_code == 401


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class TestConcurrentLogins:
    def test_forty_failed_logins_at_once_keep_memory_flat(
        self, engine: Engine, database_url: str, tmp_path: Path
    ) -> None:
        with serve_app_process(database_url, tmp_path / "server.log") as (base, server):
            with httpx.Client(base_url=base) as warm:  # first requests import and build things
                warm.post("/api/v1/auth/token", data={"username": "a@b.dk", "password": "x"})
            at_rest = _rss_mb(server.pid)
            peak = at_rest
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, _rss_mb(server.pid))
                    time.sleep(0.005)

            def attempt(n: int) -> httpx.Response:
                with httpx.Client(base_url=base, timeout=30) as client:
                    return client.post(
                        "/api/v1/auth/token",
                        data={"username": f"ukendt{n}@example.dk", "password": "forkert"},
                    )

            sampler = threading.Thread(target=sample)
            sampler.start()
            with ThreadPoolExecutor(max_workers=40) as pool:
                answers = list(pool.map(attempt, range(40)))
            done.set()
            sampler.join()
        statuses = {response.status_code for response in answers}
        assert statuses <= {401, 429, 503}, statuses
        assert 401 in statuses
        for response in answers:
            if response.status_code in (429, 503):
                assert int(response.headers["Retry-After"]) >= 1
        # Hashing is bounded to one 19 MiB hash per core: 40 at 64 MiB each took ~1 GB.
        assert peak - at_rest < 100, f"rest {at_rest:.0f} MB, peak {peak:.0f} MB"


class TestBusyRefusal:
    def test_a_login_while_the_hashing_pool_is_full_is_refused_before_its_form_is_read(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from backend import http, security

        # Every login the pool takes on is under way.
        monkeypatch.setattr(security, "_logins", security.HASH_SLOTS + security.MAX_WAITING_HASHES)
        monkeypatch.setattr(http, "PACED_REFUSAL_SECONDS", 0.2)
        started = time.monotonic()
        # Not even a form: read and checked, it would be a 400/422.
        response = client.post(
            "/api/v1/auth/token", content=b"\xff" * 100, headers={"Content-Type": "text/plain"}
        )
        assert time.monotonic() - started >= 0.2  # paused first, so a flood comes in slowly
        assert response.status_code == 503
        assert response.json()["error"] == "ServerBusy"
        assert int(response.headers["Retry-After"]) >= 1
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # the edge's headers
        # Everything else is answered as usual, and logins are again once the pool has room.
        assert client.get("/healthz").status_code == 200
        monkeypatch.setattr(security, "_logins", 0)
        assert _login(client, "nobody@example.dk", "wrong").status_code == 401
