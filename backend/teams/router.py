"""Teams of an organisation, their invites and members (coordinator), and joining (anyone)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from backend import ratelimit
from backend.db import PathId, SessionDep
from backend.errors import Conflict, Gone, NotFound, TooManyRequests
from backend.openapi import raises
from backend.orgs.dependencies import OrgForCoordinator
from backend.teams import service as team_service
from backend.teams.dependencies import TeamForCoordinator
from backend.teams.schemas import (
    InviteCreate,
    InvitePreview,
    InvitePublic,
    JoinCreate,
    JoinPublic,
    MemberPublic,
    MemberUpdate,
    TeamCreate,
    TeamMemberPublic,
    TeamPublic,
    TeamRef,
    TeamUpdate,
)

router = APIRouter(tags=["teams"])

# An invite code as typed: any case, with or without dashes or spaces.
InviteCodePath = Annotated[str, Path(min_length=1, max_length=40)]


@contextmanager
def _invite_attempt(request: Request) -> Iterator[None]:
    """Counts a wrong or stale code against the client's address; once it has too many, such a
    code is answered 429 with the time left. A valid code is never refused (ratelimit.py)."""
    host = request.client.host if request.client else "unknown"
    key = ratelimit.JOIN_ADDRESS.key(ratelimit.address_key(host))
    try:
        yield
    except (NotFound, Gone) as failure:
        ratelimit.record_failure([(ratelimit.JOIN_ADDRESS, key)])
        wait = ratelimit.blocked_for([key])
        if wait:
            raise ratelimit.too_many(wait, "invite codes") from failure
        raise


@router.get("/orgs/{org_id}/teams", response_model=list[TeamPublic])
def list_teams(session: SessionDep, org: OrgForCoordinator) -> list[TeamPublic]:
    return team_service.list_teams(session=session, org=org)


@router.post("/orgs/{org_id}/teams", status_code=status.HTTP_201_CREATED)
@raises(Conflict)
def create_team(session: SessionDep, org: OrgForCoordinator, body: TeamCreate) -> TeamPublic:
    team = team_service.create_team(session=session, org=org, data=body)
    return team_service.team_public(session=session, team=team)


@router.patch("/teams/{team_id}")
@raises(Conflict)
def update_team(session: SessionDep, team: TeamForCoordinator, body: TeamUpdate) -> TeamPublic:
    team = team_service.update_team(session=session, team=team, changes=body)
    return team_service.team_public(session=session, team=team)


@router.get("/teams/{team_id}/invites")
def list_invites(session: SessionDep, team: TeamForCoordinator) -> list[InvitePublic]:
    """The team's invites that still work (not expired, not revoked), newest first."""
    invites = team_service.list_active_invites(session=session, team=team)
    return [team_service.invite_public(invite) for invite in invites]


@router.post("/teams/{team_id}/invites", status_code=status.HTTP_201_CREATED)
def create_invite(
    session: SessionDep, team: TeamForCoordinator, body: InviteCreate | None = None
) -> InvitePublic:
    body = body or InviteCreate()
    invite = team_service.create_invite(
        session=session, team=team, expires_in_days=body.expires_in_days
    )
    return team_service.invite_public(invite)


@router.delete("/teams/{team_id}/invites/{code}", status_code=status.HTTP_204_NO_CONTENT)
@raises(NotFound)
def revoke_invite(session: SessionDep, team: TeamForCoordinator, code: InviteCodePath) -> None:
    team_service.revoke_invite(session=session, team=team, code=code)


@router.post("/teams/{team_id}/invites/{code}/restore")
@raises(NotFound, Gone)
def restore_invite(
    session: SessionDep, team: TeamForCoordinator, code: InviteCodePath
) -> InvitePublic:
    """Undoes a revocation: the same code (perhaps printed on the wall) works again."""
    invite = team_service.restore_invite(session=session, team=team, code=code)
    return team_service.invite_public(invite)


@router.get("/teams/{team_id}/members")
def list_members(session: SessionDep, team: TeamForCoordinator) -> list[TeamMemberPublic]:
    members = team_service.list_members(session=session, team=team)
    return [team_service.team_member_public(member) for member in members]


@router.patch("/teams/{team_id}/members/{member_id}")
@raises(NotFound)
def update_member(
    session: SessionDep, team: TeamForCoordinator, member_id: PathId, body: MemberUpdate
) -> TeamMemberPublic:
    """The coordinator's note on a member (to tell two members of the same name apart)."""
    member = team_service.set_member_note(
        session=session, team=team, member_id=member_id, note=body.note
    )
    return team_service.team_member_public(member)


@router.delete("/teams/{team_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
@raises(NotFound)
def remove_member(session: SessionDep, team: TeamForCoordinator, member_id: PathId) -> None:
    team_service.remove_member(session=session, team=team, member_id=member_id)


@router.get("/invites/{code}")
@raises(NotFound, Gone, TooManyRequests)
def preview_invite(session: SessionDep, request: Request, code: InviteCodePath) -> InvitePreview:
    """For the join screen: whose team an invite is for. Wrong codes count against the same
    per-client limit as POST /join, so this is no way around it."""
    with _invite_attempt(request):
        valid = team_service.get_valid_invite(session=session, code=code)
    return InvitePreview(
        team_name=valid.team.name,
        org_name=valid.org.name,
        expires_at=valid.invite.expires_at,
        anonymity_threshold=valid.org.anonymity_threshold,
    )


@router.post("/join", status_code=status.HTTP_201_CREATED)
@raises(NotFound, Gone, TooManyRequests)
def join(session: SessionDep, request: Request, body: JoinCreate) -> JoinPublic:
    with _invite_attempt(request):
        joined = team_service.join(session=session, code=body.code, display_name=body.display_name)
    return JoinPublic(
        token=joined.token,
        member=MemberPublic.model_validate(joined.member),
        team=TeamRef.model_validate(joined.team),
    )
