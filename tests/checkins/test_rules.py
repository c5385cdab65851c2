"""Issue 10's check-in rules on both databases: a replacement names the answer it was based on
(If-Match / If-None-Match, 412 StaleCheckIn with the stored answer), the window counts the
team's working days back, and a check-in has to say something (EmptyCheckIn)."""

from collections.abc import Callable
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend import security
from backend.checkins import service
from backend.checkins.models import CheckIn, CheckInSolution
from backend.checkins.schemas import CheckInIn
from backend.checkins.service import CheckInRequest, EmptyCheckIn, Precondition, StaleCheckIn
from tests.checkins.test_router import make_solution
from tests.factories import JoinedMember, make_member, make_org, make_team

SetNow = Callable[[str], datetime]
URL = "/api/v1/me/checkins"


@pytest.fixture(autouse=True)
def _thursday_morning(set_now: SetNow) -> None:
    set_now("2026-11-26T08:00:00+01:00")


def _stored(session: Session, member: JoinedMember) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).where(CheckIn.member_id == member.member.id)).all())


def _marks(session: Session, checkin: CheckIn) -> dict[int, str]:
    rows = session.exec(select(CheckInSolution).where(CheckInSolution.checkin_id == checkin.id))
    return {row.solution_id: row.used for row in rows}


