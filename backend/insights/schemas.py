"""What the insights endpoints return. Every figure is a sum of shown team × week cells.

RatingMeans are rounded to two decimals; a mean is null where no shown cell (or no rating) backs it.
`respondents` summed over several weeks counts member-weeks (a member who answered in three of
the weeks counts three times): it is a sum of the cells' counts, never a count of people."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.teams.schemas import TeamRef


class _Dated(BaseModel):
    # "from" is a Python keyword: the field is from_ and goes out as "from".
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: date = Field(alias="from", description="Monday of the first week covered")
    to: date = Field(
        description="Sunday of the last week covered: never after `closed_through`; before "
        "`from` when the range holds no closed week yet"
    )
    closed_through: date = Field(description="Sunday of the newest closed week")


class RatingMeans(BaseModel):
    calm: float | None
    flow: float | None
    workload: float | None


class SolutionUseWeek(BaseModel):
    solution_id: int
    yes: int
    partly: int
    no: int
    not_relevant: int


class WeekCell(RatingMeans):
    """One team × one closed ISO week. Suppressed (fewer than k respondents): no means, no
    solution use; the respondent count is still given (it reveals no rating)."""

    week_start: date
    respondents: int
    members: int = Field(description="members who belonged to the team that week")
    suppressed: bool
    solution_use: list[SolutionUseWeek]


class EffectSide(RatingMeans):
    """Several shown weeks added up (one side of a before/after comparison)."""

    weeks: int = Field(description="shown weeks added up")
    respondents: int = Field(description="member-weeks: the weeks' respondent counts added up")
    first_week: date | None = None
    last_week: date | None = None


class OthersEffectSide(EffectSide):
    cells: int = Field(description="team × week cells of the other teams added up")


class EffectOthers(BaseModel):
    """The rest of the organisation's shown cells in the same weeks as the team's own sides."""

    before: OthersEffectSide
    after: OthersEffectSide
    change: RatingMeans = Field(description="after − before")


class SolutionUse(BaseModel):
    """Marks for the solution in the shown weeks since it entered trial (that week included)."""

    weeks: int
    marks: int = Field(description="yes + partly + no (not_relevant is not a use or a non-use)")
    yes: int
    partly: int
    no: int
    not_relevant: int
    shares: dict[Literal["yes", "partly", "no"], float] | None = Field(
        description="yes, partly and no as fractions of `marks`; null without marks"
    )


class SolutionEffect(BaseModel):
    id: int
    team_id: int
    title: str
    perspective: str
    status: str
    situation_id: int | None
    situation_title: str | None
    review_date: date | None
    trial_since: date = Field(description="the day it last entered trial (local date)")
    trial_week: date = Field(description="Monday of that week, left out of both sides")
    ended: date | None = Field(description="the day it left trial/adopted, if it did")
    before: EffectSide
    after: EffectSide
    change: RatingMeans = Field(description="after − before")
    others: EffectOthers
    difference: RatingMeans = Field(
        description="change − others.change: how much more the team's figure moved than the rest "
        "of the organisation's (a difference in differences)"
    )
    use: SolutionUse
    thin: bool = Field(description="fewer than 2 shown weeks on a side: say so, no bold numbers")


class SharedComment(BaseModel):
    """A comment a member chose to share, inside a shown week: no author, no day."""

    week_start: date
    text: str


class TeamSummary(_Dated):
    team: TeamRef
    threshold: int = Field(description="k: a week is shown with at least this many respondents")
    members: int = Field(description="the team's members now")
    weeks: list[WeekCell]
    solutions: list[SolutionEffect]
    comments: list[SharedComment] = Field(
        description="shared comments of the shown weeks, in random order; only for the team's "
        "own members (they were shared with the team)"
    )
    comments_visible: bool = Field(description="false for coordinators")


class TrendPeriod(RatingMeans):
    period_start: date
    team_id: int | None = Field(description="null: the organisation row")
    respondents: int = Field(description="on the organisation row: of the shown teams only")
    members: int
    suppressed: bool
    teams: int | None = Field(
        default=None, description="organisation row only: teams whose cell is shown"
    )
    teams_left_out: int | None = Field(
        default=None, description="organisation row only: teams whose cell is suppressed"
    )


class TrendTotal(RatingMeans):
    """One team (or the organisation, team_id null) over the whole range: its shown cells."""

    team_id: int | None
    weeks: int
    respondents: int


class OrgTrends(_Dated):
    threshold: int
    teams: list[TeamRef] = Field(description="the teams whose rows are included")
    periods: list[TrendPeriod] = Field(
        description="the organisation's row of each week, oldest first; then each team's weeks, "
        "teams by name"
    )
    totals: list[TrendTotal] = Field(description="the organisation, then each team, over the range")
    teams_left_out: int = Field(
        description="teams left out of the organisation row in at least one week"
    )


class OrgSolutionEffects(BaseModel):
    threshold: int
    closed_through: date
    teams: list[TeamRef]
    solutions: list[SolutionEffect]
