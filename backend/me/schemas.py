"""A member's own view of themselves: profile, team, organisation settings, and data export."""

from datetime import date, datetime

from sqlmodel import SQLModel

from backend.orgs.schemas import Locale
from backend.reminders.schemas import ReminderExport
from backend.teams.schemas import DisplayName


class MeMember(SQLModel):
    id: int
    display_name: str | None
    locale: str | None
    joined_at: datetime


class MeTeam(SQLModel):
    id: int
    name: str
    reminder_time: str
    working_days: list[int]


class MeOrg(SQLModel):
    id: int
    name: str
    timezone: str
    locale: str
    checkin_window_days: int
    anonymity_threshold: int


class MePublic(SQLModel):
    member: MeMember
    team: MeTeam
    org: MeOrg


class MeUpdate(SQLModel):
    """PATCH /me: a blank or null display name removes it; a null locale follows the org's."""

    model_config = {"extra": "forbid"}  # a typo is 422, not silently dropped

    display_name: DisplayName = None
    locale: Locale | None = None


class ExportSolutionMark(SQLModel):
    solution_id: int
    solution_title: str
    perspective: str
    used: str


class ExportCheckIn(SQLModel):
    work_date: date
    calm: int | None
    flow: int | None
    workload: int | None
    comment: str | None
    share_comment: bool
    created_at: datetime
    updated_at: datetime
    solutions: list[ExportSolutionMark]


class ExportDevice(SQLModel):
    """A device token as stored: only when it was issued (the token itself is kept as a hash)."""

    created_at: datetime


class MeExport(SQLModel):
    exported_at: datetime
    member: MeMember
    # What a coordinator noted about the member (to tell two of a name apart): data about them.
    coordinator_note: str
    team_name: str
    org_name: str
    devices: list[ExportDevice]
    reminder: ReminderExport
    checkins: list[ExportCheckIn]
