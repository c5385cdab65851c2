"""GET /teams/{id}/summary, /orgs/{id}/trends, /orgs/{id}/solution-effects and the exports: who
may ask, what bad input gives, and what the documents and files hold."""

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from fastapi.testclient import TestClient

from backend.insights.schemas import OrgSolutionEffects, OrgTrends, TeamSummary
from backend.solutions.models import SolutionStatusChange
from tests.insights.conftest import (
    API,
    W44,
    W45,
    W46,
    W47,
    House,
    answer,
    cells,
    get,
    make_trial,
    rows,
    utc,
    weekdays,
)

ORG_ENDPOINTS = ("trends", "solution-effects", "export.csv", "export.xlsx")


class TestAuthorization:
    def test_a_team_summary_is_for_its_members_and_its_coordinators(
        self, client: TestClient, house: House
    ) -> None:
        blue, green = house.staff("Stue Blå", 1), house.staff("Stue Grøn", 1)
        url = f"{API}/teams/{blue.id}/summary"
        assert client.get(url, headers=blue.members[0].headers).status_code == 200
        assert client.get(url, headers=house.coordinator.headers).status_code == 200
        for headers in (green.members[0].headers, house.outsider.headers):
            response = client.get(url, headers=headers)
            assert response.status_code == 404 and response.json()["error"] == "NotFound"
        assert client.get(url).status_code == 401
        assert (
            client.get(f"{API}/teams/999999/summary", headers=house.coordinator.headers).status_code
            == 404
        )

    @pytest.mark.parametrize("endpoint", ORG_ENDPOINTS)
    def test_organisation_figures_are_for_its_coordinators(
        self, client: TestClient, house: House, endpoint: str
    ) -> None:
        blue = house.staff("Stue Blå", 1)
        url = f"{API}/orgs/{house.org.id}/{endpoint}"
        assert client.get(url, headers=house.coordinator.headers).status_code == 200
        outsider = client.get(url, headers=house.outsider.headers)
        assert outsider.status_code == 404 and outsider.json()["error"] == "NotFound"
        for headers in ({}, blue.members[0].headers):
            response = client.get(url, headers=headers)
            assert response.status_code == 401 and response.json()["error"] == "Unauthorized"


class TestValidation:
    @pytest.mark.parametrize(
        ("params", "error"),
        [
            ({"from": "2026-11-20", "to": "2026-11-10"}, "InvalidRange"),
            ({"from": "2023-01-01", "to": "2026-11-10"}, "InvalidRange"),
            ({"from": "2026-11-2"}, "ValidationError"),
            ({"to": "1795564800"}, "ValidationError"),
            ({"weeks_before": 0}, "ValidationError"),
            ({"weeks_after": 157}, "ValidationError"),
        ],
    )
    def test_bad_ranges_are_422(
        self, client: TestClient, house: House, params: dict[str, object], error: str
    ) -> None:
        blue = house.staff("Stue Blå", 1)
        response = client.get(
            f"{API}/teams/{blue.id}/summary", params=params, headers=house.coordinator.headers
        )
        assert response.status_code == 422
        assert response.json()["error"] == error
        assert response.json()["detail"]

    @pytest.mark.parametrize(
        "params",
        [
            {"team_id": 0},
            {"team_id": "blå"},
            {"lang": "de"},
            {"from": "2026-12-01", "to": "2026-01-01"},
        ],
    )
    def test_bad_export_parameters_are_422(
        self, client: TestClient, house: House, params: dict[str, object]
    ) -> None:
        response = client.get(
            f"{API}/orgs/{house.org.id}/export.csv",
            params=params,
            headers=house.coordinator.headers,
        )
        assert response.status_code == 422


