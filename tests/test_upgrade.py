"""Upgrading a real installation: a database made by the previous release itself (its own
migrations and its own demo, run from that commit's code) is upgraded to head by today's
migrations, keeps its data, serves it, and goes one step down again."""

import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from backend import db, demo, health
from backend.config import ROOT_DIR
from tests.conftest import alembic_config

# The commit of the previous release on main's history; move it forward at each release.
PREVIOUS_RELEASE = "5065973"
DEMO_SEED = 20261201


def _previous_release_tree(target: Path) -> Path:
    """The previous release's files, extracted from git; skips when the history is missing."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the previous release cannot be extracted")
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        cwd=ROOT_DIR,
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.skip(
            f"commit {PREVIOUS_RELEASE} (the previous release) is not in this checkout's git "
            "history (a shallow clone or an export): fetch the history to run the upgrade test"
        )
    archive = subprocess.run(
        ["git", "archive", "--format=tar", PREVIOUS_RELEASE],
        cwd=ROOT_DIR,
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _previous_release_tree(tmp_path_factory.mktemp("previous-release"))


def _run_release(tree: Path, url: str, code: str) -> str:
    """Runs Python code with the previous release's `backend` package (not today's) on `url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUX_")}
    env.update(PYTHONPATH=str(tree), PUX_DATABASE_URL=url, PUX_DEMO="0", PUX_ENV="development")
    guard = f"import backend; assert backend.__file__.startswith({str(tree)!r}), backend.__file__\n"
    done = subprocess.run(
        [sys.executable, "-c", guard + code],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {
            t: connection.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables
        }


class TestUpgradeFromThePreviousRelease:
    def test_its_data_upgrades_to_head_serves_and_goes_one_step_down(
        self, previous_release: Path, fresh_engines: Callable[[], Engine]
    ) -> None:
        engine = fresh_engines()
        url = engine.url.render_as_string(hide_password=False)
        printed = _run_release(
            previous_release,
            url,
            "from backend import cli, demo\n"
            "assert cli.main(['migrate']) == 0\n"
            f"assert cli.main(['demo', '--seed', '{DEMO_SEED}']) == 0\n"
            f"print('TOKEN', demo.member_token({DEMO_SEED}, 0))\n",
        )
        token = printed.split("TOKEN ")[1].strip()
        released_revision = health.database_revision(engine)
        before = _counts(engine)
        assert before["checkin"] > 0 and before["solution"] > 0

        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        script = ScriptDirectory.from_config(alembic_config())
        assert health.database_revision(engine) == script.get_current_head()
        after = _counts(engine)
        # Every row kept (a table a migration dropped counts as empty: it must have been).
        assert {t: after.get(t, 0) for t in before} == before

        previous_engine = db.engine
        db.use_engine(engine)
        try:
            from backend.main import create_app

            with TestClient(create_app()) as client:
                me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
                assert me.status_code == 200, me.text
                login = client.post(
                    "/api/v1/auth/token",
                    data={"username": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD},
                )
                assert login.status_code == 200, login.text
                auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
                orgs = client.get("/api/v1/orgs", headers=auth).json()
                assert [org["name"] for org in orgs] == [demo.DEMO_ORG_NAME]
        finally:
            db.use_engine(previous_engine)

        head = script.get_revision(script.get_current_head())
        assert head is not None
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "-1")
        assert health.database_revision(engine) == head.down_revision
        if head.revision == released_revision:  # no migration since the release: back to empty
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        else:
            assert _counts(engine)["checkin"] == before["checkin"]
