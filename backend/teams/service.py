"""Teams, their invites and members: who may reach a team, and the rules for joining it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, func, select

from backend import clock, security
from backend.auth.dependencies import Actor
from backend.auth.models import Coordinator, CoordinatorOrg
from backend.config import settings
from backend.errors import Conflict, Gone, NotFound
from backend.insights import rollup
from backend.orgs.models import Organisation
from backend.teams.models import Invite, Member, MemberToken, Team
from backend.teams.schemas import (
    InvitePublic,
    TeamCreate,
    TeamMemberPublic,
    TeamPublic,
    TeamUpdate,
    working_days_from_db,
    working_days_to_db,
)


class TeamNameTaken(Conflict):
    """Another team of the organisation has this name (case-insensitively)."""


# Teams the caller may not reach answer 404 exactly like teams that do not exist (never 403), so
# team ids cannot be probed across organisations or teams.
TEAM_NOT_FOUND = "Team not found"


def get_team_for_coordinator_or_404(
    *, session: Session, team_id: int, coordinator: Coordinator
) -> Team:
    """The team if the coordinator is linked to its organisation."""
    team = session.exec(
        select(Team)
        .join(CoordinatorOrg, col(CoordinatorOrg.org_id) == Team.org_id)
        .where(Team.id == team_id, CoordinatorOrg.coordinator_id == coordinator.id)
    ).first()
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    return team


def get_team_for_actor_or_404(*, session: Session, team_id: int, actor: Actor) -> Team:
    """The team if the actor is one of its members or a coordinator of its organisation."""
    if actor.member is not None:
        if actor.member.team_id != team_id:
            raise NotFound(TEAM_NOT_FOUND)
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound(TEAM_NOT_FOUND)
        return team
    if actor.coordinator is not None:
        return get_team_for_coordinator_or_404(
            session=session, team_id=team_id, coordinator=actor.coordinator
        )
    raise NotFound(TEAM_NOT_FOUND)


# --- teams -------------------------------------------------------------------------------------


def _member_counts(*, session: Session, team_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(Member.team_id, func.count())
        .where(col(Member.team_id).in_(team_ids))
        .group_by(col(Member.team_id))
    ).all()
    return {team_id: int(count) for team_id, count in rows}


def to_public(team: Team, *, member_count: int) -> TeamPublic:
    return TeamPublic.model_validate(
        team,
        update={
            "working_days": working_days_from_db(team.working_days),
            "member_count": member_count,
        },
    )


def team_public(*, session: Session, team: Team) -> TeamPublic:
    assert team.id is not None
    counts = _member_counts(session=session, team_ids=[team.id])
    return to_public(team, member_count=counts.get(team.id, 0))


def list_teams(*, session: Session, org: Organisation) -> list[TeamPublic]:
    teams = session.exec(
        select(Team).where(Team.org_id == org.id).order_by(col(Team.name), col(Team.id))
    ).all()
    counts = _member_counts(session=session, team_ids=[t.id for t in teams if t.id is not None])
    return [to_public(team, member_count=counts.get(team.id or 0, 0)) for team in teams]


def _ensure_name_free(
    *, session: Session, org_id: int, name: str, except_team_id: int | None = None
) -> None:
    # Two teams called "Stue Blå" in one organisation would be indistinguishable in every list
    # and chart, so names are unique per organisation (case-insensitively).
    query = select(Team.id).where(Team.org_id == org_id, func.lower(col(Team.name)) == name.lower())
    if except_team_id is not None:
        query = query.where(Team.id != except_team_id)
    if session.exec(query).first() is not None:
        raise TeamNameTaken(f'The organisation already has a team called "{name}"')


def create_team(*, session: Session, org: Organisation, data: TeamCreate) -> Team:
    assert org.id is not None
    _ensure_name_free(session=session, org_id=org.id, name=data.name)
    team = Team.model_validate(
        data, update={"org_id": org.id, "working_days": working_days_to_db(data.working_days)}
    )
    session.add(team)
    session.flush()
    return team


def update_team(*, session: Session, team: Team, changes: TeamUpdate) -> Team:
    values = changes.model_dump(exclude_unset=True)
    if "name" in values:
        _ensure_name_free(
            session=session, org_id=team.org_id, name=values["name"], except_team_id=team.id
        )
    if "working_days" in values:
        # Fewer working days reach further back: the team's closed weeks are frozen first.
        _freeze_team(session=session, team=team)
        values["working_days"] = working_days_to_db(values["working_days"])
    team.sqlmodel_update(values)
    session.add(team)
    session.flush()
    return team


# --- invites -----------------------------------------------------------------------------------


def invite_public(invite: Invite) -> InvitePublic:
    return InvitePublic(
        code=invite.code,
        join_url=f"{settings.public_base_url}/join/{invite.code}",
        expires_at=invite.expires_at,
    )


def create_invite(*, session: Session, team: Team, expires_in_days: int) -> Invite:
    assert team.id is not None
    code = security.new_invite_code()
    # ~53 bits make a collision practically impossible; the loop keeps the unique index happy.
    while session.exec(select(Invite.id).where(Invite.code == code)).first() is not None:
        code = security.new_invite_code()
    invite = Invite(
        team_id=team.id,
        code=code,
        expires_at=clock.now() + timedelta(days=expires_in_days),
    )
    session.add(invite)
    session.flush()
    return invite


def list_active_invites(*, session: Session, team: Team) -> Sequence[Invite]:
    return session.exec(
        select(Invite)
        .where(
            Invite.team_id == team.id,
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > clock.now(),
        )
        .order_by(col(Invite.created_at).desc(), col(Invite.id).desc())
    ).all()


def reuse_or_create_invite(
    *, session: Session, team: Team, expires_in_days: int, at_least: timedelta = timedelta(days=1)
) -> Invite:
    """The team's newest working invite if it runs for `at_least` more, else a new one."""
    for invite in list_active_invites(session=session, team=team):
        if invite.expires_at - clock.now() >= at_least:
            return invite
    return create_invite(session=session, team=team, expires_in_days=expires_in_days)


