"""Notices to people, queued as data: key, recipient, kind and fields; the words come at send time.

Every push is a `Notice`. Its key makes it unique in the outbox (a second queueing is a no-op);
its kind and fields are all the sender needs to have the words composed (`handlers/notices.py`),
so a status change queues the same notice whichever door it came through, and the wording lives
in one catalogue. A status change's key is `status:<event id>` wherever it is queued from.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.outbox import enqueue
from models.project import Project, ProjectEvent
from models.sending import STATUS_KEY_PREFIX

#: The outbox kind of a notice (as opposed to a plain "text").
NOTICE = "notice"


@dataclass(frozen=True)
class Notice:
    """One push to one follower: unique key, recipient openid, kind of notice, and the fields to tell."""

    key: str
    recipient: str
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def payload(self) -> dict[str, Any]:
        """The outbox row's payload: what to compose at send time."""
        return {"notice": self.kind, "fields": self.fields}


def status_key(event_id: int) -> str:
    """The key of the notice about one status change (one per change, whoever queues it)."""
    return f"{STATUS_KEY_PREFIX}{event_id}"


def status_notice(project: Project, event: ProjectEvent, details: Mapping[str, Any] | None = None) -> Notice:
    """The author's notice of a status change of their project, with the reason when there is one.

    `details` add fields for the words (an award's level, prize and certificate link).
    """
    return Notice(status_key(event.id), project.worker.openid, "status",
                  {**(details or {}), "status": str(event.to_status), "number": project.number,
                   "title": project.title, "reason": event.reason})


def queue_notice(session: Session, notice: Notice, not_before: datetime | None = None) -> bool:
    """Queue a notice once per key; return whether it was new."""
    return enqueue(session, notice.key, notice.recipient, NOTICE, notice.payload, not_before) is not None
