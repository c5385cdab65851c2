"""GET /orgs, GET/PATCH /orgs/{org_id}: a coordinator's organisations and their settings."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend.orgs.models import Organisation
from tests.factories import make_coordinator, make_member, make_org, make_team

API = "/api/v1"


def _reload(session: Session, org: Organisation) -> Organisation:
    session.expire_all()
    fresh = session.get(Organisation, org.id)
    assert fresh is not None
    return fresh


class TestListOrgs:
    def test_lists_only_the_coordinators_orgs(self, client: TestClient, session: Session) -> None:
        mine = make_org(session, name="Vuggestuen Mælkebøtten")
        second = make_org(session, name="Børnehaven Ahorn")
        make_org(session, name="Andet sted")
        coordinator = make_coordinator(session, mine)
        from backend.auth import service as auth_service

        auth_service.add_to_org(session=session, coordinator=coordinator.coordinator, org=second)
        session.commit()

        response = client.get(f"{API}/orgs", headers=coordinator.headers)
        assert response.status_code == 200
        body = response.json()
        assert [o["name"] for o in body] == ["Børnehaven Ahorn", "Vuggestuen Mælkebøtten"]
        assert body[1] == {
            "id": mine.id,
            "name": "Vuggestuen Mælkebøtten",
            "timezone": "Europe/Copenhagen",
            "locale": "da",
            "anonymity_threshold": 5,
            "checkin_window_days": 3,
            "retention_months": 24,
            "created_at": body[1]["created_at"],
        }

    def test_anonymous_is_401(self, client: TestClient) -> None:
        response = client.get(f"{API}/orgs")
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"

    def test_member_token_is_401(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        assert client.get(f"{API}/orgs", headers=member.headers).status_code == 401


class TestGetOrg:
    def test_returns_settings(self, client: TestClient, session: Session) -> None:
        org = make_org(session, anonymity_threshold=7, timezone="Europe/London")
        coordinator = make_coordinator(session, org)
        response = client.get(f"{API}/orgs/{org.id}", headers=coordinator.headers)
        assert response.status_code == 200
        assert response.json()["anonymity_threshold"] == 7
        assert response.json()["timezone"] == "Europe/London"

    def test_coordinator_of_another_org_gets_404_like_a_missing_org(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        foreign = client.get(f"{API}/orgs/{org.id}", headers=outsider.headers)
        missing = client.get(f"{API}/orgs/999999", headers=outsider.headers)
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json()
        assert foreign.json()["error"] == "NotFound"

    def test_anonymous_and_member_are_401(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        member = make_member(session, make_team(session, org))
        assert client.get(f"{API}/orgs/{org.id}").status_code == 401
        assert client.get(f"{API}/orgs/{org.id}", headers=member.headers).status_code == 401

    @pytest.mark.parametrize("org_id", ["abc", "0", str(2**31), str(10**30)])
    def test_malformed_or_out_of_range_id_is_422(
        self, client: TestClient, session: Session, org_id: str
    ) -> None:
        coordinator = make_coordinator(session)
        response = client.get(f"{API}/orgs/{org_id}", headers=coordinator.headers)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert response.json()["detail"].startswith("org_id: ")


class TestUpdateOrg:
    def test_changes_only_the_fields_sent(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        response = client.patch(
            f"{API}/orgs/{org.id}",
            headers=coordinator.headers,
            json={
                "name": "  Børnehuset Solstrålen  ",
                "timezone": "Atlantic/Faroe",
                "locale": "en",
                "anonymity_threshold": 3,
                "checkin_window_days": 0,
            },
        )
        assert response.status_code == 200
        assert response.json()["name"] == "Børnehuset Solstrålen"
        fresh = _reload(session, org)
        assert (
            fresh.name,
            fresh.timezone,
            fresh.locale,
            fresh.anonymity_threshold,
            fresh.checkin_window_days,
        ) == ("Børnehuset Solstrålen", "Atlantic/Faroe", "en", 3, 0)

        response = client.patch(
            f"{API}/orgs/{org.id}", headers=coordinator.headers, json={"checkin_window_days": 14}
        )
        assert response.status_code == 200
        fresh = _reload(session, org)
        assert (fresh.name, fresh.checkin_window_days) == ("Børnehuset Solstrålen", 14)

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"anonymity_threshold": 2}, "anonymity_threshold"),
            ({"anonymity_threshold": "many"}, "anonymity_threshold"),
            ({"checkin_window_days": -1}, "checkin_window_days"),
            ({"checkin_window_days": 15}, "checkin_window_days"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"timezone": "localtime"}, "timezone"),
            ({"locale": "de"}, "locale"),
            ({"name": "   "}, "name"),
            ({"name": "x" * 121}, "name"),
            ({"name": "Kommune\u0000"}, "name"),
            ({"name": None}, "name"),
            ({"anonymity_threshold": None}, "anonymity_threshold"),
            ({"timezon": "Europe/Oslo"}, "timezon"),
        ],
    )
    def test_bad_input_is_422_and_changes_nothing(
        self, client: TestClient, session: Session, body: dict[str, object], field: str
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        response = client.patch(f"{API}/orgs/{org.id}", headers=coordinator.headers, json=body)
        assert response.status_code == 422
        payload = response.json()
        assert payload["error"] == "ValidationError"
        assert payload["detail"].startswith(f"{field}: ")
        fresh = _reload(session, org)
        assert (fresh.name, fresh.timezone, fresh.locale, fresh.anonymity_threshold) == (
            "Børnehuset Solsikken",
            "Europe/Copenhagen",
            "da",
            5,
        )

    def test_malformed_json_is_422(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        response = client.patch(
            f"{API}/orgs/{org.id}",
            headers={**coordinator.headers, "Content-Type": "application/json"},
            content=b'{"name": ',
        )
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"

    def test_refused_callers_change_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        member = make_member(session, make_team(session, org))
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        body = {"anonymity_threshold": 3}
        assert client.patch(f"{API}/orgs/{org.id}", json=body).status_code == 401
        assert (
            client.patch(f"{API}/orgs/{org.id}", headers=member.headers, json=body).status_code
            == 401
        )
        response = client.patch(f"{API}/orgs/{org.id}", headers=outsider.headers, json=body)
        assert response.status_code == 404
        assert _reload(session, org).anonymity_threshold == 5
