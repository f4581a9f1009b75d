"""Projects (项目/成果), their status history and attached photos."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.round import Round
from models.unit import Unit
from models.worker import Worker

if TYPE_CHECKING:
    from models.account import Account


class Category(StrEnum):
    """The five smalls (五小)."""

    invention = "invention"
    creation = "creation"
    innovation = "innovation"
    design = "design"
    suggestion = "suggestion"


class System(StrEnum):
    """Default professional systems of a mine (专业系统)."""

    mining = "mining"
    tunneling = "tunneling"
    electromechanical = "electromechanical"
    transport = "transport"
    ventilation = "ventilation"
    preparation = "preparation"
    management = "management"
    logistics = "logistics"


class BenefitKind(StrEnum):
    """What the author said about the yearly benefit: an amount (or a range), none at all, or that they cannot say."""

    amount = "amount"
    none = "none"
    unknown = "unknown"


class ProjectStatus(StrEnum):
    """Life cycle of a project, from draft to award."""

    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    unit_approved = "unit_approved"
    under_review = "under_review"
    awarded = "awarded"
    not_awarded = "not_awarded"
    withdrawn = "withdrawn"

    @classmethod
    def live(cls) -> frozenset[ProjectStatus]:
        """Submitted and not withdrawn: what every figure counts as submitted, and what similar projects are."""
        return frozenset(cls) - {cls.draft, cls.withdrawn}

    @classmethod
    def approved(cls) -> frozenset[ProjectStatus]:
        """Passed the unit's first review (and anything after it)."""
        return frozenset({cls.unit_approved, cls.under_review, cls.awarded, cls.not_awarded})

    @classmethod
    def reviewed(cls) -> frozenset[ProjectStatus]:
        """Sent on to the city review (评审), decided or not yet: the funnel's third step."""
        return frozenset({cls.under_review, cls.awarded, cls.not_awarded})

    @classmethod
    def editable(cls) -> frozenset[ProjectStatus]:
        """The author may still change it: a draft, or a project returned to them."""
        return frozenset({cls.draft, cls.returned})

    @classmethod
    def notified(cls) -> frozenset[ProjectStatus]:
        """A change to one of these is told to the author."""
        return frozenset({cls.returned, cls.unit_approved, cls.awarded, cls.not_awarded})


class Project(Base):
    """One submitted idea; a draft until the worker confirms it."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("round_id", "number"),
                      # Covers every figure of models/stats.py: they scan this, not the wide rows.
                      Index("ix_project_stats", "round_id", "status", "unit_id", "system", "category", "worker_id",
                            "annual_benefit_yuan", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    number: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(20))
    system: Mapped[str | None] = mapped_column(String(30))
    system_confidence: Mapped[float | None]
    # The yearly benefit: the low end (the figure sums and score bands use), the high end of a range
    # ("两三万": 20,000 and 30,000; equal to the low end for one figure), whether it was approximate
    # ("三万多", "约"), and what was said (BenefitKind; None until the author said anything).
    annual_benefit_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    annual_benefit_high_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    benefit_approximate: Mapped[bool] = mapped_column(default=False)
    benefit_kind: Mapped[str | None] = mapped_column(String(10))
    members: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.draft, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit | None] = relationship()
    worker: Mapped[Worker] = relationship()
    events: Mapped[list[ProjectEvent]] = relationship(order_by="ProjectEvent.id", back_populates="project")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", back_populates="project")


class ProjectEvent(Base):
    """One status change: who (the follower; the account too when made on a page), when, from what to what, why."""

    __tablename__ = "project_event"
    __table_args__ = (Index("ix_project_event_status_at", "to_status", "project_id", "at"),)  # approvals by day

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))  # when made on the web
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="events")
    actor: Mapped[Worker | None] = relationship()
    account: Mapped[Account | None] = relationship()

    @property
    def actor_name(self) -> str:
        """Who made the change, as people know them: the account's name, else the follower's."""
        if self.account is not None:
            return self.account.name or self.account.username
        return (self.actor.name or "") if self.actor is not None else ""


class Attachment(Base):
    """A photo or file sent during the dialog; fetched from WeChat by a background job."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    media_id: Mapped[str] = mapped_column(String(200))
    pic_url: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="image")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    stored_path: Mapped[str | None] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="attachments")


def find_any_round(session: Session, number: str) -> Project | None:
    """Find a project by its full number ("2026-0042") in whichever round it belongs to."""
    return session.scalars(select(Project).where(Project.number == number.strip())).first()


def find_by_number(session: Session, round_: Round, text: str) -> Project | None:
    """Find a project of the round by its full number or its last digits ("0042", "42")."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    if len(digits) > 4 and digits.startswith(str(round_.year)):
        digits = digits[len(str(round_.year)):]
    number = f"{round_.year}-{int(digits):04d}" if len(digits) <= 6 else None
    if number is None:
        return None
    return session.scalars(select(Project).where(Project.round_id == round_.id, Project.number == number)).first()
