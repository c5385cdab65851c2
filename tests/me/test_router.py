"""GET/PATCH/DELETE /me and GET /me/export: a member's own profile, erasure and data export."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from backend.checkins.models import CheckIn, CheckInSolution
from backend.solutions.models import Solution
from backend.teams.models import Member, MemberToken, Team
from tests.factories import JoinedMember, make_coordinator, make_member, make_org, make_team

API = "/api/v1"


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


def _member(session: Session, joined: JoinedMember) -> Member:
    session.expire_all()
    member = session.get(Member, joined.member.id)
    assert member is not None
    return member


def _checkin_with_mark(
    session: Session, joined: JoinedMember, team: Team, work_date: date, **fields: object
) -> CheckIn:
    solution = Solution(team_id=team.id, perspective="X", title="Puslebord i højde", status="trial")
    session.add(solution)
    session.flush()
    checkin = CheckIn.model_validate(
        {"work_date": work_date, **fields},
        update={"member_id": joined.member.id, "team_id": team.id},
    )
    session.add(checkin)
    session.flush()
    assert checkin.id is not None and solution.id is not None
    session.add(CheckInSolution(checkin_id=checkin.id, solution_id=solution.id, used="partly"))
    session.commit()
    return checkin


class TestGetMe:
    def test_profile_team_and_org_settings(self, client: TestClient, session: Session) -> None:
        org = make_org(session, name="Børnehuset Solsikken", checkin_window_days=2)
        team = make_team(session, org, name="Stue Blå", reminder_time="07:30", working_days="1,2,4")
        joined = make_member(session, team, display_name="Mette", locale="en")
        response = client.get(f"{API}/me", headers=joined.headers)
        assert response.status_code == 200
        body = response.json()
        assert body["member"] == {
            "id": joined.member.id,
            "display_name": "Mette",
            "locale": "en",
            "joined_at": body["member"]["joined_at"],
        }
        assert body["team"] == {
            "id": team.id,
            "name": "Stue Blå",
            "reminder_time": "07:30",
            "working_days": [1, 2, 4],
        }
        assert body["org"] == {
            "id": org.id,
            "name": "Børnehuset Solsikken",
            "timezone": "Europe/Copenhagen",
            "locale": "da",
            "checkin_window_days": 2,
            "anonymity_threshold": 5,
        }

    def test_refused_callers(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        make_member(session, make_team(session, org))
        coordinator = make_coordinator(session, org)
        assert client.get(f"{API}/me").status_code == 401
        assert client.get(f"{API}/me", headers=coordinator.headers).status_code == 401
        response = client.get(f"{API}/me", headers={"Authorization": "Bearer made-up"})
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"


class TestUpdateMe:
    def test_sets_name_and_locale(self, client: TestClient, session: Session) -> None:
        joined = make_member(session)
        response = client.patch(
            f"{API}/me", headers=joined.headers, json={"display_name": "  Ali ", "locale": "en"}
        )
        assert response.status_code == 200
        assert response.json()["member"]["display_name"] == "Ali"
        assert response.json()["member"]["locale"] == "en"
        member = _member(session, joined)
        assert (member.display_name, member.locale) == ("Ali", "en")

    def test_changes_only_the_fields_sent(self, client: TestClient, session: Session) -> None:
        joined = make_member(session, display_name="Mette", locale="en")
        response = client.patch(f"{API}/me", headers=joined.headers, json={"locale": "da"})
        assert response.status_code == 200
        member = _member(session, joined)
        assert (member.display_name, member.locale) == ("Mette", "da")

    @pytest.mark.parametrize("name", [None, "", "   "])
    def test_blank_or_null_name_removes_it(
        self, client: TestClient, session: Session, name: str | None
    ) -> None:
        joined = make_member(session, display_name="Mette")
        response = client.patch(f"{API}/me", headers=joined.headers, json={"display_name": name})
        assert response.status_code == 200
        assert _member(session, joined).display_name is None

    def test_null_locale_follows_the_organisation(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session, locale="en")
        response = client.patch(f"{API}/me", headers=joined.headers, json={"locale": None})
        assert response.status_code == 200
        assert _member(session, joined).locale is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"display_name": "x" * 61}, "display_name"),
            ({"display_name": 7}, "display_name"),
            ({"display_name": "Mette\u0000"}, "display_name"),
            ({"locale": "sv"}, "locale"),
            ({"team_id": 2}, "team_id"),
        ],
    )
    def test_bad_input_is_422_and_changes_nothing(
        self, client: TestClient, session: Session, body: dict[str, object], field: str
    ) -> None:
        joined = make_member(session, display_name="Mette")
        response = client.patch(f"{API}/me", headers=joined.headers, json=body)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert response.json()["detail"].startswith(f"{field}: ")
        member = _member(session, joined)
        assert (member.display_name, member.locale, member.team_id) == (
            "Mette",
            None,
            joined.member.team_id,
        )

    def test_refused_callers_change_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        joined = make_member(session, make_team(session, org), display_name="Mette")
        coordinator = make_coordinator(session, org)
        body = {"display_name": "Hacket"}
        assert client.patch(f"{API}/me", json=body).status_code == 401
        assert client.patch(f"{API}/me", headers=coordinator.headers, json=body).status_code == 401
        assert _member(session, joined).display_name == "Mette"


class TestEraseMe:
    def test_erases_member_tokens_checkins_and_marks(
        self, client: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        leaving = make_member(session, team)
        colleague = make_member(session, team)
        _checkin_with_mark(session, leaving, team, date(2026, 11, 24), calm=2, comment="Travlt")
        _checkin_with_mark(session, colleague, team, date(2026, 11, 24), calm=4)

        assert client.delete(f"{API}/me", headers=leaving.headers).status_code == 204

        session.expire_all()
        assert session.exec(select(Member.id)).all() == [colleague.member.id]
        assert session.exec(select(MemberToken.member_id)).all() == [colleague.member.id]
        assert session.exec(select(CheckIn.member_id)).all() == [colleague.member.id]
        assert _count(session, CheckInSolution) == 1
        assert _count(session, Solution) == 2  # the team's solutions are not the member's data
        # The token stops working at once.
        assert client.get(f"{API}/me", headers=leaving.headers).status_code == 401
        assert client.get(f"{API}/me", headers=colleague.headers).status_code == 200

    def test_refused_callers_erase_nothing(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        make_member(session, make_team(session, org))
        coordinator = make_coordinator(session, org)
        assert client.delete(f"{API}/me").status_code == 401
        assert client.delete(f"{API}/me", headers=coordinator.headers).status_code == 401
        assert _count(session, Member) == 1
        assert _count(session, MemberToken) == 1


class TestExportMe:
    def test_exports_everything_about_the_member_as_a_download(
        self, client: TestClient, session: Session, set_now: object
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")  # type: ignore[operator]
        org = make_org(session, name="Børnehuset Solsikken")
        team = make_team(session, org, name="Stue Blå")
        joined = make_member(session, team, display_name="Mette")
        colleague = make_member(session, team, display_name="Kollega")
        _checkin_with_mark(
            session,
            joined,
            team,
            date(2026, 11, 25),
            calm=2,
            flow=3,
            workload=5,
            comment="Frokost var kaotisk",
            share_comment=True,
        )
        _checkin_with_mark(session, colleague, team, date(2026, 11, 25), calm=5, comment="Hemmelig")

        response = client.get(f"{API}/me/export", headers=joined.headers)
        assert response.status_code == 200
        assert response.headers["content-disposition"] == (
            'attachment; filename="pux-puls-mine-data.json"'
        )
        body = response.json()
        assert body["member"]["display_name"] == "Mette"
        assert (body["team_name"], body["org_name"]) == ("Stue Blå", "Børnehuset Solsikken")
        assert len(body["devices"]) == 1
        assert joined.token not in response.text
        assert body["exported_at"].startswith("2026-11-26T07:00:00")
        [checkin] = body["checkins"]
        assert {k: checkin[k] for k in ("work_date", "calm", "flow", "workload")} == {
            "work_date": "2026-11-25",
            "calm": 2,
            "flow": 3,
            "workload": 5,
        }
        assert (checkin["comment"], checkin["share_comment"]) == ("Frokost var kaotisk", True)
        assert [(s["solution_title"], s["used"]) for s in checkin["solutions"]] == [
            ("Puslebord i højde", "partly")
        ]
        # Nothing of a colleague's.
        assert "Hemmelig" not in response.text and "Kollega" not in response.text

    def test_member_without_checkins_gets_an_empty_list(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session)
        response = client.get(f"{API}/me/export", headers=joined.headers)
        assert response.status_code == 200
        assert response.json()["checkins"] == []

    def test_refused_callers(self, client: TestClient, session: Session) -> None:
        org = make_org(session)
        make_member(session, make_team(session, org))
        coordinator = make_coordinator(session, org)
        assert client.get(f"{API}/me/export").status_code == 401
        assert client.get(f"{API}/me/export", headers=coordinator.headers).status_code == 401
