"""Time: stored in UTC, read by people in Asia/Shanghai; the one place that knows both."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

#: The contest's people live in China's one time zone (no summer time).
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def local(moment: datetime) -> datetime:
    """A stored (UTC) time as people in Shanghai read it."""
    return moment.astimezone(SHANGHAI)


def local_day(moment: datetime) -> date:
    """The calendar day in Shanghai of a moment."""
    return local(moment).date()


def as_local(moment: datetime) -> datetime:
    """A time as people write it: a naive one means Shanghai wall-clock time; returned in Shanghai."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
