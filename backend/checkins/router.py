"""API routes of the checkins domain: the member's own check-ins and the Today screen."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from backend import security
from backend.auth.dependencies import CurrentMember
from backend.checkins import service, writer
from backend.checkins.schemas import CheckInIn, CheckInPublic, StaleCheckInBody, Today
from backend.checkins.service import (
    EmptyCheckIn,
    InvalidDateRange,
    Precondition,
    StaleCheckIn,
    UnknownSolution,
)
from backend.checkins.workdates import WorkDateInFuture, WorkDateOutsideWindow
from backend.dates import IsoDate
from backend.db import SessionDep
from backend.errors import NotFound, Unauthorized
from backend.openapi import raises

router = APIRouter(tags=["checkins"])

# PUT reads its date, token and body itself instead of through FastAPI's dependency and body
# machinery: measured, that machinery cost about as much event-loop time as everything else on the
# route. The rules are the same (IsoDate, HTTP bearer, strict CheckInIn, the standard 422
# ValidationError), and the OpenAPI document still describes the date, the body and the scheme.
_PUT_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    k: v
                    for k, v in CheckInIn.model_json_schema(
                        ref_template="#/components/schemas/{model}"
                    ).items()
                    if k != "$defs"
                }
            }
        },
    },
    "parameters": [
        {
            "name": "work_date",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "date", "title": "Work Date"},
        },
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": "Replace only if the stored check-in still has this `etag` (the "
            "answer the edit was based on); otherwise 412 with the stored one.",
            "schema": {"type": "string"},
        },
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "`*`: create only; if the day has a check-in already, 412 with it.",
            "schema": {"type": "string"},
        },
    ],
    "security": [{"MemberToken": []}],
}
_WORK_DATE = TypeAdapter(IsoDate)


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A valid member token is required")
    return token.strip()


def _work_date(request: Request) -> date:
    try:
        return _WORK_DATE.validate_python(request.path_params["work_date"])
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("path", "work_date")} for error in exc.errors()]
        ) from None


def _tags(value: str | None) -> frozenset[str] | None:
    """An If-Match / If-None-Match header as its entity tags ("*" stays "*")."""
    if value is None:
        return None
    return frozenset(tag.strip() for tag in value.split(",") if tag.strip())


def _precondition(request: Request) -> Precondition | None:
    if_match = _tags(request.headers.get("if-match"))
    if_none_match = _tags(request.headers.get("if-none-match"))
    if if_match is None and if_none_match is None:
        return None  # an old client: replaces whatever is stored, as it always did
    return Precondition(if_match=if_match, if_none_match=if_none_match)


def _parse_checkin(raw: bytes) -> CheckInIn:
    try:
        return CheckInIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None


@router.put(
    "/me/checkins/{work_date}",
    response_model=CheckInPublic,
    responses={
        201: {"model": CheckInPublic, "description": "Created"},
        412: {"model": StaleCheckInBody, "description": "StaleCheckIn"},
        422: {
            "description": "Validation Error (a bad date, rating, mark or comment)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
            },
        },
    },
    openapi_extra=_PUT_OPENAPI,
)
@raises(Unauthorized, WorkDateInFuture, WorkDateOutsideWindow, UnknownSolution, EmptyCheckIn)
async def put_checkin(request: Request) -> Response:
    """Creates (201) or replaces (200) my check-in for `work_date`; safe to retry.

    With `If-Match: <etag>` it replaces only the answer the edit was based on, with
    `If-None-Match: *` it only creates; when that does not hold, 412 `StaleCheckIn` carries the
    stored answer (`current`) and nothing is written. Without either header it replaces whatever
    is stored (older clients).

    The hot path of the app, so it is `async` and never blocks the event loop: the token is checked
    and the row upserted by the group-commit writer in one transaction with other requests (the
    same rules as everywhere: member token only, date in the window, own team's solutions)."""
    work_date = _work_date(request)
    token_hash = security.hash_token(_bearer_token(request))
    body = _parse_checkin(await request.body())
    try:
        checkin, created = await writer.get_writer().record(
            service.CheckInRequest(
                token_hash=token_hash,
                work_date=work_date,
                data=body,
                precondition=_precondition(request),
            )
        )
    except StaleCheckIn as stale:
        # The one error with more than a sentence in it: the page shows both answers.
        return JSONResponse(
            StaleCheckInBody(
                error="StaleCheckIn", detail=stale.detail, current=stale.current
            ).model_dump(mode="json"),
            status_code=status.HTTP_412_PRECONDITION_FAILED,
        )
    # Serialised here directly: the model is already validated, FastAPI's encoder would redo it.
    return Response(
        checkin.model_dump_json(),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        media_type="application/json",
        headers={"ETag": checkin.etag},
    )


@router.get("/me/checkins", response_model=list[CheckInPublic])
@raises(InvalidDateRange)
def list_checkins(
    session: SessionDep,
    member: CurrentMember,
    first: Annotated[IsoDate | None, Query(alias="from")] = None,
    last: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> list[CheckInPublic]:
    """My check-ins from `from` to `to` (default: the last 30 days), newest first."""
    return service.list_checkins(session=session, member=member, first=first, last=last)


@router.delete("/me/checkins/{work_date}", status_code=status.HTTP_204_NO_CONTENT)
@raises(NotFound, WorkDateInFuture, WorkDateOutsideWindow)
def delete_checkin(work_date: IsoDate, session: SessionDep, member: CurrentMember) -> None:
    """Deletes my check-in for `work_date` while that date is still in the window."""
    service.delete_checkin(session=session, member=member, work_date=work_date)


@router.get("/me/today", response_model=Today)
@raises(WorkDateInFuture, WorkDateOutsideWindow)
def get_today(
    session: SessionDep,
    member: CurrentMember,
    on_date: Annotated[IsoDate | None, Query(alias="date")] = None,
) -> Today:
    """The suggested work date (or `?date=` in the window), the window's dates, the team's active
    solutions on that date and my check-in for it."""
    return service.today(session=session, member=member, on_date=on_date)
