"""The server's database goes away under the app: a check-in answered 503 DatabaseUnavailable
stays queued on the phone and is delivered once the database is back (no gateway faked: the
server's SQLite file really is moved away)."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend import db
from backend.checkins.models import CheckIn
from tests.conftest import alembic_config
from tests.factories import make_member
from tests.frontend.conftest import new_phone, serve_app, sign_in, watched_page

pytestmark = pytest.mark.browser


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[tuple[Path, Engine]]:
    path = tmp_path / "data" / "pux.db"
    path.parent.mkdir()
    engine = db.make_engine(f"sqlite:///{path}", create=True)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    yield path, engine
    engine.dispose()


def test_a_check_in_waits_through_a_database_outage(
    browser: Browser, own_database: tuple[Path, Engine], tmp_path: Path
) -> None:
    path, engine = own_database
    with Session(engine, expire_on_commit=False) as session:
        joined = make_member(session)
    with serve_app(f"sqlite:///{path}", tmp_path / "server.log") as base:
        context = new_phone(browser, base)
        try:
            with watched_page(context) as page:
                sign_in(page, joined.token)
                expect(page.get_by_role("heading", level=1)).to_have_text(
                    "I går, onsdag 25. november"
                )
                path.rename(tmp_path / "moved.db")
                page.get_by_role("radiogroup", name="Ro", exact=True).get_by_role(
                    "radio", name="Roligt", exact=True
                ).click()
                page.get_by_role("button", name="Send").click()
                expect(page.locator("#outbox")).to_contain_text("Venter på forbindelse")
                page.wait_for_timeout(500)
                (tmp_path / "moved.db").rename(path)
                checkin = _wait_for_checkin(page, engine, joined.member.id)
                assert checkin.calm == 4
                expect(page.get_by_role("region", name="Afsendelse")).to_be_hidden()
        finally:
            context.close()


def _wait_for_checkin(page: Page, engine: Engine, member_id: int | None) -> CheckIn:
    deadline = time.monotonic() + 20
    while True:
        with Session(engine) as session:
            row = session.exec(select(CheckIn).where(CheckIn.member_id == member_id)).first()
        if row is not None:
            return row
        assert time.monotonic() < deadline, "the queued check-in never reached the server"
        page.wait_for_timeout(200)
