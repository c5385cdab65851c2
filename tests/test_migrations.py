"""Migrations on a database of their own: empty → head, one step down and up again, and no drift
between the models and what the migrations build (on SQLite and PostgreSQL, like the suite)."""

from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from backend.models import metadata
from tests.conftest import alembic_config

TABLES = {t.name for t in metadata.sorted_tables}


@pytest.fixture
def fresh_engine(fresh_engines: Callable[[], Engine]) -> Engine:
    """An empty database, not the suite's migrated one."""
    return fresh_engines()


def _migrate(engine: Engine, target: str, *, down: bool = False) -> None:
    with engine.begin() as connection:
        config = alembic_config(connection)
        if down:
            command.downgrade(config, target)
        else:
            command.upgrade(config, target)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def _drift(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


class TestMigrations:
    def test_empty_to_head_builds_every_table(self, fresh_engine: Engine) -> None:
        assert _tables(fresh_engine) == set()
        _migrate(fresh_engine, "head")
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert _revision(fresh_engine) == head
        assert _tables(fresh_engine) == TABLES

    def test_one_step_down_and_up_again(self, fresh_engine: Engine) -> None:
        _migrate(fresh_engine, "head")
        script = ScriptDirectory.from_config(alembic_config())
        head = script.get_revision(script.get_current_head())
        assert head is not None
        _migrate(fresh_engine, "-1", down=True)
        previous = head.down_revision
        assert _revision(fresh_engine) == previous
        if previous is None:  # the first migration went: nothing of ours is left
            assert _tables(fresh_engine) == set()
        _migrate(fresh_engine, "head")
        assert _revision(fresh_engine) == head.revision
        assert _tables(fresh_engine) == TABLES
        assert _drift(fresh_engine) == []

    def test_autogenerate_finds_no_difference_from_the_models(self, fresh_engine: Engine) -> None:
        _migrate(fresh_engine, "head")
        assert _drift(fresh_engine) == []

    def test_drift_would_be_noticed(self, fresh_engine: Engine) -> None:
        # Guards the guard: a table the models know but the database lacks shows up as a diff.
        _migrate(fresh_engine, "head")
        with fresh_engine.begin() as connection:
            connection.exec_driver_sql('DROP TABLE "evaluation"')
        added = [d[1].name for d in _drift(fresh_engine) if d[0] == "add_table"]  # type: ignore[index]
        assert added == ["evaluation"]

    def test_single_head(self) -> None:
        assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


class TestSQLiteForeignKeys:
    """Batch mode rebuilds a table on SQLite by dropping it: with foreign keys on, that would
    delete every row referring to it. Migrations suspend them, and only for themselves."""

    def test_a_rebuild_keeps_the_rows_and_foreign_keys_are_on_again_afterwards(
        self, fresh_engine: Engine
    ) -> None:
        if fresh_engine.dialect.name != "sqlite":
            pytest.skip("a SQLite rule")
        _migrate(fresh_engine, "0001")
        with fresh_engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO organisation (name, timezone, locale, "
                "anonymity_threshold, checkin_window_days, created_at) "
                "VALUES ('O', 'Europe/Copenhagen', 'da', 5, 3, '2026-11-26 08:00:00')"
            )
            connection.exec_driver_sql("INSERT INTO team (org_id, name, reminder_time, "
                "working_days, created_at) VALUES (1, 'T', '07:45', '1,2,3,4,5', "
                "'2026-11-26 08:00:00')")  # fmt: skip
        _migrate(fresh_engine, "head")  # rebuilds organisation (a new check constraint)
        with fresh_engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM team").scalar_one() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
