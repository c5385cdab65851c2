"""The hot path's SQL keeps no rules of its own (issue 9 item 10): who a token belongs to, the
check-in columns and SQLite's time text are the ones the rest of the app uses."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.dialects import sqlite
from sqlmodel import Session, select

from backend import security
from backend.auth.dependencies import member_for_token
from backend.checkins import service
from backend.checkins.models import CHECKIN_COLUMNS, MARK_COLUMNS
from backend.checkins.sql import statements
from backend.db import UTCDateTime, sqlite_utc_text, sqlite_utc_value
from backend.teams.models import Member, MemberToken
from tests.factories import make_member, make_org, make_team


class TestMemberByToken:
    def test_current_member_and_the_writer_find_the_same_member_with_the_same_settings(
        self, engine: Engine, session: Session
    ) -> None:
        org = make_org(session, timezone="Europe/Copenhagen", checkin_window_days=5)
        team = make_team(session, org, working_days="1,2,3,4,5,6")
        team.frozen_through = date(2026, 11, 22)
        session.add(team)
        session.commit()
        joined = make_member(session, team)
        other = make_member(session)

        with Session(engine) as fresh:
            member = member_for_token(session=fresh, token=joined.token)
            assert member is not None and member.id == joined.member.id
            by_orm = service.member_context(session=fresh, member=member)
        with engine.connect() as connection, connection.begin():
            found = statements(connection).authenticate(
                [security.hash_token(t) for t in (joined.token, other.token, "not-a-token")]
            )
        assert set(found) == {security.hash_token(joined.token), security.hash_token(other.token)}
        assert service.MemberContext(**found[security.hash_token(joined.token)]) == by_orm
        assert by_orm == service.MemberContext(
            member_id=joined.member.id or 0,
            team_id=team.id or 0,
            timezone="Europe/Copenhagen",
            window_days=5,
            working_days="1,2,3,4,5,6",
            frozen_through=date(2026, 11, 22),
        )

    def test_a_removed_token_is_unknown_to_both(self, engine: Engine, session: Session) -> None:
        joined = make_member(session)
        for token in session.exec(
            select(MemberToken).where(MemberToken.member_id == joined.member.id)
        ).all():
            session.delete(token)
        session.commit()
        with Session(engine) as fresh:
            assert member_for_token(session=fresh, token=joined.token) is None
        with engine.connect() as connection, connection.begin():
            assert statements(connection).authenticate([security.hash_token(joined.token)]) == {}

    def test_current_member_brings_the_team_and_organisation_along(
        self, engine: Engine, session: Session
    ) -> None:
        joined = make_member(session)
        with Session(engine) as fresh:
            member = member_for_token(session=fresh, token=joined.token)
            assert isinstance(member, Member)
            # In the session already: member_context asks no second query.
            loaded = {type(obj).__name__ for obj in fresh.identity_map.values()}
        assert {"Member", "Team", "Organisation"} <= loaded


class TestColumnsAndTimes:
    def test_the_column_lists_are_the_migrated_tables(self, engine: Engine) -> None:
        tables = inspect(engine)
        assert [c["name"] for c in tables.get_columns("checkin")] == list(CHECKIN_COLUMNS)
        assert [c["name"] for c in tables.get_columns("checkin_solution")] == list(MARK_COLUMNS)

    @pytest.mark.parametrize(
        "instant",
        [
            datetime(2026, 11, 26, 7, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 2, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2))),
            datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        ],
    )
    def test_sqlite_utc_text_is_what_sqlalchemy_writes_and_reads(self, instant: datetime) -> None:
        dialect = sqlite.dialect()
        column = UTCDateTime()
        bind = column.process_bind_param(instant, dialect)
        written = sqlite.DATETIME().bind_processor(dialect)(bind)  # type: ignore[misc]
        assert sqlite_utc_text(instant) == written
        read = sqlite.DATETIME().result_processor(dialect, None)(written)  # type: ignore[misc]
        assert sqlite_utc_value(written) == column.process_result_value(read, dialect) == instant
