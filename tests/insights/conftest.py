"""Shared set-up for the insights tests: an organisation of staffed teams, answers written straight
into the check-in table for past dates, and the clock on a Thursday morning.

Thursday 26 November 2026 (week 48): with the default window (today and 3 working days back) the
oldest rateable date is Monday 23, so week 47 (16–22 November) closed this morning and week 48 is
open."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session

from backend.checkins.models import CheckIn, CheckInSolution
from backend.orgs.models import Organisation
from backend.solutions.models import Solution, SolutionStatusChange
from backend.teams.models import Team
from tests.factories import (
    JoinedMember,
    LoggedInCoordinator,
    make_coordinator,
    make_member,
    make_org,
    make_team,
)

SetNow = Callable[[str], datetime]
API = "/api/v1"
THURSDAY = "2026-11-26T08:00:00+01:00"
W44, W45, W46, W47, W48 = (date(2026, 10, 26) + timedelta(weeks=n) for n in range(5))


def weekdays(monday: date, count: int = 5) -> list[date]:
    return [monday + timedelta(days=n) for n in range(count)]


@dataclass
class Staffed:
    team: Team
    members: list[JoinedMember]

    @property
    def id(self) -> int:
        assert self.team.id is not None
        return self.team.id


def answer(
    session: Session,
    members: Iterable[JoinedMember],
    days: Iterable[date],
    *,
    calm: int | None = 3,
    flow: int | None = 3,
    workload: int | None = 3,
    comment: str | None = None,
    share: bool = False,
    marks: dict[int, str] | None = None,
) -> None:
    """Each member answers on each day (straight into the table: past dates, no window)."""
    days = list(days)
    for joined in members:
        for day in days:
            checkin = CheckIn(
                member_id=joined.member.id,  # type: ignore[arg-type]
                team_id=joined.member.team_id,
                work_date=day,
                calm=calm,
                flow=flow,
                workload=workload,
                comment=comment,
                share_comment=share,
            )
            session.add(checkin)
            session.flush()
            for solution_id, used in (marks or {}).items():
                session.add(
                    CheckInSolution(checkin_id=checkin.id, solution_id=solution_id, used=used)  # type: ignore[arg-type]
                )
    session.commit()


def make_trial(
    session: Session, team: Team, started: datetime, *, title: str = "Frugt i to hold"
) -> Solution:
    """A solution proposed a month before `started` and in trial since then."""
    solution = Solution.model_validate(
        {"perspective": "P", "title": title, "status": "trial"}, update={"team_id": team.id}
    )
    session.add(solution)
    session.flush()
    assert solution.id is not None
    session.add(
        SolutionStatusChange(
            solution_id=solution.id, to_status="proposed", changed_at=started - timedelta(days=30)
        )
    )
    session.add(
        SolutionStatusChange(
            solution_id=solution.id, from_status="proposed", to_status="trial", changed_at=started
        )
    )
    session.commit()
    return solution


@dataclass
class House:
    """An organisation with teams of staff, its coordinator, and an outsider coordinator."""

    session: Session
    org: Organisation
    teams: dict[str, Staffed] = field(default_factory=dict)

    def staff(self, name: str, size: int, **team_fields: Any) -> Staffed:
        """A team created on 1 October (before every week the tests use), with `size` members
        who joined that day."""
        joined = datetime(2026, 10, 1, 8, tzinfo=UTC)
        team = make_team(self.session, self.org, name=name, created_at=joined, **team_fields)
        created = Staffed(
            team, [make_member(self.session, team, joined_at=joined) for _ in range(size)]
        )
        self.teams[name] = created
        return created

    @cached_property
    def coordinator(self) -> LoggedInCoordinator:
        return make_coordinator(self.session, self.org)

    @cached_property
    def outsider(self) -> LoggedInCoordinator:
        return make_coordinator(self.session, make_org(self.session, name="Andet hus"))


@pytest.fixture
def house(session: Session, set_now: SetNow) -> House:
    set_now(THURSDAY)
    return House(session=session, org=make_org(session, name="Børnehuset Solsikken"))


def get(
    client: TestClient,
    url: str,
    headers: dict[str, str],
    model: type[BaseModel] | None = None,
    **params: Any,
) -> Any:
    """GET that must answer 200; the body is checked against its response model."""
    response = client.get(f"{API}{url}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    if model is not None:
        model.model_validate(response.json())
    return response.json()


def cells(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {week["week_start"]: week for week in summary["weeks"]}


def rows(trends: dict[str, Any], team_id: int | None) -> dict[str, dict[str, Any]]:
    return {p["period_start"]: p for p in trends["periods"] if p["team_id"] == team_id}


def utc(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def members_of(*staffed: Staffed) -> Sequence[JoinedMember]:
    return [m for s in staffed for m in s.members]