class TestTeamSummary:
    def test_weeks_participation_and_solution_use(self, client: TestClient, house: House) -> None:
        blue = house.staff("Stue Blå", 6)
        trial = make_trial(house.session, blue.team, utc(W45 + timedelta(days=2)))
        answer(house.session, blue.members[:5], weekdays(W46), calm=4, marks={trial.id: "yes"})  # type: ignore[dict-item]
        answer(house.session, blue.members[:2], weekdays(W47), calm=2, marks={trial.id: "no"})  # type: ignore[dict-item]
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers, TeamSummary)
        assert (summary["from"], summary["to"]) == ("2026-08-31", "2026-11-22")  # 12 weeks
        assert summary["team"] == {"id": blue.id, "name": "Stue Blå"}
        assert (summary["threshold"], summary["members"]) == (5, 6)
        weekly = cells(summary)
        # From the week the team was created (1 October), with or without answers.
        assert list(weekly)[:2] == ["2026-09-28", "2026-10-05"] and len(weekly) == 8
        assert weekly["2026-09-28"]["respondents"] == 0 and weekly["2026-09-28"]["suppressed"]
        assert weekly[str(W46)] == {
            "week_start": str(W46),
            "respondents": 5,
            "members": 6,
            "suppressed": False,
            "calm": 4.0,
            "flow": 3.0,
            "workload": 3.0,
            "solution_use": [
                {"solution_id": trial.id, "yes": 25, "partly": 0, "no": 0, "not_relevant": 0}
            ],
        }
        assert weekly[str(W47)]["suppressed"] and weekly[str(W47)]["respondents"] == 2

    def test_a_solutions_before_after_others_and_use(
        self, client: TestClient, house: House
    ) -> None:
        blue, green = house.staff("Stue Blå", 5), house.staff("Stue Grøn", 5)
        trial = make_trial(house.session, blue.team, utc(W45 + timedelta(days=2)))
        trial.review_date = W47 + timedelta(days=10)
        house.session.add(trial)
        house.session.commit()
        for week, calm in ((W44, 2), (W45, 3), (W46, 4), (W47, 4)):
            marks: dict[int, str] = {trial.id: "yes"} if week >= W45 and trial.id else {}
            answer(
                house.session,
                blue.members,
                weekdays(week),
                calm=calm,
                workload=5 - calm,
                marks=marks,
            )
            answer(house.session, green.members, weekdays(week), calm=3)
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers, TeamSummary)
        [effect] = summary["solutions"]
        assert effect["trial_since"] == "2026-11-04" and effect["trial_week"] == str(W45)
        assert effect["review_date"] == "2026-11-26" and effect["ended"] is None
        assert effect["before"] == {
            "weeks": 1, "respondents": 5, "first_week": str(W44), "last_week": str(W44),
            "calm": 2.0, "flow": 3.0, "workload": 3.0,
        }  # fmt: skip
        assert effect["after"]["weeks"] == 2 and effect["after"]["calm"] == 4.0
        assert effect["change"] == {"calm": 2.0, "flow": 0.0, "workload": -2.0}
        assert effect["others"]["change"] == {"calm": 0.0, "flow": 0.0, "workload": 0.0}
        assert effect["difference"]["calm"] == 2.0
        assert effect["use"] == {
            "weeks": 3, "marks": 75, "yes": 75, "partly": 0, "no": 0, "not_relevant": 0,
            "shares": {"yes": 1.0, "partly": 0.0, "no": 0.0},
        }  # fmt: skip
        assert effect["thin"] is True  # one week before

    def test_a_dropped_solution_is_measured_until_it_was_dropped(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        trial = make_trial(house.session, blue.team, utc(W44 + timedelta(days=1)))
        house.session.add(
            SolutionStatusChange(
                solution_id=trial.id,  # type: ignore[arg-type]
                from_status="trial",
                to_status="dropped",
                changed_at=utc(W47 + timedelta(days=1)),
            )
        )
        trial.status = "dropped"
        house.session.add(trial)
        house.session.commit()
        for week in (W44, W45, W46, W47):
            answer(house.session, blue.members, weekdays(week), calm=3)
        summary = get(client, f"/teams/{blue.id}/summary", house.coordinator.headers)
        [effect] = summary["solutions"]
        assert effect["ended"] == "2026-11-17"
        assert (effect["after"]["first_week"], effect["after"]["last_week"]) == (str(W45), str(W46))

    def test_shared_comments_for_the_team_only_from_shown_weeks(
        self, client: TestClient, house: House
    ) -> None:
        blue = house.staff("Stue Blå", 5)
        answer(house.session, blue.members, weekdays(W46), comment="Delt", share=True)
        answer(house.session, blue.members, weekdays(W47), comment="Privat", share=False)
        answer(house.session, blue.members[:4], weekdays(W45), comment="For få", share=True)
        summary = get(client, f"/teams/{blue.id}/summary", blue.members[0].headers, **{"from": W44})
        assert summary["comments_visible"] is True
        assert {c["text"] for c in summary["comments"]} == {"Delt"}
        assert {c["week_start"] for c in summary["comments"]} == {str(W46)}
        assert len(summary["comments"]) == 25


class TestTrends:
    def test_the_organisation_rows_then_each_teams_and_totals(
        self, client: TestClient, house: House
    ) -> None:
        blue, green = house.staff("Stue Blå", 5), house.staff("Stue Grøn", 5)
        answer(house.session, blue.members, weekdays(W46) + weekdays(W47), calm=4)
        answer(house.session, green.members, weekdays(W47), calm=2)
        trends = get(
            client,
            f"/orgs/{house.org.id}/trends",
            house.coordinator.headers,
            OrgTrends,
            **{"from": W46},
        )
        assert trends["teams"] == [
            {"id": blue.id, "name": "Stue Blå"},
            {"id": green.id, "name": "Stue Grøn"},
        ]
        # The organisation's weeks first, then each team's weeks, teams by name.
        assert [(p["period_start"], p["team_id"]) for p in trends["periods"]] == [
            (str(W46), None),
            (str(W47), None),
            (str(W46), blue.id),
            (str(W47), blue.id),
            (str(W46), green.id),
            (str(W47), green.id),
        ]
        assert rows(trends, None)[str(W47)] == {
            "period_start": str(W47), "team_id": None, "respondents": 10, "members": 10,
            "suppressed": False, "calm": 3.0, "flow": 3.0, "workload": 3.0,
            "teams": 2, "teams_left_out": 0,
        }  # fmt: skip
        # Green had no answers in week 46: a suppressed cell, left out of the organisation row.
        assert rows(trends, green.id)[str(W46)]["respondents"] == 0
        assert rows(trends, None)[str(W46)]["teams_left_out"] == 1
        same = {"flow": 3.0, "workload": 3.0}
        assert trends["totals"] == [
            {"team_id": None, "weeks": 2, "respondents": 15, "calm": 3.33, **same},
            {"team_id": blue.id, "weeks": 2, "respondents": 10, "calm": 4.0, **same},
            {"team_id": green.id, "weeks": 1, "respondents": 5, "calm": 2.0, **same},
        ]
        assert trends["teams_left_out"] == 1

    def test_solution_effects_across_teams(self, client: TestClient, house: House) -> None:
        blue, green = house.staff("Stue Blå", 5), house.staff("Stue Grøn", 5)
        make_trial(house.session, blue.team, utc(W46), title="Blå prøver")
        make_trial(house.session, green.team, utc(W45), title="Grøn prøver")
        for week in (W44, W45, W46, W47):
            answer(house.session, blue.members + green.members, weekdays(week))
        effects = get(
            client, f"/orgs/{house.org.id}/solution-effects", house.coordinator.headers,
            OrgSolutionEffects,
        )  # fmt: skip
        assert [(e["team_id"], e["title"]) for e in effects["solutions"]] == [
            (blue.id, "Blå prøver"),
            (green.id, "Grøn prøver"),
        ]
        only_green = get(
            client, f"/orgs/{house.org.id}/solution-effects", house.coordinator.headers,
            team_id=green.id,
        )  # fmt: skip
        assert [e["title"] for e in only_green["solutions"]] == ["Grøn prøver"]


class TestExports:
    def _house(self, house: House) -> None:
        team = house.staff('Stue "Blå", nord', 5)
        answer(house.session, team.members, weekdays(W46), calm=4, flow=3, workload=2)
        answer(house.session, team.members[:3], weekdays(W47), calm=4)

    def test_csv_is_rfc_4180_utf8_with_bom_in_the_organisations_language(
        self, client: TestClient, house: House
    ) -> None:
        self._house(house)
        response = client.get(
            f"{API}/orgs/{house.org.id}/export.csv", headers=house.coordinator.headers
        )
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == (
            'attachment; filename="pux-puls-2026-08-31-2026-11-22.csv"'
        )
        raw = response.content
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and raw.endswith(b"\r\n")
        lines = raw.decode("utf-8-sig").split("\r\n")
        assert lines[0] == (
            "Uge,Ugestart,Team-id,Team,Svarede,Medlemmer,Ro,Flow,Arbejdspres,For få svar,"
            "Teams med,Teams udeladt"
        )
        # A week before the team's first answers: an organisation row without any team in it.
        assert lines[1] == "2026-W36,2026-08-31,,Børnehuset Solsikken,0,0,,,,ja,0,0"
        records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        by_week = [r for r in records[1:] if r[1] == str(W46)]
        figures = ["5", "5", "4.0", "3.0", "2.0", "nej"]
        assert by_week == [
            ["2026-W46", "2026-11-09", "", "Børnehuset Solsikken", *figures, "1", "0"],
            ["2026-W46", "2026-11-09", by_week[1][2], 'Stue "Blå", nord', *figures, "", ""],
        ]
        assert '"Stue ""Blå"", nord"' in raw.decode("utf-8-sig")
        week47 = [r for r in records[1:] if r[1] == str(W47)]
        assert week47[1][4:10] == ["3", "5", "", "", "", "ja"]

    def test_xlsx_stores_numbers_as_numbers_and_dates_as_dates(
        self, client: TestClient, house: House
    ) -> None:
        self._house(house)
        response = client.get(
            f"{API}/orgs/{house.org.id}/export.xlsx",
            headers=house.coordinator.headers,
            params={"from": W46},
        )
        assert response.headers["content-type"] == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["Udvikling", "Om tallene"]
        sheet = book["Udvikling"]
        header, org46, org47, team46, team47 = sheet.iter_rows(min_row=1, max_row=5)
        assert [c.value for c in header][:4] == ["Uge", "Ugestart", "Team-id", "Team"]
        assert isinstance(org46[1].value, datetime) and org46[1].value.date() == W46
        assert org46[2].value is None and org46[3].value == "Børnehuset Solsikken"
        assert team46[4].value == 5 and team46[4].data_type == "n"
        assert team46[6].value == 4.0 and team46[6].data_type == "n"
        assert team46[6].number_format == "0.00"
        assert team46[9].value is False
        assert team47[6].value is None and team47[9].value is True
        assert (org47[10].value, org47[11].value) == (0, 1)
        about = {row[0].value: row[1].value for row in book["Om tallene"].iter_rows()}
        assert about["Anonymitetsgrænse"] == 5
        assert "For få svar" in about["Sådan læses tallene"]
