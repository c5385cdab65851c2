"""Freezing closed weeks into roll-ups, retention, and who does it: queries, the CLI, the server."""

import time
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from backend import cli
from backend.checkins.models import CheckIn, CheckInSolution
from backend.config import settings
from backend.insights import rollup
from backend.insights.models import WeekRollup, WeekSolutionUse
from backend.orgs.models import Organisation
from backend.teams.models import Team
from tests.insights.conftest import (
    API,
    W44,
    W46,
    W47,
    House,
    SetNow,
    answer,
    cells,
    get,
    make_trial,
    utc,
    weekdays,
)

W43 = W44 - timedelta(weeks=1)


def _rollups(session: Session, team_id: int) -> dict[date, WeekRollup]:
    session.expire_all()
    return {
        r.week_start: r
        for r in session.exec(select(WeekRollup).where(col(WeekRollup.team_id) == team_id))
    }


def _org(session: Session, org_id: int | None) -> Organisation:
    session.expire_all()  # settings changed through the API are read afresh
    org = session.get(Organisation, org_id)
    assert org is not None
    return org


class TestFreeze:
    def test_writes_every_closed_week_once(self, house: House) -> None:
        blue = house.staff("Stue Blå", 6)
        trial = make_trial(house.session, blue.team, utc(W44))
        answer(house.session, blue.members[:5], weekdays(W46), calm=2, flow=None)
        answer(house.session, blue.members[:3], weekdays(W47)[:2], workload=5)
        answer(
            house.session,
            blue.members[3:],
            [W47],
            calm=5,
            marks={trial.id: "partly"},  # type: ignore[dict-item]
        )
        org = _org(house.session, house.org.id)
        first = rollup.freeze(session=house.session, org=org)
        house.session.commit()
        assert (first.teams, first.weeks) == (1, 8)  # 28 September (created) … 16 November
        stored = _rollups(house.session, blue.id)
        w46, w47 = stored[W46], stored[W47]
        assert (w46.respondents, w46.checkins, w46.calm_sum, w46.calm_count) == (5, 25, 50, 25)
        assert (w46.flow_count, w46.threshold, w46.members) == (0, 5, 6)
        assert (w47.respondents, w47.checkins, w47.workload_sum) == (6, 9, 6 * 5 + 3 * 3)
        assert stored[date(2026, 9, 28)].respondents == 0
        [use] = house.session.exec(select(WeekSolutionUse)).all()
        assert (use.week_start, use.solution_id, use.partly, use.yes) == (W47, trial.id, 3, 0)
        assert house.session.get(Team, blue.id).frozen_through == date(2026, 11, 22)  # type: ignore[union-attr]
        again = rollup.freeze(session=house.session, org=org)
        assert (again.teams, again.weeks) == (0, 0)
        assert rollup.is_frozen(session=house.session, org=org)

    def test_a_new_week_adds_its_row_next_thursday(self, house: House, set_now: SetNow) -> None:
        blue = house.staff("Stue Blå", 5)
        org = _org(house.session, house.org.id)
        rollup.freeze(session=house.session, org=org)
        house.session.commit()
        set_now("2026-12-02T23:00:00+01:00")  # Wednesday: week 48 still open
        assert rollup.is_frozen(session=house.session, org=org)
        set_now("2026-12-03T00:01:00+01:00")
        assert not rollup.is_frozen(session=house.session, org=org)
        result = rollup.freeze(session=house.session, org=org)
        assert (result.teams, result.weeks) == (1, 1)
        assert max(_rollups(house.session, blue.id)) == date(2026, 11, 23)

    def test_a_team_created_this_week_has_no_closed_week_yet(self, house: House) -> None:
        team = house.staff("Stue Ny", 5)
        fresh = house.session.get(Team, team.id)
        assert fresh is not None
        fresh.created_at = utc(date(2026, 11, 24))
        house.session.add(fresh)
        house.session.commit()
        result = rollup.freeze(session=house.session, org=_org(house.session, house.org.id))
        assert (result.teams, result.weeks) == (1, 0)
        assert _rollups(house.session, team.id) == {}


