"""Teams, their invites, their (pseudonymous) members and the members' device tokens."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from backend.clock import now
from backend.db import utc_field


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    reminder_time: str = Field(default="07:45", max_length=5)  # "HH:MM", local time
    working_days: str = Field(default="1,2,3,4,5", max_length=13)  # ISO weekdays, Mon=1
    created_at: datetime = utc_field(default_factory=now)
    # The Sunday of the newest week whose figures are final (rolled up, backend/insights): no
    # check-in lands on or before it. Read by the check-in hot path's authenticate join.
    frozen_through: date | None = None


class Invite(SQLModel, table=True):
    # The code is kept readable (not hashed): coordinators re-show it as a link/QR for the staff
    # room wall, and it only lets someone join as a new pseudonymous member; it expires and can
    # be revoked.
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=20, unique=True)
    created_at: datetime = utc_field(default_factory=now)
    expires_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(default=None)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    display_name: str | None = Field(default=None, max_length=60)
    locale: str | None = Field(default=None, max_length=8)
    joined_at: datetime = utc_field(default_factory=now)
    # The coordinator's own words to tell members apart (two called "Louise"); shown only to the
    # team's coordinators, and in the member's own export (it is about them).
    coordinator_note: str = Field(default="", max_length=200)


class MemberToken(SQLModel, table=True):
    __tablename__ = "member_token"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_factory=now)
