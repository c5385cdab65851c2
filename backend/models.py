"""Imports every table model: the one import point for Alembic and for create_all in tests."""

from sqlmodel import SQLModel

from backend.auth.models import Coordinator, CoordinatorOrg, CoordinatorToken
from backend.checkins.models import CheckIn, CheckInSolution
from backend.insights.models import WeekRollup, WeekSolutionUse
from backend.orgs.models import Organisation
from backend.ratelimit import RateLimit
from backend.reminders.models import (
    CalendarFeed,
    PushSubscription,
    ReminderClaim,
    ReminderSettings,
    VapidKey,
)
from backend.solutions.models import Evaluation, Situation, Solution, SolutionStatusChange
from backend.teams.models import Invite, Member, MemberToken, Team

metadata = SQLModel.metadata

__all__ = [
    "CalendarFeed",
    "CheckIn",
    "CheckInSolution",
    "Coordinator",
    "CoordinatorOrg",
    "CoordinatorToken",
    "Evaluation",
    "Invite",
    "Member",
    "MemberToken",
    "Organisation",
    "PushSubscription",
    "RateLimit",
    "ReminderClaim",
    "ReminderSettings",
    "Situation",
    "Solution",
    "SolutionStatusChange",
    "Team",
    "VapidKey",
    "WeekRollup",
    "WeekSolutionUse",
    "metadata",
]
