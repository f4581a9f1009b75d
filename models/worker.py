"""Workers (职工): one WeChat follower each, bound to a unit, with a role."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.unit import Unit


class Role(StrEnum):
    """What a worker may do."""

    worker = "worker"
    coordinator = "coordinator"
    reviewer = "reviewer"
    admin = "admin"


class Worker(Base):
    """A follower of the official account, known by openid."""

    __tablename__ = "worker"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(50))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.worker)
    subscribed: Mapped[bool] = mapped_column(default=True)
    subscribed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship()
