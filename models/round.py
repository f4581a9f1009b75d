"""Rounds (竞赛批次) of the contest, each with its phase deadlines."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class Round(Base):
    """One yearly contest: submission, unit review, city review, publication."""

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    opens_at: Mapped[datetime]
    submission_deadline: Mapped[datetime]
    unit_review_deadline: Mapped[datetime]
    city_review_deadline: Mapped[datetime]
    publication_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def accepts_submissions(self, now: datetime) -> bool:
        """Tell whether a project may still be submitted at the given time."""
        return self.opens_at <= now <= self.submission_deadline


def round_for(session: Session, now: datetime) -> Round | None:
    """Return the round running at `now` (the latest opened one), or None before the first opens."""
    query = select(Round).where(Round.opens_at <= now).order_by(Round.opens_at.desc(), Round.id.desc())
    return session.scalars(query).first()


def next_round(session: Session, now: datetime) -> Round | None:
    """Return the next round that has not opened yet, if one is planned."""
    return session.scalars(select(Round).where(Round.opens_at > now).order_by(Round.opens_at)).first()
