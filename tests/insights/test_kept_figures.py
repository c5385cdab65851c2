"""Figures of frozen weeks are kept in memory between requests (backend/insights/cache.py): the
next request must still see every change a coordinator can make — a week that closes, a new team,
a changed threshold, a renamed team, a solution's new status — and the kept document must be the
one the computation gives."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from backend.insights import cache
from backend.insights.schemas import OrgTrends, TeamSummary
from tests.insights.conftest import (
    API,
    W45,
    W46,
    W47,
    W48,
    House,
    SetNow,
    answer,
    cells,
    get,
    make_trial,
    rows,
    utc,
    weekdays,
)


@pytest.fixture(autouse=True)
def _kept() -> None:
    cache.clear()
    assert cache.enabled


def trends(client: TestClient, house: House, **params: object) -> dict[str, object]:
    return get(  # type: ignore[no-any-return]
        client, f"/orgs/{house.org.id}/trends", house.coordinator.headers, OrgTrends, **params
    )


class TestKeptFiguresFollowTheData:
    def test_a_week_that_closes_is_added_and_the_closed_ones_stay(
        self, client: TestClient, house: House, set_now: SetNow
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        answer(house.session, blue.members, weekdays(W48), calm=2)
        before = trends(client, house, **{"from": str(W46)})
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert str(W48) not in rows(before, None) and str(W48) not in cells(summary)
        set_now("2026-12-03T08:00:00+01:00")  # week 48 closes
        after = trends(client, house, **{"from": str(W46)})
        assert rows(after, None)[str(W48)]["calm"] == 2.0
        assert rows(after, None)[str(W47)] == rows(before, None)[str(W47)]
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert cells(summary)[str(W48)]["calm"] == 2.0

    def test_a_new_team_counts_in_the_organisation_row_of_weeks_already_seen(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W46), calm=4)
        assert rows(trends(client, house), None)[str(W46)]["respondents"] == 5
        green = house.staff("Stue Grøn", 5)
        answer(house.session, green.members, weekdays(W46), calm=2)
        org_row = rows(trends(client, house), None)[str(W46)]
        assert (org_row["respondents"], org_row["calm"]) == (10, 3.0)

    def test_a_changed_threshold_applies_to_kept_weeks(
        self, client: TestClient, house: House, set_now: SetNow
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        green = house.staff("Stue Grøn", 4)
        answer(house.session, [*blue.members, *green.members], weekdays(W47), calm=3)
        answer(house.session, [*blue.members, *green.members], weekdays(W48), calm=1)
        assert rows(trends(client, house), None)[str(W47)]["respondents"] == 5
        lowered = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"anonymity_threshold": 4},
            headers=house.coordinator.headers,
        )
        assert lowered.status_code == 200
        set_now("2026-12-03T08:00:00+01:00")  # week 48 closes under k = 4
        shown = trends(client, house)
        assert rows(shown, green.id)[str(W47)]["suppressed"] is True  # closed under k = 5
        assert rows(shown, green.id)[str(W48)]["calm"] == 1.0
        assert rows(shown, None)[str(W48)]["respondents"] == 9
        raised = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"anonymity_threshold": 5},
            headers=house.coordinator.headers,
        )
        assert raised.status_code == 200
        hidden = trends(client, house)
        assert rows(hidden, green.id)[str(W48)]["suppressed"] is True
        assert rows(hidden, None)[str(W48)]["respondents"] == 5
        summary = get(client, f"/teams/{green.id}/summary", house.coordinator.headers)
        assert cells(summary)[str(W48)]["calm"] is None

    def test_names_and_statuses_are_read_on_every_request(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        trial = make_trial(house.session, blue.team, utc(W46 + timedelta(days=1)))
        assert trends(client, house)["teams"] == [{"id": blue.id, "name": "Stue Blå"}]
        renamed = client.patch(
            f"{API}/teams/{blue.id}", json={"name": "Stue Rød"}, headers=house.coordinator.headers
        )
        assert renamed.status_code == 200
        assert trends(client, house)["teams"] == [{"id": blue.id, "name": "Stue Rød"}]
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert summary["team"]["name"] == "Stue Rød"
        [effect] = [e for e in summary["solutions"] if e["id"] == trial.id]
        assert effect["status"] == "trial" and effect["title"] == "Frugt i to hold"


class TestKeptDocuments:
    def test_kept_and_computed_documents_are_the_same(
        self, client: TestClient, house: House
    ) -> None:
        blue, green, small = (
            house.staff("Stue Blå", 5),
            house.staff("Stue Grøn", 6),
            house.staff("Lille stue", 2),
        )
        for week, calm in ((W45, 2), (W46, 3), (W47, 5)):
            answer(house.session, [*blue.members, *green.members], weekdays(week), calm=calm)
            answer(house.session, small.members, weekdays(week, 2), calm=1)
        make_trial(house.session, blue.team, utc(W46))
        queries: list[tuple[str, dict[str, object]]] = [
            (f"/orgs/{house.org.id}/trends", {"from": str(W45)}),
            (f"/orgs/{house.org.id}/trends", {"team_id": [green.id, small.id]}),
            (f"/orgs/{house.org.id}/solution-effects", {}),
            (f"/teams/{blue.id}/summary", {}),
        ]
        kept = [get(client, url, house.coordinator.headers, **q) for url, q in queries]
        again = [get(client, url, house.coordinator.headers, **q) for url, q in queries]
        cache.enabled = False
        try:
            computed = [get(client, url, house.coordinator.headers, **q) for url, q in queries]
        finally:
            cache.enabled = True
        assert kept == again == computed
        TeamSummary.model_validate(kept[3])
        # A team filter changes the teams' rows, never the organisation row.
        assert rows(kept[0], None)[str(W46)] == rows(kept[1], None)[str(W46)]
        assert {p["team_id"] for p in kept[1]["periods"]} == {None, green.id, small.id}

    def test_a_kept_trend_is_the_same_compressed_or_not(
        self, client: TestClient, house: House
    ) -> None:
        for n in range(12):  # enough teams for a document worth compressing
            staffed = house.staff(f"Stue {n:02d}", 5)
            answer(house.session, staffed.members, weekdays(W47), calm=1 + n % 5)
        url = f"{API}/orgs/{house.org.id}/trends"
        headers = house.coordinator.headers
        plain = client.get(url, headers={**headers, "Accept-Encoding": "identity"})
        packed = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
        assert "content-encoding" not in plain.headers
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["vary"] == "Accept-Encoding"
        assert packed.json() == plain.json()
