"""The privacy rules, attacked the way a curious coordinator (or colleague) would try.

Each test builds a small organisation, asks every view and export, and checks that no
combination of figures gives more than whole shown team × week cells (docs/privacy.md)."""

import csv
import io
from datetime import date, timedelta
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from backend.insights.schemas import OrgSolutionEffects, OrgTrends, TeamSummary
from tests.factories import make_team
from tests.insights.conftest import (
    API,
    W44,
    W45,
    W46,
    W47,
    W48,
    House,
    SetNow,
    Staffed,
    answer,
    cells,
    get,
    make_trial,
    rows,
    utc,
    weekdays,
)

FOUR_WEEKS = [W44, W45, W46, W47]


def _walk(value: Any) -> list[Any]:
    """Every value in a JSON document, nested ones included."""
    found = [value]
    if isinstance(value, dict):
        for item in value.values():
            found += _walk(item)
    elif isinstance(value, list):
        for item in value:
            found += _walk(item)
    return found


def _keys(value: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        keys |= set(value)
        for item in value.values():
            keys |= _keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= _keys(item)
    return keys


def _csv(client: TestClient, house: House, **params: Any) -> list[dict[str, str]]:
    response = client.get(
        f"{API}/orgs/{house.org.id}/export.csv",
        headers=house.coordinator.headers,
        params={"lang": "en", **params},
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(client: TestClient, house: House, **params: Any) -> list[dict[str, Any]]:
    response = client.get(
        f"{API}/orgs/{house.org.id}/export.xlsx",
        headers=house.coordinator.headers,
        params={"lang": "en", **params},
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Trends"]
    header, *body = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in body]  # type: ignore[arg-type]


def _pooled(*groups: tuple[int, float]) -> float:
    """The mean of several groups of ratings given as (number of ratings, their mean)."""
    return round(sum(n * mean for n, mean in groups) / sum(n for n, _ in groups), 2)


class TestSuppression:
    def test_a_team_with_k_minus_1_respondents_is_suppressed_in_every_view_and_export(
        self, client: TestClient, house: House
    ) -> None:
        blue, red = house.staff("Stue Blå", 5), house.staff("Stue Rød", 4)
        trial = make_trial(house.session, red.team, utc(W46 + timedelta(days=2)))
        for week in FOUR_WEEKS:
            answer(house.session, blue.members, weekdays(week), calm=4, flow=4, workload=2)
            answer(
                house.session,
                red.members,
                weekdays(week),
                calm=1,
                flow=1,
                workload=5,
                comment="Kun vi fire ved det",
                share=True,
                marks={trial.id: "no"},  # type: ignore[dict-item]
            )
        for headers in (red.members[0].headers, house.coordinator.headers):
            summary = get(client, f"/teams/{red.id}/summary", headers, TeamSummary, **{"from": W44})
            assert [w["week_start"] for w in summary["weeks"]] == [str(w) for w in FOUR_WEEKS]
            for week in summary["weeks"]:
                assert week["suppressed"] is True and week["respondents"] == 4
                assert (week["calm"], week["flow"], week["workload"]) == (None, None, None)
                assert week["solution_use"] == []
            assert summary["comments"] == []
            [effect] = summary["solutions"]
            for side in (effect["before"], effect["after"], *effect["others"].values()):
                if "weeks" in side:
                    assert side["weeks"] == 0 and side["calm"] is None
            assert effect["use"]["marks"] == 0 and effect["use"]["shares"] is None
            assert effect["thin"] is True
        trends = get(
            client,
            f"/orgs/{house.org.id}/trends",
            house.coordinator.headers,
            OrgTrends,
            **{"from": W44},
        )
        for row in rows(trends, red.id).values():
            assert row["suppressed"] and row["calm"] is None and row["respondents"] == 4
        for row in rows(trends, None).values():
            assert (row["calm"], row["workload"], row["teams"], row["teams_left_out"]) == (
                4,
                2,
                1,
                1,
            )
        assert trends["teams_left_out"] == 1
        # Red's ratings (1 and 5 in every answer) appear in no figure.
        floats = [v for v in _walk(trends) + _walk(summary) if isinstance(v, float)]
        assert 1.0 not in floats and 5.0 not in floats
        effects = get(
            client,
            f"/orgs/{house.org.id}/solution-effects",
            house.coordinator.headers,
            OrgSolutionEffects,
        )
        [red_effect] = effects["solutions"]
        assert red_effect["before"]["weeks"] == red_effect["after"]["weeks"] == 0
        for exported in (
            _csv(client, house, **{"from": W44}),
            _xlsx(client, house, **{"from": W44}),
        ):
            red_rows = [r for r in exported if r["Team"] == "Stue Rød"]
            assert len(red_rows) == 4
            for row in red_rows:
                assert row["Calm"] in ("", None) and row["Workload"] in ("", None)
                assert row["Too few answers"] in ("yes", True)
                assert row["Respondents"] in ("4", 4)

    def test_the_organisation_row_never_reveals_a_suppressed_team(
        self, client: TestClient, house: House
    ) -> None:
        blue, green = house.staff("Stue Blå", 5), house.staff("Stue Grøn", 6)
        red = house.staff("Stue Rød", 4)
        answer(house.session, blue.members, weekdays(W47), calm=4, flow=3, workload=2)
        answer(house.session, green.members[:3], weekdays(W47), calm=2, flow=2, workload=4)
        answer(house.session, green.members[3:], weekdays(W47), calm=3, flow=5, workload=3)
        answer(house.session, red.members, weekdays(W47), calm=1, flow=1, workload=5)
        trends = get(client, f"/orgs/{house.org.id}/trends", house.coordinator.headers, OrgTrends)
        org = rows(trends, None)[str(W47)]
        blue_row, green_row = rows(trends, blue.id)[str(W47)], rows(trends, green.id)[str(W47)]
        # Organisation − the visible teams = nothing: it holds exactly the shown cells.
        assert org["respondents"] == blue_row["respondents"] + green_row["respondents"] == 11
        assert org["members"] == blue_row["members"] + green_row["members"]
        assert org["calm"] == _pooled((25, 4.0), (30, 2.5)) == 3.18
        assert org["flow"] == _pooled((25, 3.0), (30, 3.5))
        assert org["workload"] == _pooled((25, 2.0), (30, 3.5))
        assert (org["teams"], org["teams_left_out"]) == (2, 1)
        # The "others" of a team are the rest of the shown cells: organisation − Blå = Grøn.
        trial = make_trial(house.session, blue.team, utc(W46 + timedelta(days=1)))
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        [effect] = [e for e in summary["solutions"] if e["id"] == trial.id]
        others = effect["others"]["after"]
        assert (others["cells"], others["respondents"], others["calm"]) == (1, 6, 2.5)
        [total] = [t for t in trends["totals"] if t["team_id"] is None]
        assert (total["respondents"], total["calm"]) == (11, org["calm"])

    def test_lowering_k_does_not_unveil_a_week_that_closed_suppressed(
        self, client: TestClient, house: House, set_now: SetNow
    ) -> None:
        blue = house.staff("Stue Blå", 4)
        answer(house.session, blue.members, weekdays(W47), calm=2)
        assert cells(get(client, f"/teams/{blue.id}/summary", house.coordinator.headers))[str(W47)][
            "suppressed"
        ]
        lowered = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"anonymity_threshold": 3},
            headers=house.coordinator.headers,
        )
        assert lowered.status_code == 200
        answer(house.session, blue.members, weekdays(W48), calm=4)
        set_now("2026-12-03T08:00:00+01:00")  # week 48 closes under k = 3
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert summary["threshold"] == 3
        assert cells(summary)[str(W47)]["suppressed"] is True  # closed under k = 5
        assert cells(summary)[str(W48)]["calm"] == 4.0
        # Raising k hides what no longer reaches it; below 3 is refused.
        raised = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"anonymity_threshold": 5},
            headers=house.coordinator.headers,
        )
        assert raised.status_code == 200
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        assert cells(summary)[str(W48)]["suppressed"] is True
        refused = client.patch(
            f"{API}/orgs/{house.org.id}",
            json={"anonymity_threshold": 2},
            headers=house.coordinator.headers,
        )
        assert refused.status_code == 422 and refused.json()["error"] == "ValidationError"


