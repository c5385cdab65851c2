"""Path-resource checks for organisations: the one place a coordinator's reach is enforced."""

from typing import Annotated

from fastapi import Depends

from backend.auth.dependencies import CurrentCoordinator
from backend.db import PathId, SessionDep
from backend.errors import NotFound
from backend.openapi import raises
from backend.orgs import service as org_service
from backend.orgs.models import Organisation


@raises(NotFound)
def org_from_path(
    org_id: PathId, session: SessionDep, coordinator: CurrentCoordinator
) -> Organisation:
    """`{org_id}` of an organisation the calling coordinator is linked to; otherwise 404."""
    return org_service.get_org_for_coordinator_or_404(
        session=session, org_id=org_id, coordinator=coordinator
    )


OrgForCoordinator = Annotated[Organisation, Depends(org_from_path)]
