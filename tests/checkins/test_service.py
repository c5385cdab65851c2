"""record_checkins: many requests in one batch behave as if each had run alone, in order."""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend import security
from backend.checkins import service, writer
from backend.checkins.models import CheckIn, CheckInSolution
from backend.checkins.schemas import CheckInIn
from backend.checkins.service import CheckInRequest, UnknownSolution
from backend.checkins.sql import statements
from backend.checkins.workdates import WorkDateInFuture, WorkDateOutsideWindow
from backend.errors import Unauthorized
from backend.solutions import service as solution_service
from backend.solutions.models import Solution, SolutionStatusChange
from tests.factories import make_member, make_team

SetNow = Callable[[str], datetime]


@pytest.fixture(autouse=True)
def _thursday_morning(set_now: SetNow) -> None:
    set_now("2026-11-26T08:00:00+01:00")


def _request(token: str, day: str, **body: object) -> CheckInRequest:
    return CheckInRequest(
        token_hash=security.hash_token(token),
        work_date=date.fromisoformat(day),
        data=CheckInIn.model_validate(body),
    )


class TestRecordCheckins:
    def test_a_mixed_batch_gives_each_request_its_own_outcome(
        self, engine: Engine, session: Session
    ) -> None:
        team = make_team(session)
        anna, bo = make_member(session, team), make_member(session, team)
        solution = Solution(
            team_id=team.id or 0, perspective="U", title="Ro-hjørne", status="trial"
        )
        session.add(solution)
        session.flush()
        session.add(
            SolutionStatusChange(
                solution_id=solution.id or 0,
                to_status="trial",
                changed_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )
        session.commit()
        mark = [{"solution_id": solution.id, "used": "yes"}]
        requests = [
            _request(anna.token, "2026-11-25", calm=1, solutions=mark),
            _request("not-a-token", "2026-11-25", calm=2),
            _request(anna.token, "2026-11-25", calm=3),  # a retry in the same batch
            _request(bo.token, "2026-11-27", calm=4),
            _request(bo.token, "2026-11-01", calm=4),
            _request(
                bo.token, "2026-11-25", calm=5, solutions=[{"solution_id": 999, "used": "no"}]
            ),
            _request(bo.token, "2026-11-25", calm=5, solutions=mark),
            _request(anna.token, "2026-11-25", calm=4, solutions=mark),
        ]
        with engine.connect() as connection, connection.begin():
            outcomes = service.record_checkins(connection=connection, requests=requests)
        kinds = [
            type(o).__name__ if isinstance(o, Exception) else ("created" if o[1] else "replaced")
            for o in outcomes
        ]
        assert kinds == [
            "created",
            "Unauthorized",
            "replaced",
            "WorkDateInFuture",
            "WorkDateOutsideWindow",
            "UnknownSolution",
            "created",
            "replaced",
        ]
        assert isinstance(outcomes[1], Unauthorized)
        assert isinstance(outcomes[3], WorkDateInFuture)
        assert isinstance(outcomes[4], WorkDateOutsideWindow)
        assert isinstance(outcomes[5], UnknownSolution)
        rows = {
            c.member_id: (c.calm, c.revision)
            for c in session.exec(select(CheckIn).where(CheckIn.work_date == date(2026, 11, 25)))
        }
        # The last of Anna's three requests is what stays; each counted as one revision.
        assert rows == {anna.member.id: (4, 3), bo.member.id: (5, 1)}
        assert len(session.exec(select(CheckIn)).all()) == 2
        assert len(session.exec(select(CheckInSolution)).all()) == 2


class TestConcurrentPuts:
    def test_many_concurrent_puts_store_one_row_per_member_and_date(
        self, engine: Engine, session: Session
    ) -> None:
        from backend.main import create_app

        team = make_team(session)
        members = [make_member(session, team) for _ in range(5)]
        days = ["2026-11-24", "2026-11-25", "2026-11-26"]

        async def put_all() -> list[int]:
            transport = httpx.ASGITransport(app=create_app())
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                responses = await asyncio.gather(
                    *(
                        client.put(
                            f"/api/v1/me/checkins/{day}",
                            json={"calm": 1 + n % 5},
                            headers=member.headers,
                        )
                        for n in range(4)
                        for member in members
                        for day in days
                    )
                )
            return [r.status_code for r in responses]

        try:
            statuses = asyncio.run(put_all())
        finally:
            writer.shutdown()
        assert sorted(statuses) == [200] * 45 + [201] * 15
        rows = session.exec(select(CheckIn)).all()
        assert len(rows) == 15
        assert sorted(r.revision for r in rows) == [4] * 15


def test_the_writer_finds_the_same_active_solutions_as_the_solutions_domain(
    session: Session,
) -> None:
    """The writer reads solutions and their history with raw SQL (its own date and time parsing)
    and applies the solutions domain's rule: for every team and day it must agree with the ORM."""
    green, red = make_team(session), make_team(session, name="Stue Rød")
    assert green.id is not None and red.id is not None

    def solution(team_id: int, title: str, status: str, *changes: tuple[str, datetime]) -> int:
        row = Solution(team_id=team_id, perspective="P", title=title, status=status)
        session.add(row)
        session.flush()
        assert row.id is not None
        for to_status, changed_at in changes:
            session.add(
                SolutionStatusChange(solution_id=row.id, to_status=to_status, changed_at=changed_at)
            )
        return row.id

    # 23:30 on 25 October, the 25-hour day the clocks go back: 22:30 UTC, still the 25th.
    late = solution(
        green.id, "Sen aftale", "trial", ("trial", datetime(2026, 10, 25, 22, 30, tzinfo=UTC))
    )
    dropped = solution(
        green.id,
        "Droppet",
        "dropped",
        ("trial", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("dropped", datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC)),
    )
    solution(red.id, "Foreslået", "proposed", ("proposed", datetime(2026, 11, 1, tzinfo=UTC)))
    today = solution(
        red.id, "Ny i dag", "trial", ("trial", datetime(2026, 11, 26, 6, 59, tzinfo=UTC))
    )
    session.commit()
    days = [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
    days += [date(2026, 11, day) for day in range(22, 27)]
    wanted = {(team_id, day) for team_id in (green.id, red.id) for day in days}

    from_orm = solution_service.active_solution_ids(session=session, team_days=wanted)
    from_writer = service._active_solution_ids(statements(session.connection()), wanted)

    assert from_writer == from_orm
    assert (from_writer[green.id, days[0]], from_writer[green.id, days[1]]) == (set(), {late})
    assert from_writer[green.id, date(2026, 11, 25)] == {late, dropped}  # dropped that morning
    assert from_writer[green.id, date(2026, 11, 26)] == {late}
    assert from_writer[red.id, date(2026, 11, 26)] == {today}
    assert from_writer[red.id, date(2026, 11, 25)] == set()
