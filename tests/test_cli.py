"""The `pux` command, run in-process on the test database (conftest swaps backend.db.engine)."""

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect
from sqlmodel import Session, col, func, select

from backend import cli, db, demo, logformat
from backend.auth.models import Coordinator, CoordinatorOrg
from backend.checkins.models import CheckIn
from backend.orgs.models import Organisation
from backend.teams.models import Invite, Team
from tests.factories import PASSWORD, make_coordinator, make_org

NOW = "2026-11-26T08:00:00+01:00"


def _login(client: TestClient, email: str, password: str) -> int:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    return response.status_code


def _orgs_of(session: Session, email: str) -> list[str]:
    return list(
        session.exec(
            select(Organisation.name)
            .join(CoordinatorOrg, col(CoordinatorOrg.org_id) == Organisation.id)
            .join(Coordinator, col(Coordinator.id) == CoordinatorOrg.coordinator_id)
            .where(Coordinator.email == email)
            .order_by(col(Organisation.id))
        ).all()
    )


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def _set(password: str) -> None:
        monkeypatch.setenv("PUX_PASSWORD", password)

    monkeypatch.delenv("PUX_PASSWORD", raising=False)
    return _set


class TestCreateCoordinator:
    def test_new_org_and_password_from_env_then_login_works(
        self,
        client: TestClient,
        session: Session,
        password_env: Callable[[str], None],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        password_env("en god adgangskode")
        code = cli.main(
            ["create-coordinator", "--email", "Leder@Solsikken.dk", "--org", "Solsikken"]
        )
        assert code == 0
        assert "new organisation 'Solsikken'" in capsys.readouterr().out
        assert _orgs_of(session, "leder@solsikken.dk") == ["Solsikken"]
        assert _login(client, "leder@solsikken.dk", "en god adgangskode") == 200
        assert _login(client, "leder@solsikken.dk", "forkert") == 401

    def test_existing_org_is_joined_not_duplicated(
        self, client: TestClient, session: Session, password_env: Callable[[str], None]
    ) -> None:
        org = make_org(session, name="Børnehuset Solsikken")
        password_env("en god adgangskode")
        args = ["create-coordinator", "--email", "ny@example.dk", "--org", "Børnehuset Solsikken"]
        assert cli.main(args) == 0
        assert len(session.exec(select(Organisation)).all()) == 1
        link = session.exec(select(CoordinatorOrg)).one()
        assert link.org_id == org.id
        assert _login(client, "ny@example.dk", "en god adgangskode") == 200

    def test_existing_email_is_added_to_the_org_and_keeps_its_password(
        self,
        client: TestClient,
        session: Session,
        password_env: Callable[[str], None],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        make_coordinator(session, org=make_org(session, name="Første"), email="leder@example.dk")
        password_env("en helt anden kode")
        assert (
            cli.main(["create-coordinator", "--email", "leder@example.dk", "--org", "Anden"]) == 0
        )
        assert "password unchanged" in capsys.readouterr().out
        assert len(session.exec(select(Coordinator)).all()) == 1
        assert _orgs_of(session, "leder@example.dk") == ["Første", "Anden"]
        assert _login(client, "leder@example.dk", PASSWORD) == 200
        assert _login(client, "leder@example.dk", "en helt anden kode") == 401

    def test_running_it_twice_changes_nothing(
        self, session: Session, password_env: Callable[[str], None]
    ) -> None:
        password_env("en god adgangskode")
        args = ["create-coordinator", "--email", "leder@example.dk", "--org", "Solsikken"]
        assert cli.main(args) == 0
        assert cli.main(args) == 0
        assert len(session.exec(select(CoordinatorOrg)).all()) == 1
        assert len(session.exec(select(Organisation)).all()) == 1

    def test_password_from_the_prompt_asked_twice(
        self,
        client: TestClient,
        session: Session,
        password_env: Callable[[str], None],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        answers = iter(["fra prompten 123", "fra prompten 123"])
        monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        assert (
            cli.main(["create-coordinator", "--email", "a@example.dk", "--org", "Solsikken"]) == 0
        )
        assert _login(client, "a@example.dk", "fra prompten 123") == 200

    def test_prompted_passwords_that_differ_create_nothing(
        self,
        session: Session,
        password_env: Callable[[str], None],
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        answers = iter(["fra prompten 123", "fra prompten 124"])
        monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        assert cli.main(["create-coordinator", "--email", "a@example.dk", "--org", "X"]) == 1
        assert "differ" in capsys.readouterr().err
        assert session.exec(select(Coordinator)).all() == []
        assert session.exec(select(Organisation)).all() == []

    @pytest.mark.parametrize(
        ("email", "org", "password", "message"),
        [
            ("a@example.dk", "Solsikken", "kort", "at least 8"),
            ("ikke-en-email", "Solsikken", "en god adgangskode", "not an email"),
            ("a@example.dk", "  ", "en god adgangskode", "organisation name"),
        ],
    )
    def test_bad_input_is_refused_and_creates_nothing(
        self,
        session: Session,
        password_env: Callable[[str], None],
        capsys: pytest.CaptureFixture[str],
        email: str,
        org: str,
        password: str,
        message: str,
    ) -> None:
        password_env(password)
        assert cli.main(["create-coordinator", "--email", email, "--org", org]) == 1
        assert message in capsys.readouterr().err
        assert session.exec(select(Coordinator)).all() == []
        assert session.exec(select(Organisation)).all() == []

    def test_no_password_without_a_terminal_is_an_error(
        self,
        session: Session,
        password_env: Callable[[str], None],
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
        assert cli.main(["create-coordinator", "--email", "a@example.dk", "--org", "X"]) == 1
        assert "PUX_PASSWORD" in capsys.readouterr().err
        assert session.exec(select(Coordinator)).all() == []


class TestDemoCommand:
    def test_seeds_what_it_prints(
        self,
        session: Session,
        set_now: Callable[[str], datetime],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        set_now(NOW)
        args = ["demo", "--teams", "4", "--members", "5", "--weeks", "3", "--seed", "7"]
        assert cli.main(args) == 0
        out = capsys.readouterr().out
        checkins = session.exec(select(func.count(col(CheckIn.id)))).one()
        assert f"checkin {checkins:,}" in out
        assert re.search(r"\bteam 4\b", out) and re.search(r"\bmember 20\b", out)
        assert demo.DEMO_PASSWORD in out
        assert "member_token(7, n) for n in 0..19" in out
        assert session.exec(select(func.count(col(Team.id)))).one() == 4

    def test_refused_in_production_without_force(
        self,
        session: Session,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setattr(demo.settings, "env", "production")
        args = ["demo", "--teams", "1", "--members", "1", "--weeks", "1", "--seed", "1"]
        assert cli.main(args) == 1
        assert "production" in capsys.readouterr().err
        assert session.exec(select(Organisation)).all() == []
        assert cli.main([*args, "--force"]) == 0
        assert len(session.exec(select(Organisation)).all()) == 1

    def test_sizes_below_one_are_refused(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["demo", "--teams", "0"]) == 1
        assert "at least 1" in capsys.readouterr().err


class TestServeStartup:
    def test_new_database_gets_the_demo_a_login_and_a_working_join_link(
        self,
        client: TestClient,
        session: Session,
        set_now: Callable[[str], datetime],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        set_now(NOW)
        monkeypatch.setattr(cli.settings, "demo", True)
        lines = cli.startup_lines()
        text = "\n".join(lines)
        assert "http://127.0.0.1:8000/docs" in text
        assert f"{demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}" in text
        assert _login(client, demo.DEMO_EMAIL, demo.DEMO_PASSWORD) == 200
        link = next(line for line in lines if "/join/" in line).split()[3]
        code = link.rsplit("/", 1)[1]
        invite = session.exec(select(Invite).where(Invite.code == code)).one()
        first_team = session.exec(select(Team).order_by(col(Team.id))).first()
        assert first_team is not None and invite.team_id == first_team.id
        assert invite.revoked_at is None and invite.expires_at > datetime.fromisoformat(NOW)
        joined = client.post("/api/v1/join", json={"code": code})
        assert joined.status_code == 201
        assert joined.json()["team"]["name"] == "Stue Blå"

    def test_second_start_does_not_seed_again_and_reuses_the_link(
        self, session: Session, set_now: Callable[[str], datetime], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_now(NOW)
        monkeypatch.setattr(cli.settings, "demo", True)
        first = cli.startup_lines()
        second = cli.startup_lines()
        assert any(line.startswith("Demo data") for line in first)
        assert not any(line.startswith("Demo data") for line in second)
        assert len(session.exec(select(Organisation)).all()) == 1
        # The coordinator's team page does not fill up with one invite per start.
        assert len(session.exec(select(Invite)).all()) == 1
        assert [line for line in first if "/join/" in line] == [
            line for line in second if "/join/" in line
        ]

    def test_a_start_gives_a_new_link_when_the_old_one_is_revoked_or_nearly_expired(
        self, session: Session, set_now: Callable[[str], datetime], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_now(NOW)
        monkeypatch.setattr(cli.settings, "demo", True)
        link = lambda lines: next(line for line in lines if "/join/" in line)  # noqa: E731
        first = link(cli.startup_lines())
        invite = session.exec(select(Invite)).one()
        invite.revoked_at = datetime.fromisoformat(NOW)
        session.add(invite)
        session.commit()
        second = link(cli.startup_lines())
        assert second != first
        # Its last day: a link printed now would stop working before the day is over.
        set_now(
            (
                datetime.fromisoformat(NOW) + timedelta(days=cli.settings.invite_days - 0.5)
            ).isoformat()
        )
        third = link(cli.startup_lines())
        assert third != second
        assert len(session.exec(select(Invite)).all()) == 3

    def test_pux_demo_0_leaves_a_new_database_empty(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(cli.settings, "demo", False)
        text = "\n".join(cli.startup_lines())
        assert "create-coordinator" in text
        assert demo.DEMO_PASSWORD not in text
        assert session.exec(select(Organisation)).all() == []

    def test_the_create_coordinator_hint_can_be_typed_as_printed(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # After `make run` the command is in .venv/bin, which is not on PATH.
        monkeypatch.setattr(cli.settings, "demo", False)
        monkeypatch.setenv("PATH", "/usr/bin:/bin")
        monkeypatch.chdir(Path(sys.executable).parent.parent.parent)
        venv = Path(sys.executable).parent.parent.name
        text = "\n".join(cli.startup_lines())
        assert f"`{venv}/bin/pux create-coordinator --email E --org NAME`" in text

    def test_production_never_seeds_or_shows_the_demo(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(cli.settings, "demo", True)
        monkeypatch.setattr(cli.settings, "env", "production")
        assert demo.DEMO_PASSWORD not in "\n".join(cli.startup_lines())
        assert session.exec(select(Organisation)).all() == []

    def test_existing_organisation_means_no_demo(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(cli.settings, "demo", True)
        make_org(session, name="Rigtig organisation")
        cli.startup_lines()
        assert [o.name for o in session.exec(select(Organisation)).all()] == ["Rigtig organisation"]

    def test_serve_prints_then_runs_uvicorn_on_the_given_host_and_port(
        self,
        session: Session,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        import uvicorn

        calls: list[dict[str, object]] = []
        monkeypatch.setattr(cli.settings, "demo", False)
        monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
        assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
        assert calls == [
            {
                "factory": True,
                "host": "0.0.0.0",
                "port": 8123,
                "log_config": logformat.config(json_lines=False),
                "proxy_headers": False,
            }
        ]
        assert "/docs" in capsys.readouterr().out
        assert cli.main(["serve"]) == 0
        assert calls[1]["host"] == "127.0.0.1"


class TestInstalledCommand:
    def test_pux_is_installed_next_to_python_and_migrates_a_new_database(
        self, tmp_path: Path
    ) -> None:
        pux = Path(sys.executable).parent / "pux"
        assert pux.exists(), "pyproject's [project.scripts] installs `pux` into the venv"
        env = {**os.environ, "PUX_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
        result = subprocess.run(
            [str(pux), "migrate"], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert "latest schema" in result.stdout
        engine = db.make_engine(env["PUX_DATABASE_URL"])
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        assert {"organisation", "team", "member", "checkin"} <= tables


class TestMigrateCommand:
    def test_migrate_on_a_migrated_database_is_a_no_op(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["migrate"]) == 0
        assert "latest schema" in capsys.readouterr().out

    @pytest.fixture
    def empty_database(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
        previous = db.engine
        engine = db.make_engine(
            f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.db'}", create=True
        )
        db.use_engine(engine)
        yield engine
        db.use_engine(previous)
        engine.dispose()

    def test_commands_on_an_unmigrated_database_say_so(
        self, empty_database: Engine, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["demo", "--seed", "1"]) == 1
        assert "run `pux migrate`" in capsys.readouterr().err
        assert cli.main(["migrate"]) == 0
        assert cli.main(["demo", "--seed", "1", "--teams", "1", "--weeks", "1"]) == 0
