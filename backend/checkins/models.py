"""Daily check-ins (one per member and work date) and the solution-use marks inside them."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.clock import now
from backend.db import utc_field


class CheckIn(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("member_id", "work_date", name="uq_checkin_member_id_work_date"),
        Index("ix_checkin_team_id_work_date", "team_id", "work_date"),
        CheckConstraint("calm BETWEEN 1 AND 5", name="calm_range"),
        CheckConstraint("flow BETWEEN 1 AND 5", name="flow_range"),
        CheckConstraint("workload BETWEEN 1 AND 5", name="workload_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    # The team the check-in counted for, kept so team aggregates need no join through members.
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    work_date: date
    calm: int | None = None
    flow: int | None = None
    workload: int | None = None
    comment: str | None = Field(default=None, max_length=500)
    share_comment: bool = False
    # Bumped on every replace; 1 means the row was just created (how PUT tells 201 from 200).
    revision: int = 1
    created_at: datetime = utc_field(default_factory=now)
    updated_at: datetime = utc_field(default_factory=now)


class CheckInSolution(SQLModel, table=True):
    __tablename__ = "checkin_solution"

    checkin_id: int = Field(foreign_key="checkin.id", primary_key=True, ondelete="CASCADE")
    solution_id: int = Field(foreign_key="solution.id", primary_key=True, ondelete="CASCADE")
    used: str = Field(max_length=12)  # yes | partly | no | not_relevant


# The tables' columns in their defined order: what code writing rows past the ORM (the hot path in
# sql.py, the demo's bulk insert) names, so a column added to a model is not forgotten there.
CHECKIN_COLUMNS: tuple[str, ...] = tuple(CheckIn.__table__.columns.keys())  # type: ignore[attr-defined]
MARK_COLUMNS: tuple[str, ...] = tuple(CheckInSolution.__table__.columns.keys())  # type: ignore[attr-defined]
