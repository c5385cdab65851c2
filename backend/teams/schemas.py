"""Team, invite, member and join payloads."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator
from sqlmodel import SQLModel

from backend.config import settings
from backend.openapi import not_nullable
from backend.text import empty_is_none, length, limits, one_line

TeamName = Annotated[str, AfterValidator(one_line), AfterValidator(length(1, 120)), limits(1, 120)]
_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _hh_mm(value: str) -> str:
    if not _HH_MM.fullmatch(value):
        raise ValueError("must be a time as HH:MM on the 24-hour clock, e.g. 07:45")
    return value


# Local time of the organisation.
ReminderTime = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_hh_mm),
    Field(json_schema_extra={"pattern": r"^\s*([01]\d|2[0-3]):[0-5]\d\s*$"}),
]


def _sorted_days(days: list[int]) -> list[int]:
    return sorted(set(days))


# ISO weekdays, Monday = 1 … Sunday = 7; stored as "1,2,3,4,5", exposed as a list.
WorkingDays = Annotated[
    list[Annotated[int, Field(ge=1, le=7)]],
    Field(min_length=1, max_length=7),
    AfterValidator(_sorted_days),
]


# Optional display name, one line: an empty name means "no name".
DisplayName = Annotated[
    Annotated[str, AfterValidator(one_line), AfterValidator(length(0, 60)), limits(0, 60)] | None,
    AfterValidator(empty_is_none),
]


def working_days_to_db(days: list[int]) -> str:
    return ",".join(str(day) for day in days)


def working_days_from_db(value: str) -> list[int]:
    return [int(day) for day in value.split(",") if day]


class TeamBase(SQLModel):
    name: TeamName
    reminder_time: ReminderTime = "07:45"
    working_days: WorkingDays = Field(default_factory=lambda: [1, 2, 3, 4, 5])


class TeamCreate(TeamBase):
    model_config = {"extra": "forbid"}  # a typo is 422, not silently dropped


class TeamUpdate(SQLModel):
    """PATCH body: only the fields sent are changed; none of them may be null."""

    model_config = {"extra": "forbid", "json_schema_extra": not_nullable()}

    name: TeamName | None = None
    reminder_time: ReminderTime | None = None
    working_days: WorkingDays | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


class TeamPublic(TeamBase):
    id: int
    org_id: int
    member_count: int
    created_at: datetime


class TeamRef(SQLModel):
    id: int
    name: str


class InviteCreate(SQLModel):
    model_config = {"extra": "forbid"}

    expires_in_days: int = Field(default_factory=lambda: settings.invite_days, ge=1, le=90)


class InvitePublic(SQLModel):
    code: str
    join_url: str
    expires_at: datetime


class InvitePreview(SQLModel):
    """What the join screen shows before joining: whose team this is."""

    team_name: str
    org_name: str
    expires_at: datetime
    # How many must have answered in a week before anyone sees its totals (the join screen says so).
    anonymity_threshold: int


class MemberPublic(SQLModel):
    """A member as a coordinator sees them: never ratings, never whether they checked in."""

    id: int
    display_name: str | None
    joined_at: datetime


# The coordinator's note on a member: one line, may be empty.
MemberNote = Annotated[
    str, AfterValidator(one_line), AfterValidator(length(0, 200)), limits(0, 200)
]


class TeamMemberPublic(MemberPublic):
    """A member in the coordinator's list: with the coordinator's own note."""

    note: str


class MemberUpdate(SQLModel):
    model_config = {"extra": "forbid", "json_schema_extra": not_nullable()}

    note: MemberNote


class JoinCreate(SQLModel):
    model_config = {"extra": "forbid"}

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    display_name: DisplayName = None


class JoinPublic(SQLModel):
    token: str
    member: MemberPublic
    team: TeamRef
