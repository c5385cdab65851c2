"""Organisation: the unit that owns teams, settings and the anonymity threshold."""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from backend.clock import now
from backend.db import utc_field


class Organisation(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("anonymity_threshold >= 3", name="anonymity_threshold_min"),
        CheckConstraint("checkin_window_days BETWEEN 0 AND 14", name="checkin_window_days_range"),
        CheckConstraint("retention_months BETWEEN 1 AND 120", name="retention_months_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    timezone: str = Field(default="Europe/Copenhagen", max_length=64)
    locale: str = Field(default="da", max_length=8)
    anonymity_threshold: int = Field(default=5)
    checkin_window_days: int = Field(default=3)
    # Raw check-ins older than this are deleted (after their weeks are rolled up).
    retention_months: int = Field(default=24)
    created_at: datetime = utc_field(default_factory=now)