def revoke_invite(*, session: Session, team: Team, code: str) -> None:
    """Revokes the team's invite; revoking it again is harmless (idempotent)."""
    invite = session.exec(
        select(Invite).where(
            Invite.team_id == team.id, Invite.code == security.normalize_invite_code(code)
        )
    ).first()
    if invite is None:
        raise NotFound("Invite not found")
    if invite.revoked_at is None:
        invite.revoked_at = clock.now()
        session.add(invite)
        session.flush()


def restore_invite(*, session: Session, team: Team, code: str) -> Invite:
    """Takes back a revocation (the undo on the coordinator's page): the same code works again
    until it expires; an expired invite stays gone (410), restoring a working one is harmless."""
    invite = session.exec(
        select(Invite).where(
            Invite.team_id == team.id, Invite.code == security.normalize_invite_code(code)
        )
    ).first()
    if invite is None:
        raise NotFound("Invite not found")
    if invite.expires_at <= clock.now():
        raise Gone("This invite has expired; make a new one")
    if invite.revoked_at is not None:
        invite.revoked_at = None
        session.add(invite)
        session.flush()
    return invite


@dataclass(frozen=True)
class ValidInvite:
    invite: Invite
    team: Team
    org: Organisation


def get_valid_invite(*, session: Session, code: str) -> ValidInvite:
    """The invite for a code as typed (any case, dashes or spaces); 404 unknown, 410 stale."""
    row = session.exec(
        select(Invite, Team, Organisation)
        .join(Team, col(Team.id) == Invite.team_id)
        .join(Organisation, col(Organisation.id) == Team.org_id)
        .where(Invite.code == security.normalize_invite_code(code))
    ).first()
    if row is None:
        raise NotFound("Unknown invite code")
    invite, team, org = row
    if invite.revoked_at is not None:
        raise Gone("This invite has been withdrawn; ask for a new one")
    if invite.expires_at <= clock.now():
        raise Gone("This invite has expired; ask for a new one")
    return ValidInvite(invite=invite, team=team, org=org)


# --- members -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    member: Member
    team: Team
    token: str


def join(*, session: Session, code: str, display_name: str | None) -> Joined:
    """Creates a pseudonymous member of the invite's team and its first device token."""
    valid = get_valid_invite(session=session, code=code)
    assert valid.team.id is not None
    member = Member(team_id=valid.team.id, display_name=display_name)
    session.add(member)
    session.flush()
    assert member.id is not None
    token = security.new_token()
    session.add(MemberToken(member_id=member.id, token_hash=security.hash_token(token)))
    session.flush()
    return Joined(member=member, team=valid.team, token=token)


def team_and_org(*, session: Session, member: Member) -> tuple[Team, Organisation]:
    """The member's team and its organisation, in one query."""
    row = session.exec(
        select(Team, Organisation)
        .join(Organisation, col(Organisation.id) == Team.org_id)
        .where(Team.id == member.team_id)
    ).one()
    return row[0], row[1]


def list_members(*, session: Session, team: Team) -> Sequence[Member]:
    return session.exec(
        select(Member)
        .where(Member.team_id == team.id)
        .order_by(col(Member.joined_at), col(Member.id))
    ).all()


def _freeze_team(*, session: Session, team: Team) -> None:
    org = session.get(Organisation, team.org_id)
    assert org is not None and team.id is not None
    rollup.freeze(session=session, org=org, team_ids=[team.id])


def delete_member(*, session: Session, member: Member) -> None:
    """Deletes the member row; the database cascades to their tokens, check-ins and marks.

    The team's closed weeks are rolled up first, so their figures stay as they were; the member's
    answers in weeks still open go with them."""
    team = session.get(Team, member.team_id)
    assert team is not None
    _freeze_team(session=session, team=team)
    session.delete(member)
    session.flush()


def _team_member_or_404(*, session: Session, team: Team, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.team_id != team.id:
        raise NotFound("Member not found")
    return member


def remove_member(*, session: Session, team: Team, member_id: int) -> None:
    delete_member(
        session=session, member=_team_member_or_404(session=session, team=team, member_id=member_id)
    )


def team_member_public(member: Member) -> TeamMemberPublic:
    return TeamMemberPublic.model_validate(member, update={"note": member.coordinator_note})


def set_member_note(*, session: Session, team: Team, member_id: int, note: str) -> Member:
    member = _team_member_or_404(session=session, team=team, member_id=member_id)
    member.coordinator_note = note
    session.add(member)
    session.flush()
    return member
