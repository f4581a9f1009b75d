"""Telling a worker that their project changed status, through the outbox (exactly once per change)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import texts
from handlers.draft_view import short_number
from models.outbox import enqueue
from models.project import Project, ProjectEvent, ProjectStatus


def status_notice_text(project: Project, event: ProjectEvent) -> str:
    """The words a worker reads about one status change."""
    values = {"number": project.number, "title": project.title, "short": short_number(project.number)}
    if event.to_status == ProjectStatus.unit_approved:
        return texts.NOTICE_APPROVED.format(**values)
    if event.to_status == ProjectStatus.returned:
        return texts.NOTICE_RETURNED.format(reason=event.reason or "", **values)
    return texts.NOTICE_STATUS.format(status=texts.STATUS_WORDS.get(event.to_status, event.to_status), **values)


def notify_status(session: Session, project: Project, event: ProjectEvent) -> None:
    """Queue the notice for a status change; its key makes a second queueing a no-op."""
    text = status_notice_text(project, event)
    data = {"number": project.number, "title": project.title, "status": event.to_status,
            "status_words": texts.STATUS_WORDS.get(event.to_status, event.to_status), "reason": event.reason or ""}
    enqueue(session, f"status:{event.id}", project.worker.openid, "notice",
            {"template": "status_change", "data": data, "text": text})
