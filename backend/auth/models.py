"""Coordinators, their organisations and their login tokens."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.clock import now
from backend.db import utc_field


class Coordinator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = utc_field(default_factory=now)


class CoordinatorOrg(SQLModel, table=True):
    __tablename__ = "coordinator_org"

    coordinator_id: int = Field(foreign_key="coordinator.id", primary_key=True, ondelete="CASCADE")
    org_id: int = Field(foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")


class CoordinatorToken(SQLModel, table=True):
    __tablename__ = "coordinator_token"

    id: int | None = Field(default=None, primary_key=True)
    coordinator_id: int = Field(foreign_key="coordinator.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_factory=now)
    expires_at: datetime = utc_field()
