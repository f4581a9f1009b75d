"""The audit log (操作日志): who changed what, when, from what to what.

Every change of an account now, and later of a status, a score, an assignment, an award or an
import, goes through `record`. Entries are written once and never changed: the ORM refuses to
update or delete one, and no page offers to.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, event, select
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from models.base import Base, utcnow
from models.errors import NotAllowed

#: Entries per page of the audit log.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Actor:
    """Who made a change: a web account, a WeChat follower, or a command run by an operator.

    `name` is kept in the entry as it was, so the log still reads right after a rename.
    """

    channel: str  # "web", "chat", "cli" or "system"
    account_id: int | None = None
    worker_id: int | None = None
    name: str | None = None


#: Changes made from the command line (`python -m bot create-user`, imports, …).
COMMAND_LINE = Actor(channel="cli")


class AuditEntry(Base):
    """One change: who (account, follower or command line), when, what, before and after."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    actor_name: Mapped[str | None] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(50), index=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(50), index=True)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    note: Mapped[str | None] = mapped_column(Text)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper: Mapper[AuditEntry], _connection: object, _entry: AuditEntry) -> None:
    """Refuse to change or delete an entry once written."""
    raise NotAllowed("audit entries are never changed")


def record(session: Session, actor: Actor, action: str, subject_type: str, subject_id: object, *,
           at: datetime, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           note: str | None = None) -> AuditEntry:
    """Add one entry to the log (e.g. action "account.create", subject ("account", "wang"))."""
    entry = AuditEntry(at=at, channel=actor.channel, account_id=actor.account_id, worker_id=actor.worker_id,
                       actor_name=actor.name, action=action, subject_type=subject_type,
                       subject_id=str(subject_id), before=before, after=after, note=note)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page asks for; every field is optional."""

    actor: str | None = None  # part of the actor's name
    action: str | None = None  # an action, or its area ("account" matches "account.create")
    subject: str | None = None  # the subject's id, e.g. a username or a project number
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def audit_entries(session: Session, wanted: AuditFilter, before_id: int | None = None,
                  limit: int = PAGE_SIZE) -> list[AuditEntry]:
    """The newest entries matching the filter, older than `before_id` when given (the next page)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if wanted.actor:
        query = query.where(AuditEntry.actor_name.contains(wanted.actor, autoescape=True))
    if wanted.action:
        query = query.where((AuditEntry.action == wanted.action)
                            | AuditEntry.action.startswith(wanted.action + ".", autoescape=True))
    if wanted.subject:
        query = query.where(AuditEntry.subject_id == wanted.subject)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))


def audit_actions(session: Session) -> list[str]:
    """Every action the log holds, for the page's filter."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
