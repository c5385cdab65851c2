"""Who is calling: a coordinator (login token) or a member (device token). Typed dependencies."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from sqlmodel import Session, col, select

from backend import security
from backend.auth import service as auth_service
from backend.auth.models import Coordinator
from backend.db import SessionDep
from backend.errors import Unauthorized
from backend.openapi import raises
from backend.teams.models import Member, MemberToken

# Two schemes so /docs offers both a coordinator login form and a pasted member token.
coordinator_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", scheme_name="CoordinatorLogin", auto_error=False
)
member_scheme = HTTPBearer(scheme_name="MemberToken", auto_error=False)


def member_for_token(*, session: Session, token: str) -> Member | None:
    return session.exec(
        select(Member)
        .join(MemberToken, col(MemberToken.member_id) == Member.id)
        .where(MemberToken.token_hash == security.hash_token(token))
    ).first()


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
