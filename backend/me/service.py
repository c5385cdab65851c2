"""The member's own profile, its erasure, and the export of everything stored about them."""

from sqlmodel import Session, col, select

from backend import clock
from backend.checkins.models import CheckIn, CheckInSolution
from backend.me.schemas import (
    ExportCheckIn,
    ExportDevice,
    ExportSolutionMark,
    MeExport,
    MeMember,
    MeOrg,
    MePublic,
    MeTeam,
    MeUpdate,
)
from backend.reminders import service as reminder_service
from backend.solutions.models import Solution
from backend.teams import service as team_service
from backend.teams.models import Member, MemberToken
from backend.teams.schemas import working_days_from_db


def get_me(*, session: Session, member: Member) -> MePublic:
    team, org = team_service.team_and_org(session=session, member=member)
    return MePublic(
        member=MeMember.model_validate(member),
        team=MeTeam.model_validate(
            team, update={"working_days": working_days_from_db(team.working_days)}
        ),
        org=MeOrg.model_validate(org),
    )


def update_me(*, session: Session, member: Member, changes: MeUpdate) -> Member:
    member.sqlmodel_update(changes.model_dump(exclude_unset=True))
    session.add(member)
    session.flush()
    return member


def erase_me(*, session: Session, member: Member) -> None:
    """Erases the member: their raw check-ins, marks and device tokens go with the row, so the
    token used for this request stops working as soon as the request commits."""
    team_service.delete_member(session=session, member=member)


def export_me(*, session: Session, member: Member) -> MeExport:
    """Everything stored about the member, in one document they can keep (PRODUCT.md §3.5)."""
    team, org = team_service.team_and_org(session=session, member=member)
    checkins = session.exec(
        select(CheckIn).where(CheckIn.member_id == member.id).order_by(col(CheckIn.work_date))
    ).all()
    marks = session.exec(
        select(CheckInSolution, Solution)
        .join(Solution, col(Solution.id) == CheckInSolution.solution_id)
        .join(CheckIn, col(CheckIn.id) == CheckInSolution.checkin_id)
        .where(CheckIn.member_id == member.id)
        .order_by(col(CheckInSolution.checkin_id), col(Solution.id))
    ).all()
    marks_by_checkin: dict[int, list[ExportSolutionMark]] = {}
    for mark, solution in marks:
        marks_by_checkin.setdefault(mark.checkin_id, []).append(
            ExportSolutionMark(
                solution_id=mark.solution_id,
                solution_title=solution.title,
                perspective=solution.perspective,
                used=mark.used,
            )
        )
    tokens = session.exec(
        select(MemberToken)
        .where(MemberToken.member_id == member.id)
        .order_by(col(MemberToken.created_at))
    ).all()
    return MeExport(
        exported_at=clock.now(),
        member=MeMember.model_validate(member),
        coordinator_note=member.coordinator_note,
        team_name=team.name,
        org_name=org.name,
        devices=[ExportDevice(created_at=token.created_at) for token in tokens],
        reminder=reminder_service.export_reminder(session=session, member=member),
        checkins=[
            ExportCheckIn.model_validate(
                checkin, update={"solutions": marks_by_checkin.get(checkin.id or 0, [])}
            )
            for checkin in checkins
        ],
    )