class TestPreconditions:
    def test_a_stale_edit_is_refused_with_the_stored_answer_and_changes_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        """Issue 10's lost answers: an edit made on an old copy (Ro 5 alone) must not erase the
        Flow, Arbejdspres and marks stored since."""
        team = make_team(session)
        member = make_member(session, team)
        solution = make_solution(session, team)
        first = client.put(
            f"{URL}/2026-11-25",
            json={"calm": 3},
            headers={**member.headers, "If-None-Match": "*"},
        )
        assert first.status_code == 201
        seen = first.json()["etag"]
        # Another device replaces it, based on the answer it had.
        newer = {
            "calm": 3,
            "flow": 4,
            "workload": 2,
            "solutions": [{"solution_id": solution.id, "used": "yes"}],
        }
        replaced = client.put(
            f"{URL}/2026-11-25", json=newer, headers={**member.headers, "If-Match": seen}
        )
        assert replaced.status_code == 200
        assert replaced.headers["ETag"] == replaced.json()["etag"] != seen

        stale = client.put(
            f"{URL}/2026-11-25", json={"calm": 5}, headers={**member.headers, "If-Match": seen}
        )

        assert stale.status_code == 412
        body = stale.json()
        assert body["error"] == "StaleCheckIn"
        assert body["current"] == replaced.json()
        [row] = _stored(session, member)
        assert (row.calm, row.flow, row.workload, row.revision) == (3, 4, 2, 2)
        assert _marks(session, row) == {solution.id: "yes"}

    def test_the_current_etag_replaces(self, client: TestClient, session: Session) -> None:
        member = make_member(session)
        etag = client.put(f"{URL}/2026-11-26", json={"calm": 2}, headers=member.headers).json()[
            "etag"
        ]
        again = client.put(
            f"{URL}/2026-11-26", json={"calm": 4}, headers={**member.headers, "If-Match": etag}
        )
        assert again.status_code == 200
        assert [(r.calm, r.revision) for r in _stored(session, member)] == [(4, 2)]
        # Any of several tags, and `*` (whatever is stored), hold as well.
        listed = f'"0-0", {again.json()["etag"]}'
        assert (
            client.put(
                f"{URL}/2026-11-26",
                json={"calm": 1},
                headers={**member.headers, "If-Match": listed},
            ).status_code
            == 200
        )
        star = client.put(
            f"{URL}/2026-11-26", json={"calm": 5}, headers={**member.headers, "If-Match": "*"}
        )
        assert star.status_code == 200
        assert [(r.calm, r.revision) for r in _stored(session, member)] == [(5, 4)]

    def test_if_none_match_star_creates_but_never_replaces(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        headers = {**member.headers, "If-None-Match": "*"}
        assert client.put(f"{URL}/2026-11-26", json={"calm": 2}, headers=headers).status_code == 201
        refused = client.put(f"{URL}/2026-11-26", json={"flow": 5}, headers=headers)
        assert refused.status_code == 412
        assert (refused.json()["current"]["calm"], refused.json()["current"]["flow"]) == (2, None)
        assert [(r.calm, r.flow, r.revision) for r in _stored(session, member)] == [(2, None, 1)]

    def test_a_retry_whose_answer_was_lost_is_not_a_conflict(
        self, client: TestClient, session: Session
    ) -> None:
        """The first PUT was stored but its answer never arrived: the same PUT again, with the
        same (now old) condition, is answered with what is stored, not with a 412."""
        team = make_team(session)
        member = make_member(session, team)
        solution = make_solution(session, team)
        body = {
            "calm": 4,
            "comment": "Travlt",
            "solutions": [{"solution_id": solution.id, "used": "partly"}],
        }
        create = {**member.headers, "If-None-Match": "*"}
        first = client.put(f"{URL}/2026-11-26", json=body, headers=create)
        retry = client.put(f"{URL}/2026-11-26", json=body, headers=create)
        assert (first.status_code, retry.status_code) == (201, 200)
        assert retry.json() == first.json()
        etag = first.json()["etag"]
        changed = {**body, "calm": 5}
        replace = {**member.headers, "If-Match": etag}
        assert client.put(f"{URL}/2026-11-26", json=changed, headers=replace).status_code == 200
        assert client.put(f"{URL}/2026-11-26", json=changed, headers=replace).status_code == 200
        assert [r.revision for r in _stored(session, member)] == [2]

    def test_an_answer_deleted_meanwhile_is_a_conflict_with_nothing_stored(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        member = make_member(session)
        etag = client.put(f"{URL}/2026-11-26", json={"calm": 2}, headers=member.headers).json()[
            "etag"
        ]
        assert client.delete(f"{URL}/2026-11-26", headers=member.headers).status_code == 204
        gone = client.put(
            f"{URL}/2026-11-26", json={"calm": 4}, headers={**member.headers, "If-Match": etag}
        )
        assert gone.status_code == 412
        assert gone.json()["current"] is None
        assert _stored(session, member) == []

        # Made again (revision 1 once more): the tag of the deleted answer does not match it.
        set_now("2026-11-26T08:05:00+01:00")
        again = client.put(f"{URL}/2026-11-26", json={"calm": 3}, headers=member.headers)
        assert again.status_code == 201
        assert again.json()["etag"] != etag
        old = client.put(
            f"{URL}/2026-11-26", json={"calm": 4}, headers={**member.headers, "If-Match": etag}
        )
        assert old.status_code == 412
        assert old.json()["current"]["calm"] == 3

    def test_without_a_condition_an_old_client_still_replaces(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-26", json={"calm": 2, "flow": 2}, headers=member.headers)
        assert (
            client.put(f"{URL}/2026-11-26", json={"calm": 5}, headers=member.headers).status_code
            == 200
        )
        assert [(r.calm, r.flow) for r in _stored(session, member)] == [(5, None)]

    def test_reading_gives_each_answer_its_etag_and_today_every_date_of_the_window(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        tags = {
            day: client.put(f"{URL}/{day}", json={"calm": 3}, headers=member.headers).json()["etag"]
            for day in ("2026-11-23", "2026-11-25")
        }
        listed = client.get(URL, headers=member.headers).json()
        assert {c["work_date"]: c["etag"] for c in listed} == tags
        today = client.get("/api/v1/me/today", headers=member.headers).json()
        assert {c["work_date"]: c["etag"] for c in today["checkins"]} == tags
        assert today["work_date"] == "2026-11-26"  # yesterday is answered
        assert today["checkin"] is None
        assert (today["window_days"], today["working_days"]) == (3, [1, 2, 3, 4, 5])

    def test_in_one_batch_the_second_edit_on_the_same_base_is_stale(
        self, engine: Engine, session: Session, client: TestClient
    ) -> None:
        member = make_member(session)
        etag = client.put(f"{URL}/2026-11-26", json={"calm": 2}, headers=member.headers).json()[
            "etag"
        ]
        based = Precondition(if_match=frozenset({etag}))

        def request(**body: object) -> CheckInRequest:
            return CheckInRequest(
                token_hash=security.hash_token(member.token),
                work_date=date(2026, 11, 26),
                data=CheckInIn.model_validate(body),
                precondition=based,
            )

        with engine.connect() as connection, connection.begin():
            first, second = service.record_checkins(
                connection=connection, requests=[request(calm=4), request(calm=5)]
            )
        assert not isinstance(first, Exception) and first[0].calm == 4
        assert isinstance(second, StaleCheckIn)
        assert second.current is not None and second.current.calm == 4
        assert [r.calm for r in _stored(session, member)] == [4]


class TestEmptyCheckIn:
    @pytest.mark.parametrize(
        "body",
        [{}, {"calm": None, "flow": None, "workload": None}, {"comment": "Bare en kommentar"}],
    )
    def test_nothing_chosen_is_refused_and_nothing_stored(
        self, client: TestClient, session: Session, body: dict[str, object]
    ) -> None:
        member = make_member(session)
        response = client.put(f"{URL}/2026-11-26", json=body, headers=member.headers)
        assert response.status_code == 422
        assert response.json()["error"] == "EmptyCheckIn"
        assert _stored(session, member) == []

    def test_an_empty_replacement_leaves_the_stored_answer_alone(
        self, client: TestClient, session: Session
    ) -> None:
        member = make_member(session)
        client.put(f"{URL}/2026-11-26", json={"workload": 4}, headers=member.headers)
        assert client.put(f"{URL}/2026-11-26", json={}, headers=member.headers).status_code == 422
        assert [r.workload for r in _stored(session, member)] == [4]

    def test_one_solution_mark_alone_is_a_check_in(
        self, client: TestClient, session: Session
    ) -> None:
        team = make_team(session)
        member = make_member(session, team)
        solution = make_solution(session, team)
        body = {"solutions": [{"solution_id": solution.id, "used": "no"}]}
        assert client.put(f"{URL}/2026-11-26", json=body, headers=member.headers).status_code == 201

    def test_the_writer_refuses_it_in_a_batch_and_alone(
        self, engine: Engine, session: Session
    ) -> None:
        """The rule is the service's, so the batch and the one-by-one retry (writer.py) apply it."""
        member = make_member(session)

        def request(**body: object) -> CheckInRequest:
            return CheckInRequest(
                token_hash=security.hash_token(member.token),
                work_date=date(2026, 11, 26),
                data=CheckInIn.model_validate(body),
            )

        with engine.connect() as connection, connection.begin():
            batch = service.record_checkins(
                connection=connection, requests=[request(), request(calm=3)]
            )
            [alone] = service.record_checkins(connection=connection, requests=[request()])
        assert isinstance(batch[0], EmptyCheckIn) and isinstance(alone, EmptyCheckIn)
        assert not isinstance(batch[1], Exception)


class TestWorkingDayWindow:
    def test_on_tuesday_last_friday_can_be_rated(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-12-01T08:00:00+01:00")  # Tuesday
        member = make_member(session)
        for day in ("2026-11-27", "2026-11-26", "2026-11-28"):  # Fri, Thu, and a Saturday
            response = client.put(f"{URL}/{day}", json={"calm": 3}, headers=member.headers)
            assert response.status_code == 201, (day, response.text)
        too_old = client.put(f"{URL}/2026-11-25", json={"calm": 3}, headers=member.headers)
        assert too_old.status_code == 422
        assert too_old.json()["error"] == "WorkDateOutsideWindow"
        today = client.get("/api/v1/me/today", headers=member.headers).json()
        assert today["window"] == {"from": "2026-11-26", "to": "2026-12-01"}
        assert [(d["work_date"], d["working_day"]) for d in today["dates"]] == [
            ("2026-12-01", True),
            ("2026-11-30", True),
            ("2026-11-29", False),
            ("2026-11-28", False),
            ("2026-11-27", True),
            ("2026-11-26", True),
        ]
        # Deleting follows the same window.
        assert client.delete(f"{URL}/2026-11-26", headers=member.headers).status_code == 204

    def test_after_easter_the_window_reaches_back_over_the_holidays(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        # Tuesday after Easter 2027: Skærtorsdag 25 March to 2. påskedag 29 March are days off.
        set_now("2027-03-30T08:00:00+02:00")
        member = make_member(session)
        today = client.get("/api/v1/me/today", headers=member.headers).json()
        assert today["window"]["from"] == "2027-03-22"
        assert today["work_date"] == "2027-03-24"  # the last working day, Wednesday
        ok = client.put(f"{URL}/2027-03-22", json={"calm": 3}, headers=member.headers)
        assert ok.status_code == 201
        old = client.put(f"{URL}/2027-03-19", json={"calm": 3}, headers=member.headers)
        assert old.json()["error"] == "WorkDateOutsideWindow"

    def test_the_team_s_own_working_days_and_the_org_s_setting_count(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-12-01T08:00:00+01:00")  # Tuesday
        org = make_org(session, checkin_window_days=1)
        weekend_team = make_team(session, org, working_days="1,2,3,4,5,6,7")
        weekdays_team = make_team(session, org)
        weekend = client.get("/api/v1/me/today", headers=make_member(session, weekend_team).headers)
        weekdays = client.get(
            "/api/v1/me/today", headers=make_member(session, weekdays_team).headers
        )
        assert weekend.json()["window"]["from"] == "2026-11-30"
        assert weekdays.json()["window"]["from"] == "2026-11-30"
        set_now("2026-11-30T08:00:00+01:00")  # Monday: one working day back is Friday / Sunday
        weekend = client.get("/api/v1/me/today", headers=make_member(session, weekend_team).headers)
        weekdays = client.get(
            "/api/v1/me/today", headers=make_member(session, weekdays_team).headers
        )
        assert weekend.json()["window"]["from"] == "2026-11-29"
        assert weekdays.json()["window"]["from"] == "2026-11-27"
