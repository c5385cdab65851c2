"""GET /orgs, GET/PATCH /orgs/{org_id}: a coordinator's organisations and their settings."""

from collections.abc import Sequence

from fastapi import APIRouter

from backend.auth.dependencies import CurrentCoordinator
from backend.db import SessionDep
from backend.orgs import service as org_service
from backend.orgs.dependencies import OrgForCoordinator
from backend.orgs.models import Organisation
from backend.orgs.schemas import OrganisationPublic, OrganisationUpdate

router = APIRouter(prefix="/orgs", tags=["orgs"])


@router.get("", response_model=list[OrganisationPublic])
def list_orgs(session: SessionDep, coordinator: CurrentCoordinator) -> Sequence[Organisation]:
    return org_service.list_orgs_for_coordinator(session=session, coordinator=coordinator)


@router.get("/{org_id}", response_model=OrganisationPublic)
def get_org(org: OrgForCoordinator) -> Organisation:
    return org


@router.patch("/{org_id}", response_model=OrganisationPublic)
def update_org(
    session: SessionDep, org: OrgForCoordinator, body: OrganisationUpdate
) -> Organisation:
    return org_service.update_org(session=session, org=org, changes=body)
