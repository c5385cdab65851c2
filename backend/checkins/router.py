"""API routes of the checkins domain: the member's own check-ins and the Today screen."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from backend import security
from backend.auth.dependencies import CurrentMember, member_scheme
from backend.checkins import service, writer
from backend.checkins.schemas import CheckInIn, CheckInPublic, Today
from backend.db import SessionDep
from backend.errors import Unauthorized

router = APIRouter(tags=["checkins"])

BearerToken = Annotated[HTTPAuthorizationCredentials | None, Depends(member_scheme)]


@router.put(
    "/me/checkins/{work_date}",
    response_model=CheckInPublic,
    responses={201: {"model": CheckInPublic, "description": "Created"}},
)
async def put_checkin(work_date: date, body: CheckInIn, credentials: BearerToken) -> Response:
    """Creates (201) or replaces (200) my check-in for `work_date`; safe to retry.

    The hot path of the app, so it is `async` and never blocks the event loop: the token is checked
    and the row upserted by the group-commit writer in one transaction with other requests (the
    same rules as everywhere: member token only, date in the window, own team's solutions)."""
    if credentials is None:
        raise Unauthorized("A valid member token is required")
    token_hash = security.hash_token(credentials.credentials)
    checkin, created = await writer.get_writer().run(
        lambda connection: service.record_checkin(
            connection=connection, token_hash=token_hash, work_date=work_date, data=body
        )
    )
    # Serialised here directly: the model is already validated, FastAPI's encoder would redo it.
    return Response(
        checkin.model_dump_json(),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.get("/me/checkins", response_model=list[CheckInPublic])
def list_checkins(
    session: SessionDep,
    member: CurrentMember,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> list[CheckInPublic]:
    """My check-ins from `from` to `to` (default: the last 30 days), newest first."""
    return service.list_checkins(session=session, member=member, first=first, last=last)


@router.delete("/me/checkins/{work_date}", status_code=status.HTTP_204_NO_CONTENT)
def delete_checkin(work_date: date, session: SessionDep, member: CurrentMember) -> None:
    """Deletes my check-in for `work_date` while that date is still in the window."""
    service.delete_checkin(session=session, member=member, work_date=work_date)


@router.get("/me/today", response_model=Today)
def get_today(
    session: SessionDep,
    member: CurrentMember,
    on_date: Annotated[date | None, Query(alias="date")] = None,
) -> Today:
    """The suggested work date (or `?date=` in the window), the window's dates, the team's active
    solutions on that date and my check-in for it."""
    return service.today(session=session, member=member, on_date=on_date)
