"""Reminders: the VAPID public key, this device's push subscription, a test notification, the
member's reminder settings, and the private calendar feed."""

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from backend import ratelimit
from backend.auth.dependencies import CurrentMember
from backend.db import SessionDep
from backend.errors import NotFound, TooManyRequests
from backend.openapi import raises
from backend.reminders import service, vapid
from backend.reminders.schemas import (
    CalendarUrl,
    PublicKey,
    PushSubscriptionIn,
    PushSubscriptionPublic,
    PushSubscriptionRef,
    ReminderSettingsIn,
    ReminderSettingsPublic,
    TestResult,
)

router = APIRouter(tags=["reminders"])

# Any text is looked up (a malformed secret is as unknown as a wrong one: 404, never 422).
CalendarSecret = Annotated[str, Path(max_length=100)]
CALENDAR_TYPE = "text/calendar; charset=utf-8"


@router.get("/push/public-key")
def public_key() -> PublicKey:
    """The application server key a browser subscribes with (`applicationServerKey`)."""
    return PublicKey(public_key=vapid.load_keys().public_key)


@router.put(
    "/me/push-subscriptions",
    response_model=PushSubscriptionPublic,
    responses={201: {"model": PushSubscriptionPublic, "description": "Stored for a new device"}},
)
def put_subscription(
    session: SessionDep, member: CurrentMember, body: PushSubscriptionIn, response: Response
) -> PushSubscriptionPublic:
    """Stores this device's subscription (201) or refreshes it (200)."""
    subscription, created = service.store_subscription(session=session, member=member, data=body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return PushSubscriptionPublic(
        endpoint=subscription.endpoint, expirationTime=body.expirationTime
    )


@router.delete("/me/push-subscriptions", status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(
    session: SessionDep, member: CurrentMember, body: PushSubscriptionRef
) -> None:
    """This device gets no more pushes (also when it had none: removing is idempotent)."""
    service.remove_subscription(session=session, member=member, endpoint=body.endpoint)


@router.post(
    "/me/push-subscriptions/test",
    responses={429: {"description": f"More than {ratelimit.TEST_PUSH.free} tests in 10 minutes"}},
)
@raises(TooManyRequests)
def test_notification(session: SessionDep, member: CurrentMember) -> TestResult:
    """Sends a notification like the morning reminder to the member's devices, now."""
    key = ratelimit.TEST_PUSH.key(str(member.id))
    wait = ratelimit.blocked_for([key]) or ratelimit.record_failure([(ratelimit.TEST_PUSH, key)])
    if wait:
        raise TooManyRequests(
            f"At most {ratelimit.TEST_PUSH.free} test notifications in 10 minutes; "
            f"try again in {wait} seconds",
            retry_after_seconds=wait,
        )
    return service.send_test(session=session, member=member)


@router.get("/me/reminder")
def get_reminder(session: SessionDep, member: CurrentMember) -> ReminderSettingsPublic:
    return service.get_settings(session=session, member=member)


@router.put("/me/reminder")
def put_reminder(
    session: SessionDep, member: CurrentMember, body: ReminderSettingsIn
) -> ReminderSettingsPublic:
    return service.put_settings(session=session, member=member, data=body)


@router.get("/me/calendar-url")
def get_calendar_url(session: SessionDep, member: CurrentMember) -> CalendarUrl:
    """The private feed's URL: the same until revoked."""
    return service.calendar_url(session=session, member=member)


@router.delete("/me/calendar-url", status_code=status.HTTP_204_NO_CONTENT)
def revoke_calendar_url(session: SessionDep, member: CurrentMember) -> None:
    """The old URL answers 404 from now on; the next GET gives a new one."""
    service.revoke_calendar_url(session=session, member=member)


@router.get(
    "/calendar/{secret}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "The iCalendar feed"}},
)
@raises(NotFound)
def calendar_feed(session: SessionDep, secret: CalendarSecret) -> Response:
    """The member's reminder as an iCalendar feed, for anyone with the secret URL."""
    return Response(
        service.calendar_feed(session=session, secret=secret),
        media_type=CALENDAR_TYPE,
        headers={
            "Content-Disposition": 'inline; filename="pux-puls.ics"',
            # Calendar apps re-read the feed on their own schedule; a short private cache is fine.
            "Cache-Control": "private, max-age=900",
        },
    )
