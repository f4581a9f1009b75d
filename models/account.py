"""Web accounts (账号) of staff, reviewers and coordinators, with their role and scope."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.unit import Unit
from models.worker import Worker


class AccountRole(StrEnum):
    """What an account may do on the web pages."""

    admin = "admin"  # everything, including accounts
    staff = "staff"  # the union office: the whole city, review, awards, statistics
    reviewer = "reviewer"  # scores what is assigned to them, in their professional systems
    coordinator = "coordinator"  # looks after one unit and everything below it


class Account(Base):
    """One person's login to the web pages.

    `unit_id` is the coordinator's unit, or the reviewer's own enterprise (their conflict of
    interest); staff and admins have none. `worker_id` links the account to the person's WeChat
    follower, so a coordinator is the same person in the chat and on the web. `session_version`
    goes up when the password changes or the account is deactivated, which ends every session
    signed in before. The `is_*` properties and `get_id` are what Flask-Login expects of a user.
    """

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    systems: Mapped[list[Any]] = mapped_column(default=list)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), unique=True)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    unit: Mapped[Unit | None] = relationship()
    worker: Mapped[Worker | None] = relationship()

    @property
    def is_active(self) -> bool:
        """Whether the account may sign in (a deactivated one may not)."""
        return self.active

    @property
    def is_authenticated(self) -> bool:
        """A loaded account is a signed-in one."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """A loaded account is never the anonymous visitor."""
        return False

    def get_id(self) -> str:
        """The session's reference to this account: its id and session version."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: AccountRole) -> bool:
        """Whether the account has one of these roles."""
        return self.role in roles
