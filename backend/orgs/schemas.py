"""Organisation payloads: what a coordinator reads and may change."""

from datetime import datetime
from functools import cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, StringConstraints, field_validator
from sqlmodel import SQLModel

from backend.openapi import not_nullable
from backend.text import length, limits, one_line

OrgName = Annotated[str, AfterValidator(one_line), AfterValidator(length(1, 120)), limits(1, 120)]
Locale = Literal["da", "en"]


@cache
def _iana_zones() -> frozenset[str]:
    # The zone database's names; the system copy also lists files that are not zones.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "Factory"}


def _iana_zone(value: str) -> str:
    # Checked against the list of zone names, not by trying ZoneInfo(value), which also opens
    # arbitrary relative paths under the zoneinfo directory.
    if value not in _iana_zones():
        raise ValueError("must be an IANA time zone name, e.g. Europe/Copenhagen")
    return value


TimeZoneName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_iana_zone)
]
# The threshold may be raised, never lowered below 3 (PRODUCT.md §2); the upper bound only keeps
# typos like 500 from hiding every figure.
AnonymityThreshold = Annotated[int, Field(ge=3, le=100)]
CheckinWindowDays = Annotated[int, Field(ge=0, le=14)]
# How long raw check-ins are kept; their weeks' roll-ups stay (the range is the database's check).
RetentionMonths = Annotated[int, Field(ge=1, le=120)]


class OrganisationBase(SQLModel):
    name: OrgName
    timezone: TimeZoneName = "Europe/Copenhagen"
    locale: Locale = "da"
    anonymity_threshold: AnonymityThreshold = 5
    checkin_window_days: CheckinWindowDays = 3
    retention_months: RetentionMonths = 24


class OrganisationUpdate(SQLModel):
    """PATCH body: only the fields sent are changed; none of them may be null."""

    # Unknown fields are 422, so a typo ("timezon") is not silently ignored. None of the fields
    # is nullable, and the document says so.
    model_config = {"extra": "forbid", "json_schema_extra": not_nullable()}

    name: OrgName | None = None
    timezone: TimeZoneName | None = None
    locale: Locale | None = None
    anonymity_threshold: AnonymityThreshold | None = None
    checkin_window_days: CheckinWindowDays | None = None
    retention_months: RetentionMonths | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


class OrganisationPublic(OrganisationBase):
    id: int
    created_at: datetime
