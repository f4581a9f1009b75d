"""A project's life: draft, submit, withdraw, approve, return — each change recorded with who and why.

Every status change goes through `change_status`, which checks who may make it (models/access.py),
records it in the project's history and in the audit log, and queues the author's notice when the
change is one they hear about: approving in the chat (approve 0042) and on a page are the same
call with a different `Actor`, and give the same single notice and the same entries.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.access import Actor, Party, check_actor
from models.audit import record
from models.counter import next_value
from models.errors import DeadlinePassed, InvalidField, InvalidTransition, Problem
from models.notices import queue_notice, status_notice
from models.project import Attachment, Project, ProjectEvent, ProjectStatus
from models.round import Round
from models.worker import Worker

S = ProjectStatus
#: Which status may follow which, and who may make the move.
TRANSITIONS: dict[tuple[str, str], Party] = {
    (S.draft, S.submitted): Party.author,
    (S.returned, S.submitted): Party.author,
    (S.submitted, S.withdrawn): Party.author,
    (S.returned, S.withdrawn): Party.author,
    (S.submitted, S.unit_approved): Party.coordinator,
    (S.submitted, S.returned): Party.coordinator,
    (S.unit_approved, S.under_review): Party.staff,
    (S.under_review, S.awarded): Party.staff,
    (S.under_review, S.not_awarded): Party.staff,
}


def start_draft(session: Session, worker: Worker, round_: Round, now: datetime) -> Project:
    """Create an empty draft for the worker in the round."""
    draft = Project(round_id=round_.id, worker_id=worker.id, unit_id=worker.unit_id, status=S.draft,
                    members=[worker.name] if worker.name else [], created_at=now, updated_at=now)
    session.add(draft)
    session.flush()
    return draft


def latest_draft(session: Session, worker: Worker) -> Project | None:
    """Return the worker's most recent draft, if any."""
    query = (select(Project).where(Project.worker_id == worker.id, Project.status == S.draft)
             .order_by(Project.updated_at.desc(), Project.id.desc()))
    return session.scalars(query).first()


def discard_draft(session: Session, draft: Project) -> None:
    """Delete a draft the worker cancelled (drafts have no number and no history)."""
    if draft.status != S.draft:
        raise InvalidTransition(draft.status)
    session.execute(delete(Attachment).where(Attachment.project_id == draft.id))
    session.delete(draft)


def change_status(session: Session, project: Project, to: ProjectStatus, actor: Actor, now: datetime,
                  reason: str | None = None, details: Mapping[str, Any] | None = None) -> ProjectEvent:
    """Move a project to a new status if allowed, record who, when and why, and queue the author's notice.

    `details` are extra fields for the author's notice (an award's level, prize and certificate link).
    """
    who = TRANSITIONS.get((project.status, to))
    if who is None:
        raise InvalidTransition(f"{project.status}->{to}")
    check_actor(session, project, actor, who)
    event = ProjectEvent(project_id=project.id, actor_id=actor.worker_id, at=now, from_status=project.status,
                         to_status=to, reason=reason, account_id=actor.account.id if actor.account else None)
    project.status = to
    project.updated_at = now
    session.add(event)
    session.flush()
    record(session, actor.audit, f"project.{to}", "project", project.number, at=now,
           before={"status": event.from_status}, after={"status": str(to), "reason": reason}, note=reason)
    if to in ProjectStatus.notified():
        queue_notice(session, status_notice(project, event, details))
    return event


def approve(session: Session, project: Project, actor: Actor, now: datetime) -> ProjectEvent:
    """Pass a project in the unit's first review (初审); its author is told."""
    return change_status(session, project, S.unit_approved, actor, now)


def return_for_changes(session: Session, project: Project, actor: Actor, now: datetime, reason: str) -> ProjectEvent:
    """Return a project to its author with the reason (required), which the author is told."""
    if not reason.strip():
        raise InvalidField("reason", Problem.empty)
    return change_status(session, project, S.returned, actor, now, reason.strip())


def withdraw(session: Session, project: Project, actor: Actor, now: datetime) -> ProjectEvent:
    """The author takes a project back before its review."""
    return change_status(session, project, S.withdrawn, actor, now)


#: The round counter (models/counter.py) that numbers a round's projects.
PROJECT_NUMBERS = "project_number"


def _numbered_before(session: Session, round_: Round) -> int:
    """The highest project number the round gave out before its counter existed (0 for a new round)."""
    numbers = session.scalars(select(Project.number).where(Project.round_id == round_.id,
                                                           Project.number.is_not(None)))
    return max((int(n.rsplit("-", 1)[-1]) for n in numbers if n and n.rsplit("-", 1)[-1].isdigit()), default=0)


def _next_number(session: Session, round_: Round) -> str:
    """Take the round's next project number, e.g. 2026-0042; it is the caller's once its transaction commits."""
    value = next_value(session, round_.id, PROJECT_NUMBERS, lambda: _numbered_before(session, round_))
    return f"{round_.year}-{value:04d}"


def submit(session: Session, project: Project, actor: Actor, now: datetime) -> ProjectEvent:
    """Submit a draft (or resubmit a returned project): it gets its number on first submission.

    A draft goes to the unit its author belongs to when submitting it. A returned project may be
    resubmitted until the unit-review deadline, since the unit returned it for a fix after
    submissions may already have closed.
    """
    round_ = session.get(Round, project.round_id)
    if round_ is None:
        raise DeadlinePassed("")
    open_until = round_.unit_review_deadline if project.status == S.returned else round_.submission_deadline
    if not round_.opens_at <= now <= open_until:
        raise DeadlinePassed(round_.name)
    author = actor.worker
    if project.status == S.draft and author is not None and project.worker_id == author.id and author.unit_id:
        project.unit_id = author.unit_id  # a draft goes to the author's unit now, also after a change of unit
    if project.number is None:
        _assign_number(session, project, round_)
    project.submitted_at = now
    return change_status(session, project, S.submitted, actor, now)


def _assign_number(session: Session, project: Project, round_: Round) -> None:
    """Give the project the round's next number (a counter row locked until commit: no collision, no gap)."""
    project.number = _next_number(session, round_)


