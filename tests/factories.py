"""Factories: build rows with sensible defaults; each returns what a test needs (and tokens)."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from backend import clock, security
from backend.auth import service as auth_service
from backend.auth.models import Coordinator
from backend.orgs.models import Organisation
from backend.teams.models import Invite, Member, MemberToken, Team

PASSWORD = "correct horse battery staple"


def make_org(session: Session, **fields: object) -> Organisation:
    org = Organisation.model_validate({"name": "Børnehuset Solsikken", **fields})
    session.add(org)
    session.commit()
    return org


def make_team(session: Session, org: Organisation | None = None, **fields: object) -> Team:
    org = org or make_org(session)
    team = Team.model_validate({"name": "Stue Blå", **fields}, update={"org_id": org.id})
    session.add(team)
    session.commit()
    return team


@dataclass
class LoggedInCoordinator:
    coordinator: Coordinator
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_coordinator(
    session: Session, org: Organisation | None = None, email: str | None = None
) -> LoggedInCoordinator:
    org = org or make_org(session)
    coordinator = auth_service.create_coordinator(
        session=session,
        email=email or f"leder{security.new_token()[:6].lower()}@example.dk",
        password=PASSWORD,
    )
    auth_service.add_to_org(session=session, coordinator=coordinator, org=org)
    token = auth_service.issue_token(session=session, coordinator=coordinator)
    session.commit()
    return LoggedInCoordinator(coordinator, token)


@dataclass
class JoinedMember:
    member: Member
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_member(session: Session, team: Team | None = None, **fields: object) -> JoinedMember:
    team = team or make_team(session)
    member = Member.model_validate(fields, update={"team_id": team.id})
    session.add(member)
    session.flush()
    assert member.id is not None
    token = security.new_token()
    session.add(MemberToken(member_id=member.id, token_hash=security.hash_token(token)))
    session.commit()
    return JoinedMember(member, token)


def make_invite(session: Session, team: Team | None = None, **fields: object) -> Invite:
    team = team or make_team(session)
    values = {"code": security.new_invite_code(), "expires_at": clock.now() + timedelta(days=14)}
    invite = Invite.model_validate({**values, **fields}, update={"team_id": team.id})
    session.add(invite)
    session.commit()
    return invite
