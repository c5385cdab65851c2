"""Teams of an organisation, invites, members (coordinator) and joining by invite (anyone)."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from backend import clock
from backend.checkins.models import CheckIn
from backend.config import settings
from backend.teams.models import Invite, Member, MemberToken, Team
from tests.factories import make_coordinator, make_invite, make_member, make_org, make_team

API = "/api/v1"
NOW = "2026-11-26T08:00:00+01:00"


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


def _team(session: Session, team: Team) -> Team:
    session.expire_all()
    fresh = session.get(Team, team.id)
    assert fresh is not None
    return fresh


class TestListTeams:
    def test_lists_the_orgs_teams_with_member_counts(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        blue = make_team(session, org, name="Stue Blå")
        green = make_team(session, org, name="Stue Grøn", working_days="1,2,3")
        make_team(session, make_org(session, name="Andet sted"), name="Fremmed stue")
        make_member(session, blue)
        make_member(session, blue)

        response = client.get(f"{API}/orgs/{org.id}/teams", headers=coordinator.headers)
        assert response.status_code == 200
        body = response.json()
        assert [(t["name"], t["member_count"]) for t in body] == [
            ("Stue Blå", 2),
            ("Stue Grøn", 0),
        ]
        assert body[1] == {
            "id": green.id,
            "org_id": org.id,
            "name": "Stue Grøn",
            "reminder_time": "07:45",
            "working_days": [1, 2, 3],
            "member_count": 0,
            "created_at": body[1]["created_at"],
        }

    def test_refused_callers(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        member = make_member(session, make_team(session, org))
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/orgs/{org.id}/teams"
        assert client.get(url).status_code == 401
        assert client.get(url, headers=member.headers).status_code == 401
        response = client.get(url, headers=outsider.headers)
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"


class TestCreateTeam:
    def test_creates_with_defaults(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        response = client.post(
            f"{API}/orgs/{org.id}/teams", headers=coordinator.headers, json={"name": " Stue Rød "}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Stue Rød"
        assert body["reminder_time"] == "07:45"
        assert body["working_days"] == [1, 2, 3, 4, 5]
        assert body["member_count"] == 0
        team = session.get(Team, body["id"])
        assert team is not None
        assert (team.org_id, team.name, team.working_days) == (org.id, "Stue Rød", "1,2,3,4,5")

    def test_working_days_are_stored_sorted_and_unique(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        response = client.post(
            f"{API}/orgs/{org.id}/teams",
            headers=coordinator.headers,
            json={"name": "Nattevagt", "reminder_time": "21:30", "working_days": [7, 6, 6, 1]},
        )
        assert response.status_code == 201
        assert response.json()["working_days"] == [1, 6, 7]
        team = session.get(Team, response.json()["id"])
        assert team is not None
        assert (team.working_days, team.reminder_time) == ("1,6,7", "21:30")

    def test_duplicate_name_in_the_org_is_409(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        make_team(session, org, name="Stue Blå")
        response = client.post(
            f"{API}/orgs/{org.id}/teams", headers=coordinator.headers, json={"name": "stue blå"}
        )
        assert response.status_code == 409
        assert response.json()["error"] == "TeamNameTaken"
        assert _count(session, Team) == 1

    def test_same_name_in_another_org_is_fine(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        make_team(session, make_org(session, name="Andet sted"), name="Stue Blå")
        response = client.post(
            f"{API}/orgs/{org.id}/teams", headers=coordinator.headers, json={"name": "Stue Blå"}
        )
        assert response.status_code == 201

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "name"),
            ({"name": ""}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "x" * 121}, "name"),
            ({"name": 42}, "name"),
            ({"name": "Stue\u0000Blå"}, "name"),  # PostgreSQL cannot even store NUL
            ({"name": "A", "reminder_time": "7:45"}, "reminder_time"),
            ({"name": "A", "reminder_time": "24:00"}, "reminder_time"),
            ({"name": "A", "reminder_time": "07:60"}, "reminder_time"),
            ({"name": "A", "working_days": []}, "working_days"),
            ({"name": "A", "working_days": [0]}, "working_days.0"),
            ({"name": "A", "working_days": [1, 8]}, "working_days.1"),
            ({"name": "A", "working_days": "1,2,3"}, "working_days"),
            ({"name": "A", "colour": "blue"}, "colour"),
        ],
    )
    def test_bad_input_is_422_and_creates_nothing(
        self, client: TestClient, session: Session, body: dict[str, object], field: str
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        response = client.post(f"{API}/orgs/{org.id}/teams", headers=coordinator.headers, json=body)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert response.json()["detail"].startswith(f"{field}: ")
        assert _count(session, Team) == 0

    def test_refused_callers_create_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        member = make_member(session, make_team(session, org))
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url, body = f"{API}/orgs/{org.id}/teams", {"name": "Snigende stue"}
        assert client.post(url, json=body).status_code == 401
        assert client.post(url, headers=member.headers, json=body).status_code == 401
        assert client.post(url, headers=outsider.headers, json=body).status_code == 404
        assert _count(session, Team) == 1


class TestUpdateTeam:
    def test_changes_only_the_fields_sent(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        make_member(session, team)
        response = client.patch(
            f"{API}/teams/{team.id}",
            headers=coordinator.headers,
            json={"reminder_time": "08:15", "working_days": [5, 3, 1]},
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["name"], body["reminder_time"], body["working_days"]) == (
            "Stue Blå",
            "08:15",
            [1, 3, 5],
        )
        assert body["member_count"] == 1
        fresh = _team(session, team)
        assert (fresh.name, fresh.reminder_time, fresh.working_days) == (
            "Stue Blå",
            "08:15",
            "1,3,5",
        )

    def test_rename(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        response = client.patch(
            f"{API}/teams/{team.id}", headers=coordinator.headers, json={"name": "Stue Lilla"}
        )
        assert response.status_code == 200
        assert _team(session, team).name == "Stue Lilla"

    def test_keeping_its_own_name_is_no_conflict_but_taking_anothers_is(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org, name="Stue Blå")
        make_team(session, org, name="Stue Grøn")
        url = f"{API}/teams/{team.id}"
        assert (
            client.patch(url, headers=coordinator.headers, json={"name": "Stue Blå"}).status_code
            == 200
        )
        response = client.patch(url, headers=coordinator.headers, json={"name": "STUE GRØN"})
        assert response.status_code == 409
        assert _team(session, team).name == "Stue Blå"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": None}, "name"),
            ({"name": " "}, "name"),
            ({"name": "Stue\u0007Rød"}, "name"),
            ({"reminder_time": None}, "reminder_time"),
            ({"reminder_time": "noon"}, "reminder_time"),
            ({"working_days": None}, "working_days"),
            ({"working_days": [1, "x"]}, "working_days.1"),
            ({"working_days": list(range(1, 9))}, "working_days"),
            ({"org_id": 99}, "org_id"),
        ],
    )
    def test_bad_input_is_422_and_changes_nothing(
        self, client: TestClient, session: Session, body: dict[str, object], field: str
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        response = client.patch(f"{API}/teams/{team.id}", headers=coordinator.headers, json=body)
        assert response.status_code == 422
        assert response.json()["detail"].startswith(f"{field}: ")
        fresh = _team(session, team)
        assert (fresh.name, fresh.reminder_time, fresh.working_days, fresh.org_id) == (
            "Stue Blå",
            "07:45",
            "1,2,3,4,5",
            org.id,
        )

    def test_refused_callers_change_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        team = make_team(session, org)
        own_member = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url, body = f"{API}/teams/{team.id}", {"name": "Overtaget"}
        assert client.patch(url, json=body).status_code == 401
        assert client.patch(url, headers=own_member.headers, json=body).status_code == 401
        assert client.patch(url, headers=outsider.headers, json=body).status_code == 404
        assert (
            client.patch(f"{API}/teams/999999", headers=outsider.headers, json=body).status_code
            == 404
        )
        assert _team(session, team).name == "Stue Blå"


class TestCreateInvite:
    def test_default_expiry_and_join_url(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        now = set_now(NOW)  # type: ignore[operator]
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        response = client.post(f"{API}/teams/{team.id}/invites", headers=coordinator.headers)
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"code", "join_url", "expires_at"}
        assert body["join_url"] == f"{settings.public_base_url}/join/{body['code']}"
        invite = session.exec(select(Invite)).one()
        assert (invite.code, invite.team_id, invite.revoked_at) == (body["code"], team.id, None)
        assert invite.expires_at == now + timedelta(days=settings.invite_days)

    def test_custom_expiry(self, client: TestClient, session: Session, set_now: object) -> None:
        now = set_now(NOW)  # type: ignore[operator]
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        response = client.post(
            f"{API}/teams/{team.id}/invites",
            headers=coordinator.headers,
            json={"expires_in_days": 2},
        )
        assert response.status_code == 201
        assert session.exec(select(Invite)).one().expires_at == now + timedelta(days=2)

    def test_codes_differ(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        url = f"{API}/teams/{team.id}/invites"
        codes = {client.post(url, headers=coordinator.headers).json()["code"] for _ in range(3)}
        assert len(codes) == 3

    @pytest.mark.parametrize(
        "body", [{"expires_in_days": 0}, {"expires_in_days": 91}, {"expires_in_days": "soon"}]
    )
    def test_bad_expiry_is_422(
        self, client: TestClient, session: Session, body: dict[str, object]
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        response = client.post(
            f"{API}/teams/{team.id}/invites", headers=coordinator.headers, json=body
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith("expires_in_days: ")
        assert _count(session, Invite) == 0

    def test_refused_callers_create_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        team = make_team(session, org)
        member = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/invites"
        assert client.post(url).status_code == 401
        assert client.post(url, headers=member.headers).status_code == 401
        assert client.post(url, headers=outsider.headers).status_code == 404
        assert _count(session, Invite) == 0


class TestListInvites:
    def test_lists_only_working_invites_newest_first(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        set_now(NOW)  # type: ignore[operator]
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        older = make_invite(session, team, created_at=clock.now() - timedelta(days=1))
        newer = make_invite(session, team)
        make_invite(session, team, expires_at=clock.now() - timedelta(seconds=1))
        make_invite(session, team, revoked_at=clock.now())
        make_invite(session, make_team(session, org, name="Stue Grøn"))

        response = client.get(f"{API}/teams/{team.id}/invites", headers=coordinator.headers)
        assert response.status_code == 200
        assert [i["code"] for i in response.json()] == [newer.code, older.code]
        assert response.json()[0]["join_url"].endswith(f"/join/{newer.code}")

    def test_refused_callers(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        team = make_team(session, org)
        make_invite(session, team)
        member = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/invites"
        assert client.get(url).status_code == 401
        assert client.get(url, headers=member.headers).status_code == 401
        assert client.get(url, headers=outsider.headers).status_code == 404


class TestRevokeInvite:
    def test_revokes_and_join_then_fails(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        now = set_now(NOW)  # type: ignore[operator]
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        invite = make_invite(session, team)
        response = client.delete(
            f"{API}/teams/{team.id}/invites/{invite.code}", headers=coordinator.headers
        )
        assert response.status_code == 204
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at == now
        assert client.post(f"{API}/join", json={"code": invite.code}).status_code == 410
        # Revoking again is harmless.
        response = client.delete(
            f"{API}/teams/{team.id}/invites/{invite.code}", headers=coordinator.headers
        )
        assert response.status_code == 204

    def test_code_is_accepted_as_typed(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        invite = make_invite(session, team)
        typed = invite.code.replace("-", "").lower()
        response = client.delete(
            f"{API}/teams/{team.id}/invites/{typed}", headers=coordinator.headers
        )
        assert response.status_code == 204
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is not None

    def test_unknown_code_and_another_teams_code_are_404(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        other_invite = make_invite(session, make_team(session, org, name="Stue Grøn"))
        url = f"{API}/teams/{team.id}/invites"
        response = client.delete(f"{url}/AAAA-AAAA-AAAA", headers=coordinator.headers)
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"
        response = client.delete(f"{url}/{other_invite.code}", headers=coordinator.headers)
        assert response.status_code == 404
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is None

    def test_refused_callers_change_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        team = make_team(session, org)
        invite = make_invite(session, team)
        member = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/invites/{invite.code}"
        assert client.delete(url).status_code == 401
        assert client.delete(url, headers=member.headers).status_code == 401
        assert client.delete(url, headers=outsider.headers).status_code == 404
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is None


class TestRestoreInvite:
    def test_undoes_a_revocation_so_the_same_code_joins_again(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        invite = make_invite(session, team)
        url = f"{API}/teams/{team.id}/invites/{invite.code}"
        assert client.delete(url, headers=coordinator.headers).status_code == 204
        response = client.post(f"{url}/restore", headers=coordinator.headers)
        assert response.status_code == 200
        assert response.json()["code"] == invite.code
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is None
        # The poster on the wall works again, and the invite is back in the coordinator's list.
        assert client.post(f"{API}/join", json={"code": invite.code}).status_code == 201
        listed = client.get(f"{API}/teams/{team.id}/invites", headers=coordinator.headers)
        assert [i["code"] for i in listed.json()] == [invite.code]
        # Restoring a working invite is harmless.
        assert client.post(f"{url}/restore", headers=coordinator.headers).status_code == 200

    def test_an_expired_invite_stays_gone(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        now = set_now(NOW)  # type: ignore[operator]
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        invite = make_invite(session, team)
        url = f"{API}/teams/{team.id}/invites/{invite.code}"
        assert client.delete(url, headers=coordinator.headers).status_code == 204
        set_now((now + timedelta(days=settings.invite_days + 1)).isoformat())  # type: ignore[operator]
        response = client.post(f"{url}/restore", headers=coordinator.headers)
        assert response.status_code == 410
        assert response.json()["error"] == "Gone"
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is not None

    def test_refused_callers_restore_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        invite = make_invite(session, team)
        other_team = make_team(session, org, name="Stue Grøn")
        member = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/invites/{invite.code}"
        assert client.delete(url, headers=coordinator.headers).status_code == 204
        assert client.post(f"{url}/restore").status_code == 401
        assert client.post(f"{url}/restore", headers=member.headers).status_code == 401
        assert client.post(f"{url}/restore", headers=outsider.headers).status_code == 404
        # The code of another team is not found through this team.
        wrong = f"{API}/teams/{other_team.id}/invites/{invite.code}/restore"
        assert client.post(wrong, headers=coordinator.headers).status_code == 404
        unknown = f"{API}/teams/{team.id}/invites/AAAA-AAAA-AAAA/restore"
        assert client.post(unknown, headers=coordinator.headers).status_code == 404
        session.expire_all()
        assert session.exec(select(Invite)).one().revoked_at is not None


class TestMemberNote:
    def test_the_coordinator_notes_who_is_who(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        first = make_member(session, team, display_name="Louise")
        second = make_member(session, team, display_name="Louise")
        url = f"{API}/teams/{team.id}/members/{second.member.id}"
        response = client.patch(
            url, json={"note": "  Louise  P., morgenholdet "}, headers=coordinator.headers
        )
        assert response.status_code == 200
        assert response.json()["note"] == "Louise P., morgenholdet"
        listed = client.get(f"{API}/teams/{team.id}/members", headers=coordinator.headers).json()
        assert [(m["id"], m["note"]) for m in listed] == [
            (first.member.id, ""),
            (second.member.id, "Louise P., morgenholdet"),
        ]
        # An empty note removes it.
        assert (
            client.patch(url, json={"note": ""}, headers=coordinator.headers).json()["note"] == ""
        )

    def test_the_member_sees_the_note_in_their_own_export(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        joined = make_member(session, team, display_name="Louise")
        url = f"{API}/teams/{team.id}/members/{joined.member.id}"
        client.patch(url, json={"note": "Morgenholdet"}, headers=coordinator.headers)
        exported = client.get(f"{API}/me/export", headers=joined.headers).json()
        assert exported["coordinator_note"] == "Morgenholdet"
        # Not in the member's profile: it is the coordinator's working note.
        assert "note" not in client.get(f"{API}/me", headers=joined.headers).json()["member"]

    def test_bad_notes_are_422(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        joined = make_member(session, team)
        url = f"{API}/teams/{team.id}/members/{joined.member.id}"
        for body in (
            {"note": "x" * 201},
            {"note": None},
            {},
            {"note": "a\u0000b"},
            {"note": "", "x": 1},
        ):
            assert client.patch(url, json=body, headers=coordinator.headers).status_code == 422
        session.expire_all()
        assert session.get(Member, joined.member.id).coordinator_note == ""  # type: ignore[union-attr]

    def test_refused_callers_change_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        joined = make_member(session, team)
        elsewhere = make_member(session, make_team(session, org, name="Stue Grøn"))
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/members/{joined.member.id}"
        body = {"note": "Noget"}
        assert client.patch(url, json=body).status_code == 401
        assert client.patch(url, json=body, headers=joined.headers).status_code == 401
        assert client.patch(url, json=body, headers=outsider.headers).status_code == 404
        # A member of another team is not found through this team.
        wrong = f"{API}/teams/{team.id}/members/{elsewhere.member.id}"
        assert client.patch(wrong, json=body, headers=coordinator.headers).status_code == 404
        session.expire_all()
        assert {m.coordinator_note for m in session.exec(select(Member)).all()} == {""}


class TestListMembers:
    def test_lists_names_and_join_dates_only(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        set_now(NOW)  # type: ignore[operator]
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        first = make_member(session, team, display_name="Mette")
        anonymous = make_member(session, team)
        make_member(session, make_team(session, org, name="Stue Grøn"), display_name="Fremmed")
        session.add(
            CheckIn(
                member_id=first.member.id, team_id=team.id, work_date=date(2026, 11, 25), calm=2
            )
        )
        session.commit()

        response = client.get(f"{API}/teams/{team.id}/members", headers=coordinator.headers)
        assert response.status_code == 200
        body = response.json()
        assert [(m["id"], m["display_name"]) for m in body] == [
            (first.member.id, "Mette"),
            (anonymous.member.id, None),
        ]
        # Never ratings, never whether someone checked in.
        assert all(set(m) == {"id", "display_name", "joined_at", "note"} for m in body)
        assert body[0]["joined_at"].startswith("2026-11-26T07:00:00")

    def test_refused_callers(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        team = make_team(session, org)
        member = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/members"
        assert client.get(url).status_code == 401
        assert client.get(url, headers=member.headers).status_code == 401
        assert client.get(url, headers=outsider.headers).status_code == 404


class TestRemoveMember:
    def test_removes_member_with_tokens_and_raw_data(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        leaving = make_member(session, team)
        staying = make_member(session, team)
        for joined in (leaving, staying):
            session.add(
                CheckIn(member_id=joined.member.id, team_id=team.id, work_date=date(2026, 11, 25))
            )
        session.commit()

        response = client.delete(
            f"{API}/teams/{team.id}/members/{leaving.member.id}", headers=coordinator.headers
        )
        assert response.status_code == 204
        session.expire_all()
        assert session.exec(select(Member.id)).all() == [staying.member.id]
        assert session.exec(select(MemberToken.member_id)).all() == [staying.member.id]
        assert session.exec(select(CheckIn.member_id)).all() == [staying.member.id]
        # The removed member's token stops working at once.
        assert client.get(f"{API}/me", headers=leaving.headers).status_code == 401

    def test_member_of_another_team_or_unknown_is_404(
        self, client: TestClient, session: Session
    ) -> None:
        org = make_org(session)
        coordinator = make_coordinator(session, org)
        team = make_team(session, org)
        elsewhere = make_member(session, make_team(session, org, name="Stue Grøn"))
        url = f"{API}/teams/{team.id}/members"
        response = client.delete(f"{url}/{elsewhere.member.id}", headers=coordinator.headers)
        assert response.status_code == 404
        assert client.delete(f"{url}/999999", headers=coordinator.headers).status_code == 404
        response = client.delete(f"{url}/{10**30}", headers=coordinator.headers)
        assert response.status_code == 422
        assert response.json()["detail"].startswith("member_id: ")
        assert _count(session, Member) == 1

    def test_refused_callers_change_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        team = make_team(session, org)
        member = make_member(session, team)
        colleague = make_member(session, team)
        outsider = make_coordinator(session, make_org(session, name="Andet sted"))
        url = f"{API}/teams/{team.id}/members/{member.member.id}"
        assert client.delete(url).status_code == 401
        assert client.delete(url, headers=colleague.headers).status_code == 401
        assert client.delete(url, headers=outsider.headers).status_code == 404
        assert _count(session, Member) == 2


class TestPreviewInvite:
    def test_shows_team_and_org_to_anyone(self, client: TestClient, session: Session) -> None:
        org = make_org(session, name="Børnehuset Solsikken")
        invite = make_invite(session, make_team(session, org, name="Stue Blå"))
        response = client.get(f"{API}/invites/{invite.code}")
        assert response.status_code == 200
        body = response.json()
        assert (body["team_name"], body["org_name"]) == ("Stue Blå", "Børnehuset Solsikken")
        assert set(body) == {"team_name", "org_name", "expires_at", "anonymity_threshold"}
        assert body["anonymity_threshold"] == 5

    def test_code_is_accepted_in_any_case_with_spaces(
        self, client: TestClient, session: Session
    ) -> None:
        invite = make_invite(session)
        typed = invite.code.replace("-", " ").lower()
        assert client.get(f"{API}/invites/{typed}").status_code == 200
        assert client.get(f"{API}/invites/{invite.code.replace('-', '')}").status_code == 200

    def test_unknown_is_404_expired_and_revoked_are_410(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        set_now(NOW)  # type: ignore[operator]
        team = make_team(session)
        expired = make_invite(session, team, expires_at=clock.now())
        revoked = make_invite(session, team, revoked_at=clock.now())
        response = client.get(f"{API}/invites/AAAA-AAAA-AAAA")
        assert (response.status_code, response.json()["error"]) == (404, "NotFound")
        response = client.get(f"{API}/invites/{expired.code}")
        assert (response.status_code, response.json()["error"]) == (410, "Gone")
        assert client.get(f"{API}/invites/{revoked.code}").status_code == 410

    def test_over_long_code_is_422(self, client: TestClient) -> None:
        response = client.get(f"{API}/invites/{'A' * 41}")
        assert response.status_code == 422
        assert response.json()["detail"].startswith("code: ")


class TestJoin:
    def test_joins_and_the_token_works(self, client: TestClient, session: Session) -> None:
        team = make_team(session, name="Stue Blå")
        invite = make_invite(session, team)
        response = client.post(
            f"{API}/join", json={"code": invite.code, "display_name": "  Mette  "}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["team"] == {"id": team.id, "name": "Stue Blå"}
        assert body["member"]["display_name"] == "Mette"
        assert set(body["member"]) == {"id", "display_name", "joined_at"}
        member = session.get(Member, body["member"]["id"])
        assert member is not None and member.team_id == team.id
        stored = session.exec(select(MemberToken.token_hash)).all()
        assert body["token"] not in stored and len(stored) == 1  # only the hash is kept
        me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200
        assert me.json()["member"]["id"] == member.id

    def test_display_name_is_optional_and_blank_means_none(
        self, client: TestClient, session: Session
    ) -> None:
        invite = make_invite(session)
        first = client.post(f"{API}/join", json={"code": invite.code})
        second = client.post(f"{API}/join", json={"code": invite.code, "display_name": "  "})
        assert first.status_code == second.status_code == 201
        assert first.json()["member"]["display_name"] is None
        assert second.json()["member"]["display_name"] is None
        assert first.json()["token"] != second.json()["token"]
        assert _count(session, Member) == 2

    def test_code_is_accepted_as_typed(self, client: TestClient, session: Session) -> None:
        invite = make_invite(session)
        typed = " " + invite.code.replace("-", " ").lower() + " "
        assert client.post(f"{API}/join", json={"code": typed}).status_code == 201

    @pytest.mark.parametrize("name", ["x" * 61, "Mette\u0000", 7])
    def test_a_bad_display_name_is_422_and_creates_nothing(
        self, client: TestClient, session: Session, name: object
    ) -> None:
        invite = make_invite(session)
        response = client.post(f"{API}/join", json={"code": invite.code, "display_name": name})
        assert response.status_code == 422
        assert response.json()["detail"].startswith("display_name")
        assert _count(session, Member) == 0

    def test_unknown_expired_revoked_codes_create_nothing(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        set_now(NOW)  # type: ignore[operator]
        team = make_team(session)
        expired = make_invite(session, team, expires_at=clock.now() - timedelta(minutes=1))
        revoked = make_invite(session, team, revoked_at=clock.now())
        response = client.post(f"{API}/join", json={"code": "AAAA-AAAA-AAAA"})
        assert (response.status_code, response.json()["error"]) == (404, "NotFound")
        response = client.post(f"{API}/join", json={"code": expired.code})
        assert (response.status_code, response.json()["error"]) == (410, "Gone")
        assert "expired" in response.json()["detail"]
        response = client.post(f"{API}/join", json={"code": revoked.code})
        assert (response.status_code, response.json()["error"]) == (410, "Gone")
        assert _count(session, Member) == 0
        assert _count(session, MemberToken) == 0

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "code"),
            ({"code": ""}, "code"),
            ({"code": "A" * 41}, "code"),
            ({"code": 12}, "code"),
            ({"code": "AAAA-AAAA-AAAA", "display_name": "x" * 61}, "display_name"),
            ({"code": "AAAA-AAAA-AAAA", "team_id": 1}, "team_id"),
        ],
    )
    def test_bad_input_is_422(
        self, client: TestClient, session: Session, body: dict[str, object], field: str
    ) -> None:
        response = client.post(f"{API}/join", json=body)
        assert response.status_code == 422
        assert response.json()["detail"].startswith(f"{field}: ")
        assert _count(session, Member) == 0

    def test_wrong_codes_beyond_twenty_are_429_with_the_time_left(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        set_now(NOW)  # type: ignore[operator]
        for i in range(20):
            response = client.post(f"{API}/join", json={"code": f"AAAA-AAAA-{i:04d}"})
            assert response.status_code == 404
        response = client.post(f"{API}/join", json={"code": "AAAA-AAAA-0021"})
        assert response.status_code == 429
        assert response.json()["error"] == "TooManyRequests"
        assert response.headers["Retry-After"] == "1"  # the delays grow from one second
        # The preview counts against the same limit.
        assert client.get(f"{API}/invites/AAAA-AAAA-0022").status_code == 429
        assert (
            client.post(f"{API}/join", json={"code": "AAAA-AAAA-0023"}).headers["Retry-After"]
            == "4"
        )

        set_now("2026-11-26T08:10:05+01:00")  # type: ignore[operator]  # ten quiet minutes
        assert client.post(f"{API}/join", json={"code": "AAAA-AAAA-0024"}).status_code == 404

    def test_a_valid_code_joins_after_many_failures_from_the_same_address(
        self, client: TestClient, session: Session
    ) -> None:
        # A staff room on one Wi-Fi: typos do not keep the others out.
        invite = make_invite(session)
        for i in range(30):
            client.post(f"{API}/join", json={"code": f"AAAA-AAAA-{i:04d}"})
        assert client.post(f"{API}/join", json={"code": "AAAA-AAAA-9999"}).status_code == 429
        assert client.get(f"{API}/invites/{invite.code}").status_code == 200
        for _ in range(30):
            assert client.post(f"{API}/join", json={"code": invite.code}).status_code == 201
        assert _count(session, Member) == 30

    def test_a_rotated_x_forwarded_for_does_not_escape_the_limit(
        self, client: TestClient, session: Session
    ) -> None:
        # No proxy is trusted (PUX_TRUSTED_PROXIES is empty): the header is not believed.
        answers = [
            client.post(
                f"{API}/join",
                json={"code": f"AAAA-AAAA-{i:04d}"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            ).status_code
            for i in range(22)
        ]
        assert answers[-1] == 429

    def test_successful_joins_do_not_count(self, client: TestClient, session: Session) -> None:
        invite = make_invite(session)
        for _ in range(25):
            assert client.post(f"{API}/join", json={"code": invite.code}).status_code == 201
