"""Settings from PUX_* variables (production is strict), the pinned clock and the lock files."""

import os
import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from backend import clock
from backend.config import DEFAULT_SECRET, Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean PUX_* environment (the suite itself runs with PUX_ENV=test)."""
    for name in list(os.environ):
        if name.startswith("PUX_"):
            monkeypatch.delenv(name)
    return monkeypatch


class TestSettings:
    def test_defaults_are_for_development(self, env: pytest.MonkeyPatch) -> None:
        settings = Settings()
        assert settings.env == "development"
        assert settings.database_url.startswith("sqlite:///")
        assert settings.database_url.endswith("data/pux.db")
        assert settings.public_base_url == "http://127.0.0.1:8000"
        assert settings.demo is True and settings.now is None

    def test_read_from_pux_variables(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_PORT", "8123")
        env.setenv("PUX_DEMO", "0")
        env.setenv("PUX_BASE_URL", "https://puls.example.dk/")
        env.setenv("PUX_DATABASE_URL", "postgresql://pux@db/pux")
        settings = Settings()
        assert settings.port == 8123 and settings.demo is False
        assert settings.public_base_url == "https://puls.example.dk"
        assert settings.database_url == "postgresql://pux@db/pux"

    def test_production_refuses_the_default_secret(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_ENV", "production")
        with pytest.raises(ValidationError, match="PUX_SECRET_KEY"):
            Settings()
        env.setenv("PUX_SECRET_KEY", DEFAULT_SECRET)
        with pytest.raises(ValidationError, match="PUX_SECRET_KEY"):
            Settings()

    def test_production_with_a_secret_starts(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_ENV", "production")
        env.setenv("PUX_SECRET_KEY", "a-long-random-secret-from-the-environment")
        assert Settings().env == "production"

    def test_production_refuses_a_pinned_clock(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_ENV", "production")
        env.setenv("PUX_SECRET_KEY", "a-long-random-secret-from-the-environment")
        env.setenv("PUX_NOW", "2026-11-26T07:30:00+01:00")
        with pytest.raises(ValidationError, match="PUX_NOW"):
            Settings()

    def test_unknown_environment_is_refused(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_ENV", "staging")
        with pytest.raises(ValidationError):
            Settings()

    def test_pux_now_without_offset_is_refused(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_NOW", "2026-11-26T07:30:00")
        with pytest.raises(ValidationError, match="time zone offset"):
            Settings()

    def test_pux_now_that_is_not_a_date_is_refused(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_NOW", "i morgen")
        with pytest.raises(ValidationError):
            Settings()


class TestClock:
    def test_now_honours_pux_now(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("PUX_NOW", "2026-11-26T00:30:00+01:00")
        env.setattr(clock, "settings", Settings())
        assert clock.now() == datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
        assert clock.now().tzinfo == UTC
        # Half past midnight in Copenhagen is already the 26th there, still the 25th in UTC.
        assert clock.local_today("Europe/Copenhagen") == date(2026, 11, 26)

    def test_without_pux_now_the_clock_runs(self, env: pytest.MonkeyPatch) -> None:
        env.setattr(clock, "settings", Settings())
        before = datetime.now(UTC)
        assert before <= clock.now() <= datetime.now(UTC)
        assert clock.now().tzinfo == UTC


def _pins(lock: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock.read_text(), re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


class TestLockFiles:
    """requirements.lock (everything, for make) and requirements.runtime.lock (the Docker image)."""

    def test_runtime_lock_pins_the_same_versions_without_test_tools(self, root_dir: Path) -> None:
        everything = _pins(root_dir / "requirements.lock")
        runtime = _pins(root_dir / "requirements.runtime.lock")
        assert {name: everything.get(name) for name in runtime} == runtime
        assert not {"pytest", "playwright", "ruff", "mypy", "schemathesis"} & runtime.keys()

    def test_runtime_lock_holds_every_project_dependency(self, root_dir: Path) -> None:
        project = tomllib.loads((root_dir / "pyproject.toml").read_text())["project"]
        wanted = {re.split(r"[\[<>=; ]", dep)[0].lower() for dep in project["dependencies"]}
        assert wanted <= _pins(root_dir / "requirements.runtime.lock").keys()

    def test_the_image_installs_the_runtime_lock(self, root_dir: Path) -> None:
        dockerfile = (root_dir / "Dockerfile").read_text()
        assert "pip install -r requirements.runtime.lock" in dockerfile
