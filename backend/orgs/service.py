"""Organisations as a coordinator sees them: which ones they may reach, and their settings."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from backend.auth.models import Coordinator, CoordinatorOrg
from backend.errors import NotFound
from backend.insights import rollup
from backend.orgs.models import Organisation
from backend.orgs.schemas import OrganisationUpdate


def list_orgs_for_coordinator(
    *, session: Session, coordinator: Coordinator
) -> Sequence[Organisation]:
    return session.exec(
        select(Organisation)
        .join(CoordinatorOrg, col(CoordinatorOrg.org_id) == Organisation.id)
        .where(CoordinatorOrg.coordinator_id == coordinator.id)
        .order_by(col(Organisation.name), col(Organisation.id))
    ).all()


def get_org_for_coordinator_or_404(
    *, session: Session, org_id: int, coordinator: Coordinator
) -> Organisation:
    """The organisation if the coordinator is linked to it.

    An organisation the coordinator is not linked to answers 404 exactly like one that does not
    exist, so ids cannot be probed to learn which organisations use the service."""
    org = session.exec(
        select(Organisation)
        .join(CoordinatorOrg, col(CoordinatorOrg.org_id) == Organisation.id)
        .where(Organisation.id == org_id, CoordinatorOrg.coordinator_id == coordinator.id)
    ).first()
    if org is None:
        raise NotFound("Organisation not found")
    return org


def update_org(*, session: Session, org: Organisation, changes: OrganisationUpdate) -> Organisation:
    # Weeks closed under the current settings are frozen first: a wider window, another time zone
    # or another threshold must not reach back into a week whose figures are final.
    rollup.freeze(session=session, org=org)
    org.sqlmodel_update(changes.model_dump(exclude_unset=True))
    session.add(org)
    session.flush()
    return org
