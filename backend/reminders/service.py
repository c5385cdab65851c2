"""A member's reminder settings, push subscriptions, test notification and calendar feed."""

import hashlib
import hmac
import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from backend import clock, security
from backend.checkins import service as checkin_service
from backend.config import settings
from backend.errors import NotFound, Unprocessable
from backend.reminders import calendar, endpoints, messages, vapid
from backend.reminders.models import CalendarFeed, PushSubscription, ReminderSettings
from backend.reminders.push import Outcome, Push, Sender, encode_payload, run
from backend.reminders.schemas import (
    CalendarUrl,
    ExportPushDevice,
    PushSubscriptionIn,
    ReminderExport,
    ReminderSettingsBase,
    ReminderSettingsIn,
    ReminderSettingsPublic,
    TeamDefaults,
    TestResult,
)
from backend.solutions import service as solution_service
from backend.teams import service as team_service
from backend.teams.models import Member, Team
from backend.teams.schemas import working_days_from_db, working_days_to_db

# A member has a few devices; more subscriptions than this are old ones a browser never removed.
MAX_DEVICES = 10
MAX_PAUSE_DAYS = 366
# A test notification waits this long per device, so the member hears back while still looking.
TEST_TIMEOUT_SECONDS = 8.0


class EndpointNotAllowed(Unprocessable):
    """A push endpoint the server does not send to (see backend/reminders/endpoints.py)."""


class PauseOutOfRange(Unprocessable):
    pass


def effective(stored: ReminderSettings | None, team: Team) -> ReminderSettingsBase:
    """A member's reminder settings with the team's time and working days where they have none."""
    stored = stored or ReminderSettings(member_id=0)
    return ReminderSettingsBase(
        enabled=stored.enabled,
        time=stored.time or team.reminder_time,
        weekdays=working_days_from_db(stored.weekdays or team.working_days),
        skip_public_holidays=stored.skip_public_holidays,
        paused_until=stored.paused_until,
        follow_up=stored.follow_up,
    )


def get_settings(*, session: Session, member: Member) -> ReminderSettingsPublic:
    team, org = team_service.team_and_org(session=session, member=member)
    stored = session.get(ReminderSettings, member.id)
    current = effective(stored, team)
    if current.paused_until is not None and current.paused_until < clock.local_today(org.timezone):
        current.paused_until = None  # a pause that has ended is no pause
    return ReminderSettingsPublic(
        **current.model_dump(),
        follows_team_time=stored is None or stored.time is None,
        follows_team_weekdays=stored is None or stored.weekdays is None,
        team=TeamDefaults(
            time=team.reminder_time, weekdays=working_days_from_db(team.working_days)
        ),
        follow_up_time=settings.follow_up_time,
        timezone=org.timezone,
    )


def put_settings(
    *, session: Session, member: Member, data: ReminderSettingsIn
) -> ReminderSettingsPublic:
    _, org = team_service.team_and_org(session=session, member=member)
    if data.paused_until is not None:
        today = clock.local_today(org.timezone)
        if data.paused_until < today:
            raise PauseOutOfRange(f"paused_until: {data.paused_until} is in the past")
        if data.paused_until > today + timedelta(days=MAX_PAUSE_DAYS):
            raise PauseOutOfRange(f"paused_until: a pause can last at most {MAX_PAUSE_DAYS} days")
    assert member.id is not None
    stored = session.get(ReminderSettings, member.id) or ReminderSettings(member_id=member.id)
    stored.enabled = data.enabled
    stored.time = data.time
    stored.weekdays = working_days_to_db(data.weekdays) if data.weekdays is not None else None
    stored.skip_public_holidays = data.skip_public_holidays
    stored.paused_until = data.paused_until
    stored.follow_up = data.follow_up
    stored.updated_at = clock.now()
    session.add(stored)
    session.flush()
    return get_settings(session=session, member=member)


def export_reminder(*, session: Session, member: Member) -> ReminderExport:
    """What the member's data export says about reminders (no secrets, no device keys)."""
    team, _ = team_service.team_and_org(session=session, member=member)
    devices = session.exec(
        select(PushSubscription)
        .where(PushSubscription.member_id == member.id)
        .order_by(col(PushSubscription.created_at))
    ).all()
    return ReminderExport(
        **effective(session.get(ReminderSettings, member.id), team).model_dump(),
        push_devices=[
            ExportPushDevice(push_service=vapid.audience(d.endpoint), created_at=d.created_at)
            for d in devices
        ],
        calendar_feed=session.get(CalendarFeed, member.id) is not None,
    )


# --- push subscriptions ------------------------------------------------------------------------


def store_subscription(
    *, session: Session, member: Member, data: PushSubscriptionIn
) -> tuple[PushSubscription, bool]:
    """Stores this device's subscription (created: True) or refreshes it. An endpoint is one
    device: if another member subscribed on it before, it is now this member's."""
    try:
        endpoints.check_endpoint(data.endpoint)
    except endpoints.EndpointRefused as exc:
        raise EndpointNotAllowed(f"endpoint: {exc}") from None
    assert member.id is not None
    expires_at = (
        datetime.fromtimestamp(data.expirationTime / 1000, UTC)
        if data.expirationTime is not None
        else None
    )
    now = clock.now()
    subscription = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == data.endpoint)
    ).first()
    created = subscription is None
    if subscription is None:
        subscription = PushSubscription(
            member_id=member.id,
            endpoint=data.endpoint,
            p256dh=data.keys.p256dh,
            auth=data.keys.auth,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )
    else:
        subscription.member_id = member.id
        subscription.p256dh = data.keys.p256dh
        subscription.auth = data.keys.auth
        subscription.expires_at = expires_at
        subscription.updated_at = now
    session.add(subscription)
    session.flush()
    _forget_oldest_devices(session=session, member_id=member.id)
    return subscription, created


