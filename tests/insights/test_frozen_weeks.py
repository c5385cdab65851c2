"""A closed week is frozen: no late check-in, no deletion, also not after the window is widened,
the working days are cut or the time zone is changed."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from backend import security
from backend.checkins import service as checkin_service
from backend.checkins.models import CheckIn
from backend.checkins.schemas import CheckInIn
from backend.insights.models import WeekRollup
from backend.insights.schemas import TeamSummary
from backend.teams.models import Team
from tests.insights.conftest import API, W47, House, answer, cells, get, weekdays

WEDNESDAY_OF_W47 = date(2026, 11, 18)


def _checkins_on(session: Session, day: date) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).where(CheckIn.work_date == day)).all())


def _frozen_through(session: Session, team_id: int) -> date | None:
    session.expire_all()
    team = session.get(Team, team_id)
    assert team is not None
    return team.frozen_through


class TestLateCheckIns:
    def test_a_closed_week_is_outside_the_window(self, client: TestClient, house: House) -> None:
        blue = house.staff("Stue Blå", 1)
        response = client.put(
            f"{API}/me/checkins/{WEDNESDAY_OF_W47}",
            json={"calm": 1},
            headers=blue.members[0].headers,
        )
        assert response.status_code == 422
        assert _checkins_on(house.session, WEDNESDAY_OF_W47) == []

    def test_a_widened_window_does_not_reopen_a_closed_week(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        before = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers, TeamSummary)
        # Without any query in between, the PATCH itself freezes week 47 before widening.
        widened = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"checkin_window_days": 14},
            headers=house.coordinator.headers,
        )
        assert widened.status_code == 200
        assert _frozen_through(house.session, blue.id) == date(2026, 11, 22)
        member = blue.members[0]
        late = client.put(
            f"{API}/me/checkins/{WEDNESDAY_OF_W47}", json={"calm": 1}, headers=member.headers
        )
        assert late.status_code == 422
        assert late.json()["error"] == "WeekClosed"
        assert "week 47" in late.json()["detail"]
        assert [c.calm for c in _checkins_on(house.session, WEDNESDAY_OF_W47)] == [4] * 5
        deleted = client.delete(f"{API}/me/checkins/{WEDNESDAY_OF_W47}", headers=member.headers)
        assert deleted.status_code == 422 and deleted.json()["error"] == "WeekClosed"
        assert len(_checkins_on(house.session, WEDNESDAY_OF_W47)) == 5
        # The week before is still open under the wider window: Today offers this week only.
        today = client.get(f"{API}/me/today", headers=member.headers).json()
        assert today["window"] == {"from": "2026-11-23", "to": "2026-11-26"}
        assert (
            client.put(
                f"{API}/me/checkins/2026-11-23", json={"calm": 3}, headers=member.headers
            ).status_code
            == 201
        )
        after = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers, TeamSummary)
        assert cells(after)["2026-11-16"] == cells(before)["2026-11-16"]

    def test_fewer_working_days_do_not_reopen_a_closed_week(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 1)
        # Mondays only: three working days back from Thursday reach 9 November.
        response = client.patch(
            f"{API}/teams/{blue.id}", json={"working_days": [1]}, headers=house.coordinator.headers
        )
        assert response.status_code == 200
        assert _frozen_through(house.session, blue.id) == date(2026, 11, 22)
        late = client.put(
            f"{API}/me/checkins/2026-11-16", json={"calm": 2}, headers=blue.members[0].headers
        )
        assert late.status_code == 422 and late.json()["error"] == "WeekClosed"

    def test_another_time_zone_does_not_reopen_a_closed_week(
        self, client: TestClient, house: House, set_now: object
    ) -> None:
        blue = house.staff("Stue Blå", 1)
        set_now("2026-11-26T00:30:00+01:00")  # just after midnight in Copenhagen: week 47 closed
        client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"timezone": "America/Los_Angeles"},  # still Wednesday there
            headers=house.coordinator.headers,
        )
        late = client.put(
            f"{API}/me/checkins/2026-11-22", json={"calm": 2}, headers=blue.members[0].headers
        )
        assert late.status_code == 422 and late.json()["error"] == "WeekClosed"

    def test_in_a_batch_only_the_frozen_date_is_refused(self, engine: Engine, house: House) -> None:
        blue = house.staff("Stue Blå", 2)
        house.session.get(Team, blue.id).frozen_through = date(2026, 11, 22)  # type: ignore[union-attr]
        house.session.commit()

        def request(n: int, day: date) -> checkin_service.CheckInRequest:
            return checkin_service.CheckInRequest(
                token_hash=security.hash_token(blue.members[n].token),
                work_date=day,
                data=CheckInIn(calm=3),
            )

        with engine.begin() as connection:
            outcomes = checkin_service.record_checkins(
                connection=connection,
                requests=[request(0, date(2026, 11, 22)), request(1, date(2026, 11, 23))],
            )
        assert isinstance(outcomes[0], checkin_service.AppError)
        assert type(outcomes[0]).__name__ == "WeekClosed"
        assert not isinstance(outcomes[1], checkin_service.AppError)
        assert [c.work_date for c in _checkins_on(house.session, date(2026, 11, 23))] == [
            date(2026, 11, 23)
        ]


class TestFrozenFigures:
    def test_a_closed_weeks_figures_never_change(self, client: TestClient, house: House) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        first = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        # Raw data changed behind the app's back (it cannot happen through the API): the roll-up
        # written when the week closed is what every figure is built from.
        for checkin in _checkins_on(house.session, WEDNESDAY_OF_W47):
            checkin.calm = 1
            house.session.add(checkin)
        house.session.commit()
        again = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert cells(again)["2026-11-16"]["calm"] == cells(first)["2026-11-16"]["calm"] == 4.0
        stored = house.session.exec(
            select(WeekRollup).where(col(WeekRollup.team_id) == blue.id)
        ).all()
        # One row per week since the team was created; written once.
        assert [r.week_start for r in stored][-1] == W47 and len(stored) == 8
