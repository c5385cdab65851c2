"""Who is calling: a coordinator (login token) or a member (device token). Typed dependencies."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, select

from backend import security
from backend.auth import service as auth_service
from backend.auth.models import Coordinator
from backend.db import SessionDep
from backend.errors import Unauthorized
from backend.openapi import raises
from backend.orgs.models import Organisation
from backend.teams.models import Member, MemberToken, Team

# Two schemes so /docs offers both a coordinator login form and a pasted member token.
coordinator_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", scheme_name="CoordinatorLogin", auto_error=False
)
member_scheme = HTTPBearer(scheme_name="MemberToken", auto_error=False)


def member_token_query(*columns: Any) -> Select[Any]:
    """THE rule of which member a device token belongs to, with the member's team and organisation:
    the tokens whose hash is in the expanding parameter `token_hashes`, selecting `columns`.

    Both ways a member is authenticated use it: `CurrentMember` below (through the ORM) and the
    check-in hot path (backend/checkins/sql.py compiles it to the driver's SQL), so a rule added
    here (an expiry, a deactivated member) holds for both."""
    return (
        select(*columns)
        .select_from(MemberToken)
        .join(Member, col(Member.id) == MemberToken.member_id)
        .join(Team, col(Team.id) == Member.team_id)
        .join(Organisation, col(Organisation.id) == Team.org_id)
        .where(col(MemberToken.token_hash).in_(bindparam("token_hashes", expanding=True)))
    )


def member_for_token(*, session: Session, token: str) -> Member | None:
    """The member a device token belongs to. Their team and organisation come in the same query
    and stay in the session, so a route asking for them (session.get) needs no second one."""
    row = session.execute(
        member_token_query(Member, Team, Organisation),
        {"token_hashes": [security.hash_token(token)]},
    ).first()
    if row is None:
        return None
    member, team, org = row
    # The session's identity map holds objects only while something refers to them.
    session.info["authenticated"] = (member, team, org)
    return member


@raises(Unauthorized)
def _current_coordinator(
    session: SessionDep, token: Annotated[str | None, Depends(coordinator_scheme)]
) -> Coordinator:
    coordinator = (
        auth_service.coordinator_for_token(session=session, token=token) if token else None
    )
    if coordinator is None:
        raise Unauthorized("A valid coordinator token is required")
    return coordinator


@raises(Unauthorized)
def _current_member(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(member_scheme)],
) -> Member:
    member = (
        member_for_token(session=session, token=credentials.credentials) if credentials else None
    )
    if member is None:
        raise Unauthorized("A valid member token is required")
    return member


@dataclass(frozen=True)
class Actor:
    """Either a coordinator or a member; used where both may act (a team's solutions)."""

    coordinator: Coordinator | None = None
    member: Member | None = None


@raises(Unauthorized)
def _current_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(member_scheme)],
) -> Actor:
    if credentials is not None:
        token = credentials.credentials
        member = member_for_token(session=session, token=token)
        if member is not None:
            return Actor(member=member)
        coordinator = auth_service.coordinator_for_token(session=session, token=token)
        if coordinator is not None:
            return Actor(coordinator=coordinator)
    raise Unauthorized("A valid member or coordinator token is required")


CurrentCoordinator = Annotated[Coordinator, Depends(_current_coordinator)]
CurrentMember = Annotated[Member, Depends(_current_member)]
CurrentActor = Annotated[Actor, Depends(_current_actor)]
CoordinatorToken = Annotated[str | None, Depends(coordinator_scheme)]