class TestErasureFreezesFirst:
    def test_deleting_a_member_rolls_up_their_closed_weeks_first(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        # No query has frozen anything yet; the erasure itself does, before the rows go.
        assert client.delete(f"{API}/me", headers=blue.members[0].headers).status_code == 204
        assert _rollups(house.session, blue.id)[W47].respondents == 5
        house.session.expire_all()
        assert house.session.exec(select(func.count()).select_from(CheckIn)).one() == 20


class TestRetention:
    def test_purge_deletes_old_check_ins_and_keeps_every_figure(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        trial = make_trial(house.session, blue.team, utc(W43))
        answer(house.session, blue.members, weekdays(W43), calm=2, marks={trial.id: "yes"})  # type: ignore[dict-item]
        answer(house.session, blue.members, [*weekdays(W47), date(2026, 11, 23)], calm=4)
        before = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        changed = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"retention_months": 1},
            headers=house.coordinator.headers,
        )
        assert changed.status_code == 200 and changed.json()["retention_months"] == 1
        org = _org(house.session, house.org.id)
        result = rollup.purge(session=house.session, org=org)
        house.session.commit()
        # Older than 26 October: week 43's answers and their marks are gone, the rest stays.
        assert result.checkins == 25
        house.session.expire_all()
        dates = set(house.session.exec(select(CheckIn.work_date)).all())
        assert min(dates) == date(2026, 11, 16) and date(2026, 11, 23) in dates
        assert house.session.exec(select(func.count()).select_from(CheckInSolution)).one() == 0
        after = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert after["weeks"] == before["weeks"] and after["solutions"] == before["solutions"]

    def test_a_check_in_in_an_open_week_is_never_purged(self, house: House) -> None:
        blue = house.staff("Stue Blå", 1)
        answer(house.session, blue.members, [date(2026, 11, 23)])
        org = _org(house.session, house.org.id)
        org.retention_months = 1
        house.session.add(org)
        house.session.commit()
        rollup.freeze(session=house.session, org=org)
        # Even if the cut-off were later than the frozen weeks, only frozen weeks are purged.
        team = house.session.get(Team, blue.id)
        assert team is not None
        team.frozen_through = date(2026, 11, 15)
        house.session.add(team)
        house.session.commit()
        assert rollup.purge(session=house.session, org=org).checkins == 0

    @pytest.mark.parametrize("months", [0, 121, None])
    def test_retention_outside_1_to_120_months_is_422(
        self, client: TestClient, house: House, months: object
    ) -> None:
        response = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"retention_months": months},
            headers=house.coordinator.headers,
        )
        assert response.status_code == 422
        assert "retention_months" in response.json()["detail"]
        assert _org(house.session, house.org.id).retention_months == 24

    def test_months_before_keeps_to_the_calendar(self) -> None:
        assert rollup.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
        assert rollup.months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)
        assert rollup.months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)


class TestWhoFreezes:
    def test_pux_rollup_and_pux_purge(
        self, house: House, capsys: pytest.CaptureFixture[str]
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47))
        assert cli.main(["rollup"]) == 0
        out = capsys.readouterr().out
        assert "'Børnehuset Solsikken'" in out and "8 week roll-ups written for 1 teams" in out
        assert cli.main(["rollup", "--org", str(house.org.id)]) == 0
        assert "0 week roll-ups" in capsys.readouterr().out
        assert cli.main(["purge"]) == 0
        assert "0 check-ins past retention deleted" in capsys.readouterr().out
        assert cli.main(["purge", "--org", "999"]) == 1
        assert "no organisation with id 999" in capsys.readouterr().err

    def test_the_server_freezes_in_the_background(
        self, engine: Engine, house: House, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from backend.main import create_app

        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47))
        monkeypatch.setattr(settings, "maintenance_minutes", 1)
        with TestClient(create_app()):
            deadline = time.monotonic() + 20
            while W47 not in _rollups(house.session, blue.id):
                assert time.monotonic() < deadline, "no roll-up from the background maintenance"
                time.sleep(0.05)
        assert _rollups(house.session, blue.id)[W47].respondents == 5

    def test_a_query_freezes_what_it_needs(self, client: TestClient, house: House) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=5)
        assert _rollups(house.session, blue.id) == {}
        summary = get(client, f"/teams/{blue.id}/summary", blue.members[0].headers)
        assert cells(summary)[str(W47)]["calm"] == 5.0
        assert W47 in _rollups(house.session, blue.id)
        assert W47 - timedelta(weeks=1) in _rollups(house.session, blue.id)
