"""`pux backup FILE` / `pux restore FILE`: a round trip keeps every row of every table, and a
restore never lands on the wrong database by accident."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session

from backend import backup, cli, clock, demo, health
from backend.auth.models import CoordinatorToken
from backend.insights import maintenance as insights_maintenance
from backend.models import metadata
from backend.ratelimit import RateLimit
from backend.reminders import vapid
from backend.reminders.models import (
    CalendarFeed,
    PushSubscription,
    ReminderClaim,
    ReminderSettings,
    VapidKey,
)
from backend.teams.models import Invite
from tests.conftest import alembic_config
from tests.factories import make_member, make_org


def _migrated(engine: Engine) -> Engine:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return engine


def _fill_every_table(engine: Engine) -> None:
    """The demo, plus a row in each table the demo leaves empty."""
    with engine.begin() as connection:
        result = demo.seed_demo(connection=connection, seed=5)
    now = clock.now()
    with Session(engine) as session:
        session.add(
            CoordinatorToken(
                coordinator_id=1, token_hash="a" * 64, expires_at=now + timedelta(days=1)
            )
        )
        session.add(
            RateLimit(
                key="login-pair:203.0.113.9|leder@example.dk",
                failures=1,
                blocked_until=now,
                expires_at=now + timedelta(minutes=15),
            )
        )
        keys = vapid.new_keys()
        session.add(VapidKey(private_key=keys.private_key, public_key=keys.public_key))
        session.add(ReminderSettings(member_id=1, time="06:50", follow_up=True))
        session.add(
            PushSubscription(
                member_id=1, endpoint="https://fcm.googleapis.com/x", p256dh="BA", auth="AA"
            )
        )
        session.add(ReminderClaim(member_id=1, work_date=now.date(), kind=1, delivered=1))
        session.add(CalendarFeed(member_id=1, nonce="0" * 32, secret_hash="b" * 64))
        session.add(
            Invite(
                code="K7QM3XTP9HWC",
                team_id=result.team_ids[0],
                expires_at=now + timedelta(days=14),
            )
        )
        session.commit()
    insights_maintenance.run(engine, purge=False)  # the demo's closed weeks: roll-ups
    empty = [
        t.name for t in metadata.sorted_tables if t.name not in backup.tables_with_rows(engine)
    ]
    assert empty == [], "the round trip must cover every table"


def _contents(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table (and the schema revision), in primary-key order."""
    contents: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            rows = connection.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}'))
            contents[table.name] = [tuple(row) for row in rows]
        contents["alembic_version"] = list(
            connection.execute(text("SELECT version_num FROM alembic_version"))
        )
    return contents


