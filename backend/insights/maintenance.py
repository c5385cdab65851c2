"""Background maintenance: freeze every organisation's closed weeks and apply its retention.

Run by `pux rollup` / `pux purge` and, every `PUX_MAINTENANCE_MINUTES`, by the server itself (a
task of the app's lifespan), so no separate worker is needed. Each organisation is done in a
transaction of its own, so one failure leaves the others done."""

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from backend.insights import rollup
from backend.orgs.models import Organisation

log = logging.getLogger(__name__)


@dataclass
class OrgDone:
    org_id: int
    org_name: str
    result: rollup.PurgeResult


def run(engine: Engine, *, org_id: int | None = None, purge: bool = True) -> list[OrgDone]:
    """Freezes (and with `purge`, applies retention to) each organisation, or only `org_id`."""
    with Session(engine) as session:
        query = select(col(Organisation.id)).order_by(col(Organisation.id))
        if org_id is not None:
            query = query.where(col(Organisation.id) == org_id)
        ids = list(session.execute(query).scalars())
    done: list[OrgDone] = []
    for id_ in ids:
        with Session(engine, expire_on_commit=False) as session:
            org = session.get(Organisation, id_)
            if org is None:  # deleted meanwhile
                continue
            if purge:
                result = rollup.purge(session=session, org=org)
            else:
                result = rollup.PurgeResult(freeze=rollup.freeze(session=session, org=org))
            session.commit()
            done.append(OrgDone(org_id=id_, org_name=org.name, result=result))
    return done


async def run_periodically(engine: Engine, minutes: float) -> None:
    """Runs `run` at start and then every `minutes`, in a worker thread (the database calls block);
    a failure is logged and tried again next time."""
    while True:
        try:
            done = await asyncio.to_thread(run, engine)
            weeks = sum(d.result.freeze.weeks for d in done)
            purged = sum(d.result.checkins for d in done)
            if weeks or purged:
                log.info(
                    "maintenance: %d week roll-ups written, %d old check-ins deleted", weeks, purged
                )
        except Exception:
            log.exception("maintenance failed; retrying in %s minutes", minutes)
        await asyncio.sleep(minutes * 60)
