"""Reminder settings, push subscriptions (the browser's PushSubscription.toJSON()), the VAPID
public key, test results and the calendar URL."""

import binascii
from datetime import date, datetime
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from backend.dates import IsoDate
from backend.reminders import endpoints
from backend.reminders.vapid import b64url_decode
from backend.teams.schemas import ReminderTime, WorkingDays


class TeamDefaults(BaseModel):
    time: str
    weekdays: list[int]


class ReminderSettingsIn(BaseModel):
    """PUT /me/reminder replaces the settings; a field left out takes its default. `time` or
    `weekdays` null (the default) follows the team's reminder time or working days."""

    model_config = ConfigDict(extra="forbid")

    enabled: StrictBool = True
    time: ReminderTime | None = None
    weekdays: WorkingDays | None = None
    skip_public_holidays: StrictBool = True
    paused_until: IsoDate | None = Field(
        default=None, description="last day without reminders (vacation), inclusive"
    )
    follow_up: StrictBool = False


class ReminderSettingsBase(BaseModel):
    """A member's reminder settings as they apply: the team's time and working days where the
    member has not chosen their own."""

    enabled: bool
    time: str
    weekdays: list[int]
    skip_public_holidays: bool
    paused_until: date | None
    follow_up: bool


class ReminderSettingsPublic(ReminderSettingsBase):
    """GET/PUT /me/reminder: the settings, whether time and weekdays are the team's, the team's
    defaults, the follow-up's time and the zone all times are in."""

    follows_team_time: bool
    follows_team_weekdays: bool
    team: TeamDefaults
    follow_up_time: str
    timezone: str


class ExportPushDevice(BaseModel):
    """A device that gets reminders: which push service it uses and since when."""

    push_service: str
    created_at: datetime


class ReminderExport(ReminderSettingsBase):
    """Reminders in a member's data export."""

    push_devices: list[ExportPushDevice]
    calendar_feed: bool = Field(description="whether a private calendar URL exists (not the URL)")


def _decoded(value: str, what: str) -> bytes:
    try:
        return b64url_decode(value)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} must be base64url") from None


def _p256dh(value: str) -> str:
    raw = _decoded(value, "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise ValueError("p256dh must be an uncompressed P-256 public key") from None
    if len(raw) != 65:
        raise ValueError("p256dh must be an uncompressed P-256 public key")
    return value


def _auth(value: str) -> str:
    if len(_decoded(value, "auth")) != 16:
        raise ValueError("auth must be 16 bytes")
    return value


def _endpoint(value: str) -> str:
    try:
        endpoints.check_url(value)
    except endpoints.EndpointRefused as exc:
        raise ValueError(str(exc)) from None
    return value


B64 = StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]+={0,2}$")


class PushKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    p256dh: Annotated[str, B64, StringConstraints(max_length=100), AfterValidator(_p256dh)]
    auth: Annotated[str, B64, StringConstraints(max_length=50), AfterValidator(_auth)]


Endpoint = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=endpoints.MAX_ENDPOINT_LENGTH
    ),
    AfterValidator(_endpoint),
]


class PushSubscriptionIn(BaseModel):
    """What `JSON.stringify(subscription)` gives in the browser."""

    model_config = ConfigDict(extra="forbid")

    endpoint: Endpoint
    expirationTime: int | None = Field(default=None, ge=0, description="ms since the epoch")
    keys: PushKeys


class PushSubscriptionRef(BaseModel):
    """DELETE /me/push-subscriptions: which device stops getting pushes."""

    model_config = ConfigDict(extra="forbid")

    endpoint: Annotated[
        str, StringConstraints(min_length=1, max_length=endpoints.MAX_ENDPOINT_LENGTH)
    ]


class PushSubscriptionPublic(BaseModel):
    endpoint: str
    expirationTime: int | None


class PublicKey(BaseModel):
    public_key: str = Field(description="the VAPID application server key, base64url")


class TestResult(BaseModel):
    """What a test notification did: per device delivered, removed (the push service says the
    subscription is gone) or failed, with the reasons."""

    devices: int
    delivered: int
    removed: int
    failed: int
    problems: list[str]


class CalendarUrl(BaseModel):
    url: str = Field(description="the private feed (https); keep it to yourself")
    webcal_url: str = Field(description="the same feed for calendar apps (webcal:)")
