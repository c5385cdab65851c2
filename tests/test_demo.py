"""The demo organisation: realistic, on working days only, and usable by bench scripts."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend import demo, security
from backend.auth import service as auth_service
from backend.auth.dependencies import member_for_token
from backend.auth.models import CoordinatorOrg
from backend.checkins.models import CheckIn, CheckInSolution
from backend.holidays import is_holiday
from backend.orgs.models import Organisation
from backend.solutions import service as solution_service
from backend.solutions.models import Evaluation, Situation, Solution, SolutionStatusChange
from backend.teams.models import Member, MemberToken, Team

# Twelve weeks before this morning hold Easter, Kristi himmelfart, Pinse and Grundlovsdag.
NOW = "2026-06-10T08:00:00+02:00"
TODAY = date(2026, 6, 10)


def _seed(engine: Engine, **kwargs: object) -> demo.DemoResult:
    with engine.begin() as connection:
        return demo.seed_demo(connection=connection, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def seeded(engine: Engine, set_now: Callable[[str], datetime]) -> demo.DemoResult:
    set_now(NOW)
    return _seed(engine, seed=42)


def _avg(session: Session, column: str, team_id: int, start: date, end: date) -> float:
    value = session.exec(
        text(  # type: ignore[call-overload]
            f"SELECT AVG({column}) FROM checkin "
            "WHERE team_id = :team AND work_date BETWEEN :start AND :end"
        ),
        params={"team": team_id, "start": start, "end": end},
    ).one()[0]
    return float(value)


class TestDefaultDemo:
    def test_one_organisation_three_named_teams_eight_members_each(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        orgs = session.exec(select(Organisation)).all()
        assert [o.name for o in orgs] == [demo.DEMO_ORG_NAME]
        assert orgs[0].timezone == "Europe/Copenhagen"
        teams = session.exec(select(Team).order_by(col(Team.id))).all()
        assert [t.name for t in teams] == ["Stue Blå", "Stue Grøn", "Vuggestuen Solstrålen"]
        for team in teams:
            members = session.exec(select(Member).where(Member.team_id == team.id)).all()
            assert len(members) == 8
        names = session.exec(select(Member.display_name)).all()
        assert any(n is None for n in names) or len(set(names)) > 5  # optional, Danish
        assert set(names) - {None} <= set(demo.FIRST_NAMES)
        assert seeded.counts["checkin"] == session.exec(select(func.count(col(CheckIn.id)))).one()

    def test_demo_coordinator_can_log_in_to_the_demo_org(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        coordinator = auth_service.authenticate(
            session=session, email=demo.DEMO_EMAIL, password=demo.DEMO_PASSWORD, client="127.0.0.1"
        )
        links = session.exec(select(CoordinatorOrg)).all()
        assert [(c.coordinator_id, c.org_id) for c in links] == [(coordinator.id, seeded.org_id)]

    def test_check_ins_only_on_past_working_days_without_holidays(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        work_dates = set(session.exec(select(CheckIn.work_date).distinct()).all())
        assert min(work_dates) >= TODAY - timedelta(weeks=12)
        assert max(work_dates) == TODAY - timedelta(days=1)
        assert all(d.weekday() < 5 and not is_holiday(d) for d in work_dates)
        # The period really contains holidays on weekdays, so the check above means something.
        period = [TODAY - timedelta(days=n) for n in range(1, 85)]
        skipped = [d for d in period if d.weekday() < 5 and is_holiday(d)]
        assert date(2026, 4, 6) in skipped  # 2. påskedag
        assert len(skipped) >= 5
        expected = [d for d in period if d.weekday() < 5 and not is_holiday(d)]
        assert work_dates == set(expected)

    def test_every_rating_is_1_to_5_or_skipped(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        rows = session.exec(select(CheckIn.calm, CheckIn.flow, CheckIn.workload)).all()
        values = [v for row in rows for v in row]
        assert {v for v in values if v is not None} <= {1, 2, 3, 4, 5}
        assert len({v for v in values if v is not None}) >= 4  # a spread, not one value
        assert values.count(None) < len(values) * 0.03

    def test_about_70_percent_participate_each_day(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        work_dates = session.exec(select(func.count(col(CheckIn.work_date).distinct()))).one()
        checkins = session.exec(select(func.count(col(CheckIn.id)))).one()
        rate = checkins / (24 * work_dates)
        assert 0.6 <= rate <= 0.8
        one_per_member_and_date = session.exec(
            select(func.count()).select_from(
                select(CheckIn.member_id, CheckIn.work_date).distinct().subquery()
            )
        ).one()
        assert one_per_member_and_date == checkins

    def test_calm_and_flow_improve_and_workload_eases_after_the_trial(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        blue = seeded.team_ids[0]
        trial = session.exec(
            select(func.min(col(SolutionStatusChange.changed_at)))
            .join(Solution, col(Solution.id) == SolutionStatusChange.solution_id)
            .where(Solution.team_id == blue, SolutionStatusChange.to_status == "trial")
        ).one()
        assert trial is not None
        start = trial.date()
        before = (start - timedelta(days=28), start - timedelta(days=1))
        after = (TODAY - timedelta(days=21), TODAY)
        assert _avg(session, "calm", blue, *after) > _avg(session, "calm", blue, *before) + 0.4
        assert _avg(session, "flow", blue, *after) > _avg(session, "flow", blue, *before) + 0.4
        load_after = _avg(session, "workload", blue, *after)
        assert load_after < _avg(session, "workload", blue, *before) - 0.4

    def test_situations_solutions_with_history_and_one_evaluation(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        titles = set(session.exec(select(Situation.title)).all())
        assert titles == {"Frokost og puslesituationen", "Afhentning"}
        lunch = session.exec(select(Situation).where(Situation.team_id == seeded.team_ids[0]))
        assert {s.when for s in lunch} == {"11–12", "15–16"}
        solutions = session.exec(select(Solution)).all()
        assert {s.perspective for s in solutions} == {"P", "U", "X"}
        assert {s.status for s in solutions} == {"proposed", "trial", "adopted", "dropped"}
        for solution in solutions:
            history = session.exec(
                select(SolutionStatusChange)
                .where(SolutionStatusChange.solution_id == solution.id)
                .order_by(col(SolutionStatusChange.changed_at))
            ).all()
            assert history[0].from_status is None and history[0].to_status == "proposed"
            for earlier, later in pairwise(history):
                assert later.from_status == earlier.to_status
            assert history[-1].to_status == solution.status
            if solution.status == "trial":  # its follow-up meeting is ahead
                assert solution.review_date is not None and solution.review_date > TODAY
        evaluations = session.exec(select(Evaluation)).all()
        assert len(evaluations) == 1
        evaluated = session.get(Solution, evaluations[0].solution_id)
        assert evaluated is not None and evaluated.status == "adopted"
        assert evaluations[0].decision == "keep"

    def test_use_marks_only_for_solutions_active_that_day(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        marks = session.exec(
            select(CheckInSolution, CheckIn.team_id, CheckIn.work_date).join(
                CheckIn, col(CheckIn.id) == CheckInSolution.checkin_id
            )
        ).all()
        assert marks
        assert {m.used for m, _, _ in marks} == {"yes", "partly", "no", "not_relevant"}
        active: dict[tuple[int, date], set[int | None]] = {}
        for mark, team_id, work_date in marks:
            if (team_id, work_date) not in active:
                solutions = solution_service.active_solutions(
                    session=session, team_id=team_id, on_date=work_date
                )
                active[team_id, work_date] = {s.id for s in solutions}
            assert mark.solution_id in active[team_id, work_date]

    def test_a_few_danish_comments_some_shared(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        rows = session.exec(
            select(CheckIn.comment, CheckIn.share_comment).where(col(CheckIn.comment).is_not(None))
        ).all()
        checkins = seeded.counts["checkin"]
        assert 0 < len(rows) < checkins * 0.1
        assert any(shared for _, shared in rows)
        known = set(demo.COMMENTS) | set(demo.COMMENTS_AFTER_TRIAL)
        assert {c for c, _ in rows} <= known


class TestMemberTokens:
    def test_tokens_derive_from_the_seed_team_by_team(
        self, seeded: demo.DemoResult, session: Session
    ) -> None:
        first = member_for_token(session=session, token=demo.member_token(42, 0))
        ninth = member_for_token(session=session, token=demo.member_token(42, 8))
        assert first is not None and first.team_id == seeded.team_ids[0]
        assert ninth is not None and ninth.team_id == seeded.team_ids[1]
        assert member_for_token(session=session, token=demo.member_token(43, 0)) is None
        stored = session.exec(select(MemberToken.token_hash)).all()
        assert security.hash_token(demo.member_token(42, 23)) in stored
        assert demo.member_token(42, 0) not in stored  # only hashes are kept

    def test_a_demo_member_reads_their_history_through_the_api(
        self, seeded: demo.DemoResult, client: TestClient, session: Session
    ) -> None:
        headers = {"Authorization": f"Bearer {demo.member_token(42, 0)}"}
        member = member_for_token(session=session, token=demo.member_token(42, 0))
        assert member is not None
        stored = session.exec(
            select(CheckIn)
            .where(CheckIn.member_id == member.id, col(CheckIn.work_date) >= date(2026, 5, 1))
            .order_by(col(CheckIn.work_date).desc())
        ).all()
        response = client.get(
            "/api/v1/me/checkins",
            params={"from": "2026-05-01", "to": "2026-06-10"},
            headers=headers,
        )
        assert response.status_code == 200
        body = response.json()
        assert [c["work_date"] for c in body] == [c.work_date.isoformat() for c in stored]
        assert [c["calm"] for c in body] == [c.calm for c in stored]
        assert all(c["created_at"].startswith(c["work_date"][:4]) for c in body)
        today = client.get("/api/v1/me/today", headers=headers)
        assert today.status_code == 200
        assert {s["title"] for s in today.json()["solutions"]} >= {
            "Bleskift før frokost for de mindste"
        }

    def test_token_has_the_shape_of_a_real_token(self) -> None:
        token = demo.member_token(1, 0)
        assert len(token) == len(security.new_token()) == 43
        assert token != demo.member_token(1, 1) != demo.member_token(2, 0)


class TestSeedDemo:
    def test_the_same_seed_twice_is_refused_and_changes_nothing(
        self, seeded: demo.DemoResult, engine: Engine, session: Session
    ) -> None:
        before = session.exec(select(func.count(col(CheckIn.id)))).one()
        with pytest.raises(demo.DemoError, match="seed 42"):
            _seed(engine, seed=42)
        assert session.exec(select(func.count(col(CheckIn.id)))).one() == before
        assert len(session.exec(select(Organisation)).all()) == 1

    def test_another_seed_adds_an_organisation_and_reuses_the_coordinator(
        self, seeded: demo.DemoResult, engine: Engine, session: Session
    ) -> None:
        second = _seed(engine, seed=43, teams=1, members=2, weeks=1)
        assert second.org_id != seeded.org_id and not second.coordinator_created
        assert len(session.exec(select(CoordinatorOrg)).all()) == 2
        # Ids assigned by the bulk insert leave the database able to insert rows of its own.
        org = Organisation(name="Efter demo")
        session.add(org)
        session.commit()
        team = Team(name="Ny stue", org_id=org.id)  # type: ignore[arg-type]
        session.add(team)
        session.commit()
        assert team.id is not None and team.id > max(second.team_ids)

    def test_foreign_keys_still_hold_after_the_bulk_load(
        self, seeded: demo.DemoResult, engine: Engine
    ) -> None:
        # PostgreSQL loads with the check-in foreign keys off and adds them back at the end.
        orphan = CheckIn(member_id=999_999, team_id=seeded.team_ids[0], work_date=TODAY)
        with Session(engine) as session:
            session.add(orphan)
            with pytest.raises(IntegrityError):
                session.commit()
        with Session(engine) as session:
            session.add(CheckInSolution(checkin_id=999_999, solution_id=1, used="yes"))
            with pytest.raises(IntegrityError):
                session.commit()

    def test_large_sizes_give_exact_member_and_team_counts(
        self, engine: Engine, session: Session, set_now: Callable[[str], datetime]
    ) -> None:
        set_now(NOW)
        result = _seed(engine, seed=5, teams=12, members=20, weeks=4)
        assert session.exec(select(func.count(col(Team.id)))).one() == 12
        assert session.exec(select(func.count(col(Member.id)))).one() == 240
        assert result.counts["member_token"] == 240
        names = session.exec(select(Team.name)).all()
        assert len(set(names)) == 12

    def test_refused_in_production_unless_forced(
        self, engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(demo.settings, "env", "production")
        with pytest.raises(demo.DemoError, match="production"):
            _seed(engine, seed=1, teams=1, members=1, weeks=1)
        assert session.exec(select(Organisation)).all() == []
        _seed(engine, seed=1, teams=1, members=1, weeks=1, allow_production=True)
        assert len(session.exec(select(Organisation)).all()) == 1


class TestDemoInsights:
    """What the first-start demo (with its small team) shows through the insights."""

    def test_teams_pass_k_a_small_team_does_not_and_one_solution_helps(
        self, engine: Engine, client: TestClient, set_now: Callable[[str], datetime]
    ) -> None:
        set_now(NOW)
        result = _seed(engine, seed=42, small_team=True)
        token = client.post(
            "/api/v1/auth/token",
            data={"username": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        trends = client.get(f"/api/v1/orgs/{result.org_id}/trends", headers=headers).json()
        names = {t["id"]: t["name"] for t in trends["teams"]}
        assert sorted(names.values()) == [
            "Stue Blå",
            "Stue Grøn",
            "Stue Rød",
            "Vuggestuen Solstrålen",
        ]
        for team_id, name in names.items():
            weeks = [p for p in trends["periods"] if p["team_id"] == team_id]
            shown = [p for p in weeks if not p["suppressed"]]
            if name == "Stue Rød":
                assert shown == [] and {p["respondents"] for p in weeks} <= {0, 1, 2, 3, 4}
            else:
                assert len(shown) >= 0.8 * len(weeks) and len(weeks) == 12
        summary = client.get(f"/api/v1/teams/{result.team_ids[0]}/summary", headers=headers).json()
        effects = {s["title"]: s for s in summary["solutions"]}
        helped = effects["Bleskift før frokost for de mindste"]
        assert not helped["thin"]
        assert helped["difference"]["calm"] > 0.3 and helped["difference"]["workload"] < -0.3
        assert helped["use"]["shares"]["yes"] > 0.4
        assert effects["Fast rollefordeling ved frokosten"]["thin"] is True
