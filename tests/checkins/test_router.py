"""PUT/GET/DELETE /me/checkins and GET /me/today: rules, idempotency, privacy."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from backend.checkins.models import CheckIn, CheckInSolution
from backend.solutions.models import Situation, Solution, SolutionStatusChange
from backend.teams.models import Team
from tests.factories import JoinedMember, make_coordinator, make_member, make_org, make_team

SetNow = Callable[[str], datetime]
URL = "/api/v1/me/checkins"
THURSDAY_MORNING = "2026-11-26T08:00:00+01:00"


@pytest.fixture(autouse=True)
def _thursday_morning(set_now: SetNow) -> None:
    set_now(THURSDAY_MORNING)


def make_solution(session: Session, team: Team, **fields: Any) -> Solution:
    """A solution that has had its status since 1 November (active_solutions follows history)."""
    values = {"perspective": "P", "title": "Frugt kl. 14 i to hold", "status": "trial", **fields}
    solution = Solution.model_validate(values, update={"team_id": team.id})
    session.add(solution)
    session.flush()
    assert solution.id is not None
    session.add(
        SolutionStatusChange(
            solution_id=solution.id,
            to_status=solution.status,
            changed_at=datetime(2026, 11, 1, 9, tzinfo=UTC),
        )
    )
    session.commit()
    return solution


def checkins_of(session: Session, member: JoinedMember) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).where(CheckIn.member_id == member.member.id)).all())


def marks_of(session: Session, checkin: CheckIn) -> dict[int, str]:
    rows = session.exec(select(CheckInSolution).where(CheckInSolution.checkin_id == checkin.id))
    return {row.solution_id: row.used for row in rows}


class TestPutCheckin:
    def test_creates_with_201_then_replaces_with_200(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        body = {
            "calm": 4,
            "flow": 3,
            "workload": 2,
            "comment": "  God dag  ",
            "share_comment": True,
        }
        first = client.put(f"{URL}/2026-11-25", json=body, headers=member.headers)
        assert first.status_code == 201
        etag = first.json().pop("etag")
        assert first.headers["ETag"] == etag
        assert first.json() == {
            "work_date": "2026-11-25",
            "etag": etag,
            "calm": 4,
            "flow": 3,
            "workload": 2,
            "comment": "God dag",
            "share_comment": True,
            "solutions": [],
            "created_at": "2026-11-26T07:00:00Z",
            "updated_at": "2026-11-26T07:00:00Z",
        }
        second = client.put(f"{URL}/2026-11-25", json={"calm": 2}, headers=member.headers)
        assert second.status_code == 200
        assert second.json()["calm"] == 2
        assert second.json()["etag"] != etag
        assert second.json()["comment"] is None
        [stored] = checkins_of(session, member)
        assert (stored.calm, stored.flow, stored.comment, stored.revision) == (2, None, None, 2)
        assert stored.team_id == member.member.team_id

    def test_retrying_the_same_check_in_stores_it_once(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        body = {"calm": 3, "flow": 3, "workload": 3}
        statuses = [
            client.put(f"{URL}/2026-11-26", json=body, headers=member.headers).status_code
            for _ in range(3)
        ]
        assert statuses == [201, 200, 200]
        assert len(checkins_of(session, member)) == 1

    def test_replace_keeps_created_at_and_moves_updated_at(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-26", json={"calm": 3}, headers=member.headers)
        set_now("2026-11-26T15:30:00+01:00")
        body = client.put(f"{URL}/2026-11-26", json={"calm": 4}, headers=member.headers).json()
        assert body["created_at"] == "2026-11-26T07:00:00Z"
        assert body["updated_at"] == "2026-11-26T14:30:00Z"
        # What the hot path wrote by hand reads back through the ORM like any other row.
        [stored] = checkins_of(session, member)
        assert stored.work_date == date(2026, 11, 26)
        assert stored.created_at == datetime(2026, 11, 26, 7, tzinfo=UTC)
        assert stored.updated_at == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
        assert stored.share_comment is False

    def test_any_rating_may_be_skipped(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        response = client.put(f"{URL}/2026-11-26", json={"flow": 2}, headers=member.headers)
        assert response.status_code == 201
        [stored] = checkins_of(session, member)
        assert (stored.calm, stored.flow, stored.workload) == (None, 2, None)

    def test_every_date_in_the_window_is_accepted(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"):
            response = client.put(f"{URL}/{day}", json={"flow": 4}, headers=member.headers)
            assert response.status_code == 201, day
        assert len(checkins_of(session, member)) == 4

    @pytest.mark.parametrize(
        ("work_date", "error"),
        [
            ("2026-11-27", "WorkDateInFuture"),
            ("2027-01-01", "WorkDateInFuture"),
            ("2026-11-22", "WorkDateOutsideWindow"),
            ("2025-11-26", "WorkDateOutsideWindow"),
        ],
    )
    def test_dates_outside_the_window_are_refused(
        self, client: TestClient, session: Session, work_date: str, error: str
    ) -> None:
        member = make_member(session)
        response = client.put(f"{URL}/{work_date}", json={"calm": 3}, headers=member.headers)
        assert response.status_code == 422
        assert response.json()["error"] == error
        assert checkins_of(session, member) == []

    def test_window_follows_the_org_setting(self, client: TestClient, session: Session) -> None:
        member = make_member(session, make_team(session, make_org(session, checkin_window_days=0)))
        yesterday = client.put(f"{URL}/2026-11-25", json={"calm": 3}, headers=member.headers)
        assert yesterday.json()["error"] == "WorkDateOutsideWindow"
        today = client.put(f"{URL}/2026-11-26", json={"calm": 3}, headers=member.headers)
        assert today.status_code == 201

    def test_window_follows_the_org_time_zone(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T02:00:00+00:00")  # 26th in Copenhagen, still 25th in New York
        org = make_org(session, timezone="America/New_York")
        member = make_member(session, make_team(session, org))
        response = client.put(f"{URL}/2026-11-26", json={"calm": 3}, headers=member.headers)
        assert response.json()["error"] == "WorkDateInFuture"

    @pytest.mark.parametrize(
        "body",
        [
            {"calm": 0},
            {"flow": 6},
            {"workload": -1},
            {"calm": "3"},
            {"calm": 3.5},
            {"calm": 3.0},
            {"calm": True},
            {"share_comment": "yes"},
            {"comment": "x" * 501},
            {"comment": 5},
            {"comment": "Travl dag\u0000"},  # PostgreSQL cannot store NUL: 422, not a 500
            {"comment": "bip\u0007"},
            {"mood": 3},
            {"solutions": {"solution_id": 1, "used": "yes"}},
            [],
            "calm=3",
        ],
    )
    def test_bad_bodies_are_422_and_store_nothing(
        self, client: TestClient, session: Session, body: Any
    ) -> None:
        member = make_member(session)
        response = client.put(f"{URL}/2026-11-26", json=body, headers=member.headers)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert checkins_of(session, member) == []

    def test_a_bad_body_leaves_the_existing_check_in_alone(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-26", json={"calm": 5}, headers=member.headers)
        client.put(f"{URL}/2026-11-26", json={"calm": 9}, headers=member.headers)
        [stored] = checkins_of(session, member)
        assert (stored.calm, stored.revision) == (5, 1)

    def test_comment_is_trimmed_and_blank_means_none(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        padded = "  " + "å" * 500 + "\n"
        response = client.put(
            f"{URL}/2026-11-26", json={"calm": 3, "comment": padded}, headers=member.headers
        )
        assert response.status_code == 201
        assert response.json()["comment"] == "å" * 500
        blank = client.put(
            f"{URL}/2026-11-26", json={"calm": 3, "comment": "  \n "}, headers=member.headers
        )
        assert blank.json()["comment"] is None
        assert checkins_of(session, member)[0].comment is None

    def test_malformed_json_is_422(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        headers = {**member.headers, "Content-Type": "application/json"}
        for content in (b'{"calm": 3', b"\xff\xfe", b""):
            response = client.put(f"{URL}/2026-11-26", content=content, headers=headers)
            assert response.status_code == 422, content
            assert response.json()["error"] == "ValidationError"
        assert checkins_of(session, member) == []

    # The last three name 25 November to a lenient parser: a midnight datetime, a Unix timestamp.
    @pytest.mark.parametrize(
        "work_date",
        [
            "yesterday",
            "2026-02-30",
            "26-11-2026",
            "2026-11",
            "2026-11-25T00:00:00Z",
            "2026-11-25T00:00",
            "1795564800",
        ],
    )
    def test_malformed_dates_are_422(
        self, client: TestClient, session: Session, work_date: str
    ) -> None:
        member = make_member(session)
        response = client.put(f"{URL}/{work_date}", json={}, headers=member.headers)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"
        assert checkins_of(session, member) == []


class TestPutCheckinSolutions:
    def test_marks_are_stored_and_returned(self, client: TestClient, session: Session) -> None:
        team = make_team(session)
        member = make_member(session, team)
        p = make_solution(session, team, perspective="P")
        x = make_solution(session, team, perspective="X", status="adopted")
        body = {
            "calm": 4,
            "solutions": [
                {"solution_id": x.id, "used": "partly"},
                {"solution_id": p.id, "used": "yes"},
            ],
        }
        response = client.put(f"{URL}/2026-11-25", json=body, headers=member.headers)
        assert response.status_code == 201
        assert response.json()["solutions"] == body["solutions"]
        [stored] = checkins_of(session, member)
        assert marks_of(session, stored) == {p.id: "yes", x.id: "partly"}

    def test_replacing_a_check_in_replaces_its_marks(
        self, client: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        a, b = make_solution(session, team), make_solution(session, team, title="Ro-hjørne")
        marks = [{"solution_id": a.id, "used": "yes"}, {"solution_id": b.id, "used": "no"}]
        client.put(f"{URL}/2026-11-26", json={"solutions": marks}, headers=member.headers)
        replaced = [{"solution_id": b.id, "used": "not_relevant"}]
        response = client.put(
            f"{URL}/2026-11-26", json={"solutions": replaced}, headers=member.headers
        )
        assert response.status_code == 200
        [stored] = checkins_of(session, member)
        assert marks_of(session, stored) == {b.id: "not_relevant"}
        client.put(f"{URL}/2026-11-26", json={"calm": 3, "solutions": []}, headers=member.headers)
        assert marks_of(session, stored) == {}

    @pytest.mark.parametrize("case", ["unknown", "other_team", "proposed", "dropped"])
    def test_solutions_not_active_in_my_team_are_refused_and_nothing_is_stored(
        self, client: TestClient, session: Session, case: str
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        mine = make_solution(session, team)
        if case == "unknown":
            bad_id = (mine.id or 0) + 1000
        elif case == "other_team":
            bad_id = make_solution(session, make_team(session)).id or 0
        else:
            bad_id = make_solution(session, team, status=case).id or 0
        marks = [{"solution_id": mine.id, "used": "yes"}, {"solution_id": bad_id, "used": "yes"}]
        response = client.put(
            f"{URL}/2026-11-26", json={"calm": 5, "solutions": marks}, headers=member.headers
        )
        assert response.status_code == 422
        assert response.json()["error"] == "UnknownSolution"
        assert checkins_of(session, member) == []
        assert session.exec(select(CheckInSolution)).all() == []

    def test_refused_marks_leave_the_earlier_check_in_and_marks_alone(
        self, client: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        mine = make_solution(session, team)
        good = {"calm": 2, "solutions": [{"solution_id": mine.id, "used": "no"}]}
        client.put(f"{URL}/2026-11-26", json=good, headers=member.headers)
        bad = {"calm": 5, "solutions": [{"solution_id": 999999, "used": "yes"}]}
        assert client.put(f"{URL}/2026-11-26", json=bad, headers=member.headers).status_code == 422
        [stored] = checkins_of(session, member)
        assert (stored.calm, stored.revision) == (2, 1)
        assert marks_of(session, stored) == {mine.id: "no"}

    @pytest.mark.parametrize(
        "marks",
        [
            [{"solution_id": "ID", "used": "yes"}, {"solution_id": "ID", "used": "no"}],
            [{"solution_id": "ID", "used": "sometimes"}],
            [{"solution_id": "ID", "used": None}],
            [{"solution_id": "ID"}],
            [{"solution_id": "ID", "used": "yes", "note": "x"}],
        ],
    )
    def test_malformed_marks_are_422_and_store_nothing(
        self, client: TestClient, session: Session, marks: list[dict[str, Any]]
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        solution = make_solution(session, team)
        for mark in marks:
            mark["solution_id"] = solution.id
        response = client.put(
            f"{URL}/2026-11-26", json={"calm": 3, "solutions": marks}, headers=member.headers
        )
        assert response.status_code == 422
        assert checkins_of(session, member) == []


class TestListCheckins:
    def test_default_is_the_last_30_days_newest_first(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        for day, calm in (("2026-10-27", 1), ("2026-10-28", 2)):
            session.add(
                CheckIn.model_validate(
                    {"work_date": day, "calm": calm},
                    update={"member_id": member.member.id, "team_id": member.member.team_id},
                )
            )
        session.commit()
        client.put(f"{URL}/2026-11-24", json={"calm": 3}, headers=member.headers)
        client.put(f"{URL}/2026-11-26", json={"calm": 4}, headers=member.headers)
        response = client.get(URL, headers=member.headers)
        assert response.status_code == 200
        assert [c["work_date"] for c in response.json()] == [
            "2026-11-26",
            "2026-11-24",
            "2026-10-28",
        ]

    def test_range_and_marks(self, client: TestClient, session: Session) -> None:
        team = make_team(session)
        member = make_member(session, team)
        solution = make_solution(session, team)
        marks = [{"solution_id": solution.id, "used": "partly"}]
        client.put(f"{URL}/2026-11-24", json={"solutions": marks}, headers=member.headers)
        client.put(f"{URL}/2026-11-25", json={}, headers=member.headers)
        response = client.get(
            URL, params={"from": "2026-11-24", "to": "2026-11-24"}, headers=member.headers
        )
        assert [(c["work_date"], c["solutions"]) for c in response.json()] == [
            ("2026-11-24", marks)
        ]

    @pytest.mark.parametrize(
        "params",
        [
            {"from": "2026-11-26", "to": "2026-11-25"},
            {"from": "2025-01-01", "to": "2026-11-26"},
            {"from": "2026-11-31"},
            {"to": "soon"},
            {"from": "1795564800"},
            {"to": "2026-11-26T00:00:00Z"},
        ],
    )
    def test_bad_ranges_are_422(
        self, client: TestClient, session: Session, params: dict[str, str]
    ) -> None:
        member = make_member(session)
        response = client.get(URL, params=params, headers=member.headers)
        assert response.status_code == 422

    def test_a_full_leap_year_is_allowed(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        params = {"from": "2024-01-01", "to": "2024-12-31"}
        assert client.get(URL, params=params, headers=member.headers).status_code == 200


class TestDeleteCheckin:
    def test_deletes_my_check_in_and_its_marks(self, client: TestClient, session: Session) -> None:
        team = make_team(session)
        member = make_member(session, team)
        solution = make_solution(session, team)
        marks = [{"solution_id": solution.id, "used": "yes"}]
        client.put(f"{URL}/2026-11-25", json={"solutions": marks}, headers=member.headers)
        response = client.delete(f"{URL}/2026-11-25", headers=member.headers)
        assert response.status_code == 204
        assert checkins_of(session, member) == []
        assert session.exec(select(CheckInSolution)).all() == []
        again = client.delete(f"{URL}/2026-11-25", headers=member.headers)
        assert again.status_code == 404
        assert again.json()["error"] == "NotFound"

    def test_a_date_not_written_yyyy_mm_dd_is_422_and_kept(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-25", json={"calm": 3}, headers=member.headers)
        response = client.delete(f"{URL}/1795564800", headers=member.headers)
        assert response.status_code == 422
        assert [c.work_date for c in checkins_of(session, member)] == [date(2026, 11, 25)]

    def test_outside_the_window_is_422_and_kept(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        session.add(
            CheckIn.model_validate(
                {"work_date": "2026-11-20", "calm": 3},
                update={"member_id": member.member.id, "team_id": member.member.team_id},
            )
        )
        session.commit()
        response = client.delete(f"{URL}/2026-11-20", headers=member.headers)
        assert response.status_code == 422
        assert response.json()["error"] == "WorkDateOutsideWindow"
        assert len(checkins_of(session, member)) == 1


class TestToday:
    def test_morning_suggests_yesterday_with_window_and_solutions(
        self, client: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        situation = Situation(team_id=team.id or 0, title="Frokost")
        session.add(situation)
        session.commit()
        x = make_solution(session, team, perspective="X", title="Børnene dækker bord")
        p = make_solution(session, team, perspective="P", situation_id=situation.id)
        make_solution(session, team, status="proposed")
        make_solution(session, make_team(session))
        client.put(f"{URL}/2026-11-24", json={"calm": 3}, headers=member.headers)
        response = client.get("/api/v1/me/today", headers=member.headers)
        assert response.status_code == 200
        body = response.json()
        assert body["work_date"] == "2026-11-25"
        assert body["today"] == "2026-11-26"
        assert body["window"] == {"from": "2026-11-23", "to": "2026-11-26"}
        assert [(d["work_date"], d["rated"]) for d in body["dates"]] == [
            ("2026-11-26", False),
            ("2026-11-25", False),
            ("2026-11-24", True),
            ("2026-11-23", False),
        ]
        assert [(s["id"], s["perspective"], s["situation_title"]) for s in body["solutions"]] == [
            (p.id, "P", "Frokost"),
            (x.id, "X", None),
        ]
        assert body["checkin"] is None

    def test_yesterday_rated_suggests_today_with_my_check_in(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-25", json={"calm": 3}, headers=member.headers)
        body = client.get("/api/v1/me/today", headers=member.headers).json()
        assert body["work_date"] == "2026-11-26"
        assert body["checkin"] is None
        client.put(f"{URL}/2026-11-26", json={"flow": 5}, headers=member.headers)
        body = client.get("/api/v1/me/today", headers=member.headers).json()
        assert body["checkin"]["flow"] == 5

    def test_asking_for_another_date_in_the_window(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-23", json={"workload": 5}, headers=member.headers)
        response = client.get(
            "/api/v1/me/today", params={"date": "2026-11-23"}, headers=member.headers
        )
        assert response.json()["work_date"] == "2026-11-23"
        assert response.json()["checkin"]["workload"] == 5
        outside = client.get(
            "/api/v1/me/today", params={"date": "2026-11-22"}, headers=member.headers
        )
        assert outside.status_code == 422
        assert outside.json()["error"] == "WorkDateOutsideWindow"

    def test_holidays_are_named(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-12-28T08:00:00+01:00")
        member = make_member(session)
        body = client.get("/api/v1/me/today", headers=member.headers).json()
        # 24–27 December are days off, so the window reaches back three working days, to Monday
        # 21st, and the morning suggestion is the last working day, Wednesday 23rd.
        assert body["work_date"] == "2026-12-23"
        assert [(d["work_date"], d["holiday"], d["working_day"]) for d in body["dates"]] == [
            ("2026-12-28", None, True),
            ("2026-12-27", None, False),
            ("2026-12-26", "2. juledag", False),
            ("2026-12-25", "Juledag", False),
            ("2026-12-24", "Juleaftensdag", False),
            ("2026-12-23", None, True),
            ("2026-12-22", None, True),
            ("2026-12-21", None, True),
        ]
        assert [(d["work_date"], d["holiday"]) for d in body["coming_holidays"]] == [
            ("2026-12-31", "Nytårsaftensdag"),
            ("2027-01-01", "Nytårsdag"),
        ]

    def test_the_coming_month_s_days_off_are_named_for_the_offline_copy(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        member = make_member(session)
        body = client.get("/api/v1/me/today", headers=member.headers).json()
        # 31 days after Thursday 26 November: up to and including Saturday 27 December.
        assert body["coming_holidays"] == [
            {"work_date": "2026-12-24", "holiday": "Juleaftensdag"},
            {"work_date": "2026-12-25", "holiday": "Juledag"},
            {"work_date": "2026-12-26", "holiday": "2. juledag"},
        ]


ENDPOINTS = [
    ("put", f"{URL}/2026-11-26"),
    ("get", URL),
    ("delete", f"{URL}/2026-11-26"),
    ("get", "/api/v1/me/today"),
]


class TestAuthorization:
    @pytest.mark.parametrize(("method", "url"), ENDPOINTS)
    def test_anonymous_is_401(self, client: TestClient, method: str, url: str) -> None:
        response = client.request(method, url, json={} if method == "put" else None)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"

    @pytest.mark.parametrize(("method", "url"), ENDPOINTS)
    def test_wrong_token_is_401(self, client: TestClient, method: str, url: str) -> None:
        headers = {"Authorization": "Bearer not-a-token"}
        response = client.request(
            method, url, json={} if method == "put" else None, headers=headers
        )
        assert response.status_code == 401

    @pytest.mark.parametrize(("method", "url"), ENDPOINTS)
    def test_coordinator_token_is_401(
        self, client: TestClient, session: Session, method: str, url: str
    ) -> None:
        coordinator = make_coordinator(session)
        make_member(session)
        response = client.request(
            method, url, json={} if method == "put" else None, headers=coordinator.headers
        )
        assert response.status_code == 401
        assert session.exec(select(CheckIn)).all() == []

    def test_members_never_see_or_change_each_others_check_ins(
        self, client: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        me, colleague = make_member(session, team), make_member(session, team)
        client.put(f"{URL}/2026-11-25", json={"calm": 1}, headers=me.headers)
        # Same date, other member: a new check-in of their own, mine untouched.
        created = client.put(f"{URL}/2026-11-25", json={"calm": 5}, headers=colleague.headers)
        assert created.status_code == 201
        assert client.get(URL, headers=colleague.headers).json()[0]["calm"] == 5
        today = client.get("/api/v1/me/today", headers=colleague.headers).json()
        assert [d["rated"] for d in today["dates"]] == [False, True, False, False]
        assert client.delete(f"{URL}/2026-11-25", headers=colleague.headers).status_code == 204
        assert client.delete(f"{URL}/2026-11-25", headers=colleague.headers).status_code == 404
        [mine] = checkins_of(session, me)
        assert mine.calm == 1
        assert [c["calm"] for c in client.get(URL, headers=me.headers).json()] == [1]

    def test_a_revoked_token_stops_working_at_once(
        self, client: TestClient, session: Session
    ) -> None:
        from backend.teams.models import MemberToken

        member = make_member(session)
        body = {"calm": 3}
        assert client.put(f"{URL}/2026-11-26", json=body, headers=member.headers).status_code == 201
        for token in session.exec(
            select(MemberToken).where(col(MemberToken.member_id) == member.member.id)
        ).all():
            session.delete(token)
        session.commit()
        assert client.put(f"{URL}/2026-11-26", json=body, headers=member.headers).status_code == 401


class TestOpenAPI:
    def test_put_documents_its_body_token_and_answers(self, client: TestClient) -> None:
        # PUT parses its date, body and token itself (hot path); the API document must still say so.
        doc = client.get("/api/v1/openapi.json").json()
        put = doc["paths"]["/api/v1/me/checkins/{work_date}"]["put"]
        work_date, if_match, if_none_match = put["parameters"]
        assert (if_match["name"], if_match["in"]) == ("If-Match", "header")
        assert (if_none_match["name"], if_none_match["in"]) == ("If-None-Match", "header")
        assert (work_date["name"], work_date["in"], work_date["required"]) == (
            "work_date",
            "path",
            True,
        )
        assert work_date["schema"]["format"] == "date"
        schema = put["requestBody"]["content"]["application/json"]["schema"]
        assert set(schema["properties"]) == {
            "calm",
            "flow",
            "workload",
            "comment",
            "share_comment",
            "solutions",
        }
        assert schema["additionalProperties"] is False
        assert put["security"] == [{"MemberToken": []}]
        assert "MemberToken" in doc["components"]["securitySchemes"]
        assert {"200", "201", "412", "422"} <= set(put["responses"])
        stale = put["responses"]["412"]["content"]["application/json"]["schema"]["$ref"]
        assert stale == "#/components/schemas/StaleCheckInBody"
        mark_ref = schema["properties"]["solutions"]["items"]["$ref"]
        assert mark_ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]
