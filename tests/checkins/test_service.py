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
from backend.checkins.workdates import WorkDateInFuture, WorkDateOutsideWindow
from backend.errors import Unauthorized
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
