"""PUX situations, their P/U/X solutions, every status change, and follow-up evaluations."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from backend.clock import now
from backend.db import utc_field


class Situation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=120)
    when: str = Field(default="", max_length=60)
    description: str = Field(default="", max_length=2000)
    status: str = Field(default="open", max_length=10)  # open | handled | parked
    created_at: datetime = utc_field(default_factory=now)
    updated_at: datetime = utc_field(default_factory=now)


class Solution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    situation_id: int | None = Field(
        default=None, foreign_key="situation.id", index=True, ondelete="SET NULL"
    )
    perspective: str = Field(max_length=1)  # P | U | X
    title: str = Field(max_length=120)
    details: str = Field(default="", max_length=2000)
    status: str = Field(default="proposed", max_length=10)  # proposed | trial | adopted | dropped
    review_date: date | None = None
    created_at: datetime = utc_field(default_factory=now)
    updated_at: datetime = utc_field(default_factory=now)


class SolutionStatusChange(SQLModel, table=True):
    __tablename__ = "solution_status_change"

    # The history the insights compute before/after from: one row per status the solution entered.
    id: int | None = Field(default=None, primary_key=True)
    solution_id: int = Field(foreign_key="solution.id", index=True, ondelete="CASCADE")
    from_status: str | None = Field(default=None, max_length=10)
    to_status: str = Field(max_length=10)
    changed_at: datetime = utc_field(default_factory=now)


class Evaluation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    solution_id: int = Field(foreign_key="solution.id", index=True, ondelete="CASCADE")
    # Client-chosen id so a follow-up recorded offline and retried is stored once.
    client_id: str | None = Field(default=None, max_length=64, unique=True)
    more_calm: str | None = Field(default=None, max_length=4)  # less | same | more
    better_flow: str | None = Field(default=None, max_length=4)
    could_relax: str | None = Field(default=None, max_length=4)
    not_all_at_once: str | None = Field(default=None, max_length=4)
    negative_consequences: str = Field(default="", max_length=2000)
    decision: str = Field(max_length=6)  # keep | adjust | drop
    meeting_date: date
    created_at: datetime = utc_field(default_factory=now)