class TestWholeCellsOnly:
    def _four_weeks(self, house: House) -> Staffed:
        blue = house.staff("Stue Blå", 5)
        for n, week in enumerate(FOUR_WEEKS):
            answer(house.session, blue.members, weekdays(week), calm=n + 1, flow=5 - n)
        return blue

    def test_ranges_snap_to_whole_closed_weeks(self, client: TestClient, house: House) -> None:
        blue = self._four_weeks(house)
        url, headers = f"/orgs/{house.org.id}/trends", house.coordinator.headers
        whole = get(client, url, headers, **{"from": W45, "to": W46 + timedelta(days=6)})
        # A range starting on a Wednesday, or ending on a Tuesday, still gives whole weeks.
        for first, last in (
            (W45 + timedelta(days=2), W46 + timedelta(days=1)),
            (W45 + timedelta(days=6), W46),
        ):
            partial = get(client, url, headers, **{"from": first, "to": last})
            assert partial == whole
        assert (whole["from"], whole["to"]) == ("2026-11-02", "2026-11-15")
        # Overlapping ranges differ by exactly one whole cell.
        longer = get(client, url, headers, **{"from": W44, "to": W46})
        [short_total] = [t for t in whole["totals"] if t["team_id"] == blue.id]
        [long_total] = [t for t in longer["totals"] if t["team_id"] == blue.id]
        w44 = rows(longer, blue.id)[str(W44)]
        assert long_total["respondents"] - short_total["respondents"] == w44["respondents"]
        assert long_total["calm"] == _pooled((25, w44["calm"]), (50, short_total["calm"]))
        assert (long_total["weeks"], short_total["weeks"]) == (3, 2)

    def test_trials_starting_on_neighbouring_days_differ_by_whole_weeks(
        self, client: TestClient, house: House
    ) -> None:
        blue = self._four_weeks(house)
        # 20:00 on Sunday 15 November in Copenhagen is 19:00 UTC: still week 45.
        make_trial(house.session, blue.team, utc(W46 - timedelta(days=1), 19), title="Søndag")
        make_trial(house.session, blue.team, utc(W46, 7), title="Mandag")
        make_trial(house.session, blue.team, utc(W46 + timedelta(days=1)), title="Tirsdag")
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers, TeamSummary)
        effects = {e["title"]: e for e in summary["solutions"]}
        weekly = cells(summary)
        sunday, monday, tuesday = effects["Søndag"], effects["Mandag"], effects["Tirsdag"]
        assert (sunday["trial_week"], monday["trial_week"]) == (str(W45), str(W46))
        # Monday's "before" holds week 45, Sunday's does not: the difference is that whole cell.
        w45 = weekly[str(W45)]
        assert (
            monday["before"]["respondents"] - sunday["before"]["respondents"] == w45["respondents"]
        )
        assert monday["before"]["calm"] == _pooled(
            (25, w45["calm"]), (25, sunday["before"]["calm"])
        )
        assert sunday["after"]["respondents"] - monday["after"]["respondents"] == 5
        # Two trials started in the same week have the very same figures.
        for side in ("before", "after", "change", "others", "use"):
            assert tuesday[side] == monday[side]
        # Every side is a run of whole weeks with exactly those weeks' respondents.
        for effect in (sunday, monday):
            for side in (effect["before"], effect["after"]):
                covered = [
                    w
                    for start, w in weekly.items()
                    if side["first_week"] <= start <= side["last_week"]
                ]
                assert side["weeks"] == len(covered)
                assert side["respondents"] == sum(w["respondents"] for w in covered)

    def test_team_filters_never_change_the_organisation_row(
        self, client: TestClient, house: House
    ) -> None:
        blue, green = self._four_weeks(house), house.staff("Stue Grøn", 5)
        for week in FOUR_WEEKS:
            answer(house.session, green.members, weekdays(week), calm=5)
        url, headers = f"/orgs/{house.org.id}/trends", house.coordinator.headers
        everything = get(client, url, headers, **{"from": W44})
        only_blue = get(client, url, headers, **{"from": W44, "team_id": blue.id})
        both = get(client, url, headers, **{"from": W44, "team_id": [green.id, blue.id]})
        assert rows(only_blue, None) == rows(everything, None) == rows(both, None)
        assert rows(only_blue, blue.id) == rows(everything, blue.id)
        assert rows(only_blue, green.id) == {}
        assert only_blue["teams"] == [{"id": blue.id, "name": "Stue Blå"}]
        assert [t["team_id"] for t in only_blue["totals"]] == [None, blue.id]
        assert only_blue["totals"][0] == everything["totals"][0]
        elsewhere = make_team(house.session, name="Andet hus' stue")  # in an org of its own
        response = client.get(
            f"{API}{url}", headers=headers, params={"team_id": [blue.id, elsewhere.id]}
        )
        assert response.status_code == 404 and response.json()["error"] == "NotFound"


