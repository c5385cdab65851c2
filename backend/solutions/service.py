"""Rules for situations, solutions (with status history) and follow-up evaluations."""

from datetime import date

from sqlalchemy import case
from sqlmodel import Session, col, select

from backend.solutions.models import Solution

ACTIVE_STATUSES = ("trial", "adopted")
_PERSPECTIVE_ORDER = case({"P": 0, "U": 1, "X": 2}, value=col(Solution.perspective), else_=3)


def active_solutions(*, session: Session, team_id: int, on_date: date) -> list[Solution]:
    """The team's solutions in trial or adopted, in a stable order (P, U, X, then oldest first).

    `on_date` is the work date being rated; status history refines this in the solutions issue."""
    return list(
        session.exec(
            select(Solution)
            .where(Solution.team_id == team_id, col(Solution.status).in_(ACTIVE_STATUSES))
            .order_by(_PERSPECTIVE_ORDER, col(Solution.id))
        ).all()
    )
