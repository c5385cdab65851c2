"""Roll-ups: the anonymous, final figures of one team × one closed ISO week.

These rows are all that the insights read (besides shared comments): sums and counts, never a
member. A row is written once, when its week is frozen, and never changed; it outlives the raw
check-ins it was made from (erasure, retention)."""

from datetime import date

from sqlmodel import Field, SQLModel

# On SQLite the rows are stored in primary-key order (WITHOUT ROWID): a team's weeks lie side by
# side, so reading an organisation's year is one seek per team instead of one per row.
_CLUSTERED = {"sqlite_with_rowid": False}


class WeekRollup(SQLModel, table=True):
    __tablename__ = "week_rollup"
    __table_args__ = _CLUSTERED

    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    week_start: date = Field(primary_key=True)  # the Monday
    # The organisation's threshold k when the week closed: a later, lower k does not unveil it.
    threshold: int
    # Members of the team who had joined by the week's end, counted when it was rolled up.
    members: int
    respondents: int  # distinct members with at least one check-in that week
    checkins: int
    calm_sum: int
    calm_count: int
    flow_sum: int
    flow_count: int
    workload_sum: int
    workload_count: int


class WeekSolutionUse(SQLModel, table=True):
    __tablename__ = "week_solution_use"
    __table_args__ = _CLUSTERED

    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    week_start: date = Field(primary_key=True)
    solution_id: int = Field(foreign_key="solution.id", primary_key=True, ondelete="CASCADE")
    yes: int = 0
    partly: int = 0
    no: int = 0
    not_relevant: int = 0
