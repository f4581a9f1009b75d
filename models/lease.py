"""Leases: which process runs the scheduler, so a second one stands by instead of running twice."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Float, Index, LargeBinary, String, Unicode
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.token import locked_row


class Lease(Base):
    """A named lease: the holder keeps it by renewing before `expires_at`."""

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]


class SchedulerJob(Base):
    """APScheduler's SQLAlchemy job store table, declared here so migrations create and know it."""

    __tablename__ = "apscheduler_jobs"
    __table_args__ = (Index("ix_apscheduler_jobs_next_run_time", "next_run_time"),)

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25))
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


def acquire_lease(session: Session, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take or renew the lease for `holder`; False while someone else holds an unexpired one."""
    lease = locked_row(session, Lease, name)
    assert isinstance(lease, Lease)
    if lease.holder not in (None, holder) and lease.expires_at is not None and lease.expires_at > now:
        return False
    lease.holder = holder
    lease.expires_at = now + timedelta(seconds=seconds)
    return True


def release_lease(session: Session, name: str, holder: str) -> None:
    """Give the lease up at once if `holder` has it, so a standby need not wait for expiry."""
    lease = session.get(Lease, name, with_for_update=True)
    if lease is not None and lease.holder == holder:
        lease.holder = None
        lease.expires_at = None


def lease_holder(session: Session, name: str, now: datetime) -> str | None:
    """Return who holds the lease now, or None."""
    lease = session.get(Lease, name)
    if lease is None or lease.expires_at is None or lease.expires_at <= now:
        return None
    return lease.holder


def next_run_time(session: Session, job_id: str) -> datetime | None:
    """When APScheduler's job store will next run a job (UTC); None if it holds no such job or it is paused.

    Read before a new leader replaces the job: a time in the past means a run was due and never happened.
    """
    job = session.get(SchedulerJob, job_id)
    if job is None or job.next_run_time is None:
        return None
    return datetime.fromtimestamp(job.next_run_time, timezone.utc)
