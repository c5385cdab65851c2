"""The app's one clock, and the one place that turns instants into local work dates."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.config import settings


def now() -> datetime:
    """Current instant, timezone-aware UTC; pinned by PUX_NOW in demos and tests."""
    if settings.now is not None:
        return settings.now.astimezone(UTC)
    return datetime.now(UTC)


def local_now(tz_name: str) -> datetime:
    return now().astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str) -> date:
    return local_now(tz_name).date()


def checkin_window(tz_name: str, window_days: int) -> tuple[date, date]:
    """Work dates a member may rate: today and `window_days` days before it, in the org's zone."""
    today = local_today(tz_name)
    return today - timedelta(days=window_days), today