class TestRoundTrip:
    def test_restore_into_a_fresh_database_gives_back_every_row_of_every_table(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        source = _migrated(fresh_engines())
        _fill_every_table(source)
        file = tmp_path / "pux.backup"

        made = backup.backup(engine=source, path=file)
        assert made.revision == health.migrations_head()
        assert made.size_bytes == file.stat().st_size > 0

        target = fresh_engines()  # a new installation: not even migrated
        restored = backup.restore(engine=target, path=file)
        assert restored.revision == made.revision
        assert _contents(target) == _contents(source)

    def test_new_rows_after_a_restore_get_new_ids(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        # PostgreSQL's sequences travel with the dump: the next organisation does not collide.
        source = _migrated(fresh_engines())
        with Session(source) as session:
            first_id = make_org(session, name="Første").id
        assert first_id is not None
        backup.backup(engine=source, path=tmp_path / "b")
        target = fresh_engines()
        backup.restore(engine=target, path=tmp_path / "b")
        with Session(target) as session:
            assert make_org(session, name="Anden").id == first_id + 1

    def test_restore_over_a_migrated_empty_installation(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        source = _migrated(fresh_engines())
        _fill_every_table(source)
        backup.backup(engine=source, path=tmp_path / "b")
        target = _migrated(fresh_engines())  # `pux migrate` already ran on the new installation
        backup.restore(engine=target, path=tmp_path / "b")
        assert _contents(target) == _contents(source)

    def test_backup_while_the_app_writes_is_a_consistent_snapshot(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        source = _migrated(fresh_engines())
        _fill_every_table(source)
        with source.connect() as reader:
            reader.execute(text("SELECT 1 FROM organisation")).all()  # an open connection beside it
            backup.backup(engine=source, path=tmp_path / "b")
        target = fresh_engines()
        backup.restore(engine=target, path=tmp_path / "b")
        assert _contents(target) == _contents(source)


class TestRefusals:
    def test_a_database_holding_data_is_replaced_only_when_forced(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        source = _migrated(fresh_engines())
        with Session(source) as session:
            make_org(session, name="Fra backuppen")
        backup.backup(engine=source, path=tmp_path / "b")
        target = _migrated(fresh_engines())
        with Session(target) as session:
            make_member(session)

        with pytest.raises(backup.BackupError, match=r"holds data.*--force"):
            backup.restore(engine=target, path=tmp_path / "b")
        assert "member" in backup.tables_with_rows(target)  # untouched

        backup.restore(engine=target, path=tmp_path / "b", replace=True)
        assert _contents(target) == _contents(source)

    def test_a_file_that_is_no_backup_is_refused(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        file = tmp_path / "notes.txt"
        file.write_text("ikke en backup")
        with pytest.raises(backup.BackupError, match="not a backup"):
            backup.restore(engine=fresh_engines(), path=file)

    def test_a_backup_of_the_other_kind_of_database_is_refused(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        target = fresh_engines()
        file = tmp_path / "other"
        other_kind = b"PGDMP" if target.dialect.name == "sqlite" else backup.SQLITE_MAGIC
        file.write_bytes(other_kind + b"\x00" * 100)
        with pytest.raises(backup.BackupError, match="same kind of database"):
            backup.restore(engine=target, path=file)

    def test_a_failed_restore_leaves_the_database_as_it_was(
        self, fresh_engines: Callable[[], Engine], tmp_path: Path
    ) -> None:
        target = _migrated(fresh_engines())
        with Session(target) as session:
            make_member(session)
        before = _contents(target)
        file = tmp_path / "truncated"
        if target.dialect.name == "sqlite":
            file.write_bytes(backup.SQLITE_MAGIC + b"\x00" * 100)  # a header and nothing else
        else:
            source = _migrated(fresh_engines())
            backup.backup(engine=source, path=tmp_path / "whole")
            file.write_bytes((tmp_path / "whole").read_bytes()[:2000])
        with pytest.raises(backup.BackupError):
            backup.restore(engine=target, path=file, replace=True)
        assert _contents(target) == before


class TestCommand:
    """The CLI on the suite's database (conftest points backend.db at it)."""

    def test_backup_then_restore_after_losing_the_data(
        self, session: Session, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        make_member(session)
        before = _contents(engine)
        file = tmp_path / "nightly.backup"
        assert cli.main(["backup", str(file)]) == 0
        assert f"to {file}" in capsys.readouterr().out

        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(text(f'DELETE FROM "{table.name}"'))
        assert cli.main(["restore", str(file)]) == 0
        out = capsys.readouterr().out
        assert f"Restored {file}" in out and "run `" not in out  # already at head
        assert _contents(engine) == before

    def test_restore_into_data_without_force_says_how(
        self, session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        make_member(session)
        file = tmp_path / "b"
        assert cli.main(["backup", str(file)]) == 0
        assert cli.main(["restore", str(file)]) == 1
        assert "pass --force" in capsys.readouterr().err
        assert cli.main(["restore", "--force", str(file)]) == 0

    def test_an_older_backup_says_to_migrate(
        self, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        file = tmp_path / "old"
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        try:
            assert cli.main(["backup", str(file)]) == 0
            assert cli.main(["restore", "--force", str(file)]) == 0
            assert "migrate` before serving" in capsys.readouterr().out
        finally:
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE alembic_version SET version_num = :head"),
                    {"head": health.migrations_head()},
                )

    def test_a_missing_file_is_a_readable_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["restore", str(tmp_path / "nope")]) == 1
        assert "cannot read" in capsys.readouterr().err
