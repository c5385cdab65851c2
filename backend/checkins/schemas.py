"""Check-in input and output shapes (strict: a rating is a JSON integer 1–5 or null)."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from backend.text import empty_is_none, length, limits, multi_line

Rating = Annotated[int, Field(ge=1, le=5)]
Used = Literal["yes", "partly", "no", "not_relevant"]


# Trimmed first, so 500 spaces around a short comment are not "too long" and "   " means no comment.
Comment = Annotated[
    Annotated[
        str,
        AfterValidator(multi_line),
        AfterValidator(length(0, 500)),
        limits(0, 500, lines="many"),
    ]
    | None,
    AfterValidator(empty_is_none),
]


class SolutionMark(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    solution_id: int
    used: Used


class CheckInIn(BaseModel):
    """Body of PUT /me/checkins/{work_date}; every rating may be skipped (null)."""

    # strict: "3", 3.5 and true are not ratings; a typo'd field name is an error, not ignored.
    model_config = ConfigDict(extra="forbid", strict=True)

    calm: Rating | None = None
    flow: Rating | None = None
    workload: Rating | None = None
    comment: Comment = None
    share_comment: bool = False
    solutions: list[SolutionMark] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _one_mark_per_solution(self) -> "CheckInIn":
        ids = [mark.solution_id for mark in self.solutions]
        if len(ids) != len(set(ids)):
            raise ValueError("each solution may be marked only once")
        return self


class CheckInPublic(BaseModel):
    work_date: date
    # The stored answer's revision, as an HTTP entity tag: a replacement sends it back in
    # `If-Match`, so an edit made on an older copy cannot silently overwrite a newer answer.
    etag: str
    calm: int | None
    flow: int | None
    workload: int | None
    comment: str | None
    share_comment: bool
    solutions: list[SolutionMark]
    created_at: datetime
    updated_at: datetime


class Window(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class WindowDate(BaseModel):
    work_date: date
    rated: bool
    # Name of the Danish public holiday or customary day off, so the app can say why it is quiet.
    holiday: str | None
    working_day: bool


class DayOff(BaseModel):
    work_date: date
    holiday: str


class TodaySolution(BaseModel):
    id: int
    title: str
    perspective: str
    details: str
    situation_title: str | None


class Today(BaseModel):
    work_date: date
    today: date
    window: Window
    dates: list[WindowDate]
    solutions: list[TodaySolution]
    checkin: CheckInPublic | None
    # My check-ins for every date of the window, newest first: the page's offline copy opens any
    # of those dates with the answer it is about to replace.
    checkins: list[CheckInPublic]
    # The organisation's window (working days back) and the team's working days (ISO weekdays),
    # so the offline copy can move its window on by the same rule (frontend/js/workdates.js).
    window_days: int
    working_days: list[int]
    # Holidays and customary days off in the weeks after today: the app's offline copy, opened on
    # a later day, needs them to suggest the right date without asking the server.
    coming_holidays: list[DayOff]


class StaleCheckInBody(BaseModel):
    """412 to a replacement based on an answer that is no longer the stored one: the stored one
    (null if there is none any more), so the page can show both and let the member choose."""

    error: str
    detail: str
    current: CheckInPublic | None
