"""Reminder settings, push subscriptions, the claims that make each reminder go out once, the
VAPID key pair, and the secret of each member's calendar feed."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, SmallInteger
from sqlmodel import Field, SQLModel

from backend.clock import now
from backend.db import utc_field


class ReminderSettings(SQLModel, table=True):
    """A member's own choices; a member without a row has the defaults (the team's time and
    working days). A null `time` or `weekdays` follows the team, also when the team changes."""

    __tablename__ = "reminder_settings"

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    enabled: bool = True
    time: str | None = Field(default=None, max_length=5)  # "HH:MM", the organisation's time
    weekdays: str | None = Field(default=None, max_length=13)  # "1,2,3,4,5", ISO, Monday = 1
    skip_public_holidays: bool = True
    # The last day of a pause (vacation), inclusive.
    paused_until: date | None = None
    follow_up: bool = False
    updated_at: datetime = utc_field(default_factory=now)


class PushSubscription(SQLModel, table=True):
    """One device's Web Push subscription, as the browser's PushSubscription.toJSON() gives it."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    # The push service's URL for this device; unique, since a device belongs to whoever
    # subscribed on it last.
    endpoint: str = Field(max_length=1024, unique=True)
    p256dh: str = Field(max_length=100)  # the device's P-256 public key, base64url
    auth: str = Field(max_length=50)  # its 16-byte authentication secret, base64url
    expires_at: datetime | None = utc_field(default=None)
    created_at: datetime = utc_field(default_factory=now)
    updated_at: datetime = utc_field(default_factory=now)


class ReminderClaim(SQLModel, table=True):
    """One reminder of one kind for one member and work date: inserted before anything is sent,
    and the primary key lets only one dispatcher insert it (INSERT … ON CONFLICT DO NOTHING), so
    passes that overlap — in one process or in several — never send a reminder twice."""

    __tablename__ = "reminder_claim"
    __table_args__ = (
        CheckConstraint("kind IN (1, 2)", name="kind_known"),
        Index("ix_reminder_claim_work_date", "work_date"),
    )

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    work_date: date = Field(primary_key=True)
    kind: int = Field(primary_key=True, sa_type=SmallInteger)  # 1 morning, 2 afternoon follow-up
    claimed_at: datetime = utc_field(default_factory=now)
    finished_at: datetime | None = utc_field(default=None)
    delivered: int = 0  # devices whose push service took it
    failed: int = 0  # devices it did not reach (refused, unreachable, given up after retries)


class VapidKey(SQLModel, table=True):
    """The application server's key pair for Web Push (RFC 8292). One row, so that every replica
    signs with the same key; created by whichever process needs it first."""

    __tablename__ = "vapid_key"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    private_key: str = Field(max_length=64)  # the 32-byte P-256 private scalar, base64url
    public_key: str = Field(max_length=100)  # the uncompressed point, base64url
    created_at: datetime = utc_field(default_factory=now)


class CalendarFeed(SQLModel, table=True):
    """A member's private calendar feed. The secret in its URL is derived from the server's
    secret key and `nonce` (so the URL can be shown again) and stored only as a hash (so the
    database alone opens no feed); revoking deletes the row, and the next URL has a new nonce."""

    __tablename__ = "calendar_feed"

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    nonce: str = Field(max_length=32)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_factory=now)