class TestOpenWeeks:
    def test_an_open_week_shows_no_values(
        self, client: TestClient, house: House, set_now: SetNow
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        answer(house.session, blue.members, weekdays(W48, 3), calm=1)  # Monday–Wednesday, open
        for headers in (house.coordinator.headers, blue.members[0].headers):
            summary = get(client, f"/teams/{blue.id}/summary", headers, **{"to": "2026-12-31"})
            assert summary["to"] == summary["closed_through"] == "2026-11-22"
            assert str(W48) not in cells(summary)
        trends = get(
            client, f"/orgs/{house.org.id}/trends", house.coordinator.headers, **{"from": W48}
        )
        assert trends["periods"] == [] and trends["to"] < trends["from"]
        assert all(t["calm"] is None for t in trends["totals"])
        assert _csv(client, house, **{"from": W48}) == []
        # On the Wednesday before, week 47 was still open too.
        set_now("2026-11-25T20:00:00+01:00")
        fresh = house.staff("Stue Grøn", 5)
        answer(house.session, fresh.members, weekdays(W47), calm=5)
        summary = get(client, f"/teams/{fresh.id}/summary", house.coordinator.headers)
        assert summary["closed_through"] == "2026-11-15" and str(W47) not in cells(summary)


class TestNoIndividualAnswers:
    def test_no_view_names_a_member_a_day_or_who_answered(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        trial = make_trial(house.session, blue.team, utc(W46 + timedelta(days=2)))
        for n, member in enumerate(blue.members):
            answer(
                house.session,
                [member],
                weekdays(W45) + weekdays(W46) + weekdays(W47),
                calm=n + 1,
                comment=f"Kommentar {n}",
                share=True,
                marks={trial.id: "yes"},  # type: ignore[dict-item]
            )
        documents = [
            get(client, f"/teams/{blue.id}/summary", blue.members[0].headers),
            get(client, f"/teams/{blue.id}/summary", house.coordinator.headers),
            get(client, f"/orgs/{house.org.id}/trends", house.coordinator.headers),
            get(client, f"/orgs/{house.org.id}/solution-effects", house.coordinator.headers),
        ]
        dated = {"trial_since", "ended", "review_date"}
        for document in documents:
            assert not _keys(document) & {
                "member_id", "member", "members_answered", "display_name", "work_date",
                "created_at", "updated_at", "token", "author",
            }  # fmt: skip
            for value in _walk(document):
                if isinstance(value, dict):
                    for key, item in value.items():
                        if isinstance(item, str) and item[:2] == "20" and key not in dated:
                            # Dates are week bounds: Mondays (starts) and Sundays (ends).
                            assert date.fromisoformat(item).isoweekday() in (1, 7), (key, item)
        comments = documents[0]["comments"]
        assert sorted(c["text"] for c in comments) == sorted(
            f"Kommentar {n}" for n in range(5) for _ in range(15)
        )
        assert set(comments[0]) == {"week_start", "text"}
        # Within a week the order tells nothing: not by member, not by day.
        week47 = [c["text"] for c in comments if c["week_start"] == str(W47)]
        assert week47 != sorted(week47) and week47 != sorted(week47, reverse=True)
        assert documents[1]["comments"] == [] and documents[1]["comments_visible"] is False
        exported = _csv(client, house)
        assert set(exported[0]) == {
            "Week", "Week start", "Team id", "Team", "Respondents", "Members", "Calm", "Flow",
            "Workload", "Too few answers", "Teams included", "Teams left out",
        }  # fmt: skip

    def test_a_team_of_one_reveals_nothing_not_even_to_that_member(
        self, client: TestClient, house: House
    ) -> None:
        alone = house.staff("Stue Blå", 1)
        answer(house.session, alone.members, weekdays(W47), calm=5, comment="Mig", share=True)
        summary = get(client, f"/teams/{alone.id}/summary", alone.members[0].headers)
        week = cells(summary)[str(W47)]
        assert week["suppressed"] and week["calm"] is None and summary["comments"] == []


class TestErasure:
    def test_erasure_keeps_closed_roll_ups_and_removes_open_answers(
        self, client: TestClient, house: House, set_now: SetNow
    ) -> None:
        blue = house.staff("Stue Blå", 6)
        answer(house.session, blue.members, weekdays(W47), calm=4)
        answer(house.session, blue.members, weekdays(W48, 3), calm=2)  # open week
        before = cells(get(client, f"/teams/{blue.id}/summary", house.coordinator.headers))
        assert client.delete(f"{API}/me", headers=blue.members[0].headers).status_code == 204
        removed = client.delete(
            f"{API}/teams/{blue.id}/members/{blue.members[1].member.id}",
            headers=house.coordinator.headers,
        )
        assert removed.status_code == 204
        after = cells(get(client, f"/teams/{blue.id}/summary", house.coordinator.headers))
        assert after[str(W47)] == before[str(W47)]
        assert after[str(W47)]["respondents"] == 6
        # Week 48 closes without the two who left: four respondents, too few to be shown.
        set_now("2026-12-03T08:00:00+01:00")
        later = cells(get(client, f"/teams/{blue.id}/summary", house.coordinator.headers))
        assert later[str(W47)] == before[str(W47)]
        assert later[str(W48)]["respondents"] == 4 and later[str(W48)]["suppressed"]
