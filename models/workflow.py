"""A project's life: draft, submit, withdraw, approve, return — each change recorded with who and why.

Every status change goes through `change_status`, which checks who may make it, records it, and
queues the author's notice when the change is one they hear about: approving in the chat and on a
page are the same call.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.access import Actor, check_actor
from models.counter import next_value
from models.errors import DeadlinePassed, InvalidField, InvalidTransition, NotAllowed, Problem
from models.notices import queue_notice, status_notice
from models.project import Attachment, Project, ProjectEvent, ProjectStatus
from models.round import Round
from models.worker import Worker

S = ProjectStatus
#: Which status may follow which, and who may make the move.
TRANSITIONS: dict[tuple[str, str], Actor] = {
    (S.draft, S.submitted): Actor.author,
    (S.returned, S.submitted): Actor.author,
    (S.submitted, S.withdrawn): Actor.author,
    (S.returned, S.withdrawn): Actor.author,
    (S.submitted, S.unit_approved): Actor.coordinator,
    (S.submitted, S.returned): Actor.coordinator,
    (S.unit_approved, S.under_review): Actor.staff,
    (S.under_review, S.awarded): Actor.staff,
    (S.under_review, S.not_awarded): Actor.staff,
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


def change_status(session: Session, project: Project, to: ProjectStatus, actor: Worker | None, now: datetime,
                  reason: str | None = None, details: Mapping[str, Any] | None = None) -> ProjectEvent:
    """Move a project to a new status if allowed, record who, when and why, and queue the author's notice.

    `actor` None is the union office acting through a web account (the city review and the
    awards): only the office's own moves are open to it, and the caller has checked the account's
    role and records it in the audit log. `details` are extra fields for the author's notice
    (an award's level, prize and certificate link).
    """
    who = TRANSITIONS.get((project.status, to))
    if who is None:
        raise InvalidTransition(f"{project.status}->{to}")
    if actor is None:
        if who != Actor.staff:
            raise NotAllowed(who)
    else:
        check_actor(session, project, actor, who)
    event = ProjectEvent(project_id=project.id, actor_id=actor.id if actor else None, at=now,
                         from_status=project.status, to_status=to, reason=reason)
    project.status = to
    project.updated_at = now
    session.add(event)
    session.flush()
    if to in ProjectStatus.notified():
        queue_notice(session, status_notice(project, event, details))
    return event


def approve(session: Session, project: Project, actor: Worker, now: datetime) -> ProjectEvent:
    """Pass a project in the unit's first review (初审); its author is told."""
    return change_status(session, project, S.unit_approved, actor, now)


def return_for_changes(session: Session, project: Project, actor: Worker, now: datetime, reason: str) -> ProjectEvent:
    """Return a project to its author with the reason (required), which the author is told."""
    if not reason.strip():
        raise InvalidField("reason", Problem.empty)
    return change_status(session, project, S.returned, actor, now, reason.strip())


def withdraw(session: Session, project: Project, actor: Worker, now: datetime) -> ProjectEvent:
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


def submit(session: Session, project: Project, actor: Worker, now: datetime) -> ProjectEvent:
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
    if project.status == S.draft and project.worker_id == actor.id and actor.unit_id is not None:
        project.unit_id = actor.unit_id  # a draft goes to the author's unit now, also after a change of unit
    if project.number is None:
        _assign_number(session, project, round_)
    project.submitted_at = now
    return change_status(session, project, S.submitted, actor, now)


def _assign_number(session: Session, project: Project, round_: Round) -> None:
    """Give the project the round's next number (a counter row locked until commit: no collision, no gap)."""
    project.number = _next_number(session, round_)


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


def find_any_round(session: Session, number: str) -> Project | None:
    """Find a project by its full number ("2026-0042") in whichever round it belongs to."""
    return session.scalars(select(Project).where(Project.number == number.strip())).first()
