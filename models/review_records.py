"""What the city review keeps: a round's review (`CityReview`) and its assignments with their score cards.

The tables only, and the one query the access rules need (`assigned_ids`), so that `models.access`
can ask what a reviewer is assigned without depending on the review's operations
(`models/city_review.py`, `models/scoring.py`), which build on the workflow.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.account import Account
from models.base import Base, utcnow
from models.project import Project
from models.round import Round


class ReviewState(StrEnum):
    """Where a round's city review stands."""

    open = "open"  # reviewers score; cards can be changed
    closed = "closed"  # cards are final; results and awards follow


class CityReview(Base):
    """A round's city review: state, deadline, and the awards' public-notice period."""

    __tablename__ = "city_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=ReviewState.open)
    deadline: Mapped[datetime]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    notice_starts_at: Mapped[datetime | None]
    notice_ends_at: Mapped[datetime | None]
    finalized_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship()

    @property
    def is_open(self) -> bool:
        """Whether reviewers may still score."""
        return self.state == ReviewState.open


class ReviewAssignment(Base):
    """One project given to one reviewer, with that reviewer's score card once filled in.

    `scores` maps criterion keys to whole numbers (None until scored); `total` is their weighted
    mean as `models.score_sheet.weighted_total` gives it.
    """

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("project_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("city_review.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    scores: Mapped[dict[str, Any] | None]
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime | None]

    review: Mapped[CityReview] = relationship()
    project: Mapped[Project] = relationship()
    account: Mapped[Account] = relationship()

    @property
    def scored(self) -> bool:
        """Whether the reviewer has filled in the card."""
        return self.scores is not None


def assigned_ids(session: Session, account_id: int) -> frozenset[int]:
    """The ids of the projects assigned to this reviewer account, in any round."""
    query = select(ReviewAssignment.project_id).where(ReviewAssignment.account_id == account_id)
    return frozenset(session.scalars(query))
