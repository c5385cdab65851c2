"""GET/PATCH/DELETE /me and GET /me/export: the calling member's own profile and data."""

from fastapi import APIRouter, Response, status

from backend.auth.dependencies import CurrentMember
from backend.db import SessionDep
from backend.me import service as me_service
from backend.me.schemas import MeExport, MePublic, MeUpdate

router = APIRouter(prefix="/me", tags=["me"])

EXPORT_FILENAME = "pux-puls-mine-data.json"


@router.get("")
def get_me(session: SessionDep, member: CurrentMember) -> MePublic:
    return me_service.get_me(session=session, member=member)


@router.patch("")
def update_me(session: SessionDep, member: CurrentMember, body: MeUpdate) -> MePublic:
    member = me_service.update_me(session=session, member=member, changes=body)
    return me_service.get_me(session=session, member=member)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
def erase_me(session: SessionDep, member: CurrentMember) -> None:
    me_service.erase_me(session=session, member=member)


@router.get("/export")
def export_me(session: SessionDep, member: CurrentMember, response: Response) -> MeExport:
    response.headers["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return me_service.export_me(session=session, member=member)