def _forget_oldest_devices(*, session: Session, member_id: int) -> None:
    devices = session.exec(
        select(PushSubscription)
        .where(PushSubscription.member_id == member_id)
        .order_by(col(PushSubscription.updated_at).desc(), col(PushSubscription.id).desc())
    ).all()
    for old in devices[MAX_DEVICES:]:
        session.delete(old)
    session.flush()


def remove_subscription(*, session: Session, member: Member, endpoint: str) -> None:
    """Removes the member's subscription for `endpoint`; removing it again is harmless."""
    subscription = session.exec(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.member_id == member.id
        )
    ).first()
    if subscription is not None:
        session.delete(subscription)
        session.flush()


def _active_titles(*, session: Session, team_id: int, on_date: date) -> list[str]:
    return [
        s.title
        for s in solution_service.active_solutions(
            session=session, team_id=team_id, on_date=on_date
        )
    ]


def send_test(*, session: Session, member: Member) -> TestResult:
    """Sends the member's devices a notification shaped like the morning reminder, now, and says
    what each push service answered; subscriptions that are gone are removed."""
    devices = session.exec(
        select(PushSubscription).where(PushSubscription.member_id == member.id)
    ).all()
    if not devices:
        return TestResult(devices=0, delivered=0, removed=0, failed=0, problems=[])
    today_screen = checkin_service.today(session=session, member=member)
    _, org = team_service.team_and_org(session=session, member=member)
    message = messages.reminder_message(
        kind="test",
        lang=member.locale or org.locale,
        today=today_screen.today,
        work_date=today_screen.work_date,
        solutions=[s.title for s in today_screen.solutions],
    )
    payload = encode_payload(message)
    pushes = [
        Push(d.id or 0, d.endpoint, d.p256dh, d.auth, payload, messages.TEST_TAG) for d in devices
    ]
    keys = vapid.load_keys()

    async def deliver() -> list[Outcome]:
        # One attempt each: the member is waiting for the answer.
        async with Sender(keys, timeout=TEST_TIMEOUT_SECONDS, max_attempts=1) as sender:
            return await sender.send_all(pushes)

    # Runs on a loop of its own in this worker thread (the route is sync): the app's event loop
    # never waits for a push service.
    outcomes = run(deliver())
    removed = [o.subscription_id for o in outcomes if o.result == "gone"]
    for device in devices:
        if device.id in removed:
            session.delete(device)
    session.flush()
    problems = [
        f"{vapid.audience(device.endpoint)}: {outcome.detail or outcome.result}"
        for device, outcome in zip(devices, outcomes, strict=True)
        if outcome.result not in ("delivered", "gone")
    ]
    return TestResult(
        devices=len(devices),
        delivered=sum(o.result == "delivered" for o in outcomes),
        removed=len(removed),
        failed=sum(o.result in ("failed", "refused") for o in outcomes),
        problems=problems,
    )


# --- calendar feed -----------------------------------------------------------------------------


def _feed_secret(member_id: int, nonce: str) -> str:
    digest = hmac.new(
        settings.secret_key.encode(), f"calendar-feed:{member_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return vapid.b64url(digest)


def calendar_url(*, session: Session, member: Member) -> CalendarUrl:
    """The member's feed URL, made on first ask and the same on every ask until revoked."""
    assert member.id is not None
    feed = session.get(CalendarFeed, member.id)
    if feed is None:
        feed = CalendarFeed(member_id=member.id, nonce=secrets.token_hex(16), secret_hash="")
    secret = _feed_secret(member.id, feed.nonce)
    # The stored hash follows the secret key: after PUX_SECRET_KEY changed, asking for the URL
    # issues the new one (and the old URL stops working).
    if feed.secret_hash != security.hash_token(secret):
        feed.secret_hash = security.hash_token(secret)
        session.add(feed)
        session.flush()
    url = f"{settings.public_base_url}/api/v1/calendar/{secret}.ics"
    return CalendarUrl(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


def revoke_calendar_url(*, session: Session, member: Member) -> None:
    feed = session.get(CalendarFeed, member.id)
    if feed is not None:
        session.delete(feed)
        session.flush()


def calendar_feed(*, session: Session, secret: str) -> bytes:
    """The feed for a secret; 404 for a wrong or revoked one (the same answer for both)."""
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.secret_hash == security.hash_token(secret))
    ).first()
    member = session.get(Member, feed.member_id) if feed is not None else None
    if feed is None or member is None:
        raise NotFound("No such calendar")
    team, org = team_service.team_and_org(session=session, member=member)
    current = effective(session.get(ReminderSettings, member.id), team)
    stored = session.get(ReminderSettings, member.id)
    today = clock.local_today(org.timezone)
    return calendar.build_feed(
        uid_seed=f"pux-reminder:{feed.nonce}",
        app_url=f"{settings.public_base_url}/",
        lang=member.locale or org.locale,
        timezone=org.timezone,
        enabled=current.enabled,
        reminder_time=current.time,
        weekdays=current.weekdays,
        skip_public_holidays=current.skip_public_holidays,
        paused_until=current.paused_until,
        since=feed.created_at.astimezone(ZoneInfo(org.timezone)).date(),
        today=today,
        solutions=_active_titles(session=session, team_id=team.id or 0, on_date=today),
        modified_at=max(feed.created_at, stored.updated_at if stored else feed.created_at),
    )
