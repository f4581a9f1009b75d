"""A project's life: draft, submit, withdraw, approve, return — each change recorded with who and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.counter import next_value
from models.errors import DeadlinePassed, InvalidTransition, NotAllowed
from models.project import Attachment, Project, ProjectEvent, ProjectStatus
from models.round import Round
from models.unit import Unit
from models.worker import Role, Worker

S = ProjectStatus
#: Which status may follow which, and who may make the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.draft, S.submitted): "author",
    (S.returned, S.submitted): "author",
    (S.submitted, S.withdrawn): "author",
    (S.returned, S.withdrawn): "author",
    (S.submitted, S.unit_approved): "coordinator",
    (S.submitted, S.returned): "coordinator",
    (S.unit_approved, S.under_review): "staff",
    (S.under_review, S.awarded): "staff",
    (S.under_review, S.not_awarded): "staff",
}


#: Statuses in which the author may still change a project: a draft, or a project returned to them.
EDITABLE = frozenset({S.draft, S.returned})


def editable_by(project: Project | None, worker: Worker) -> bool:
    """Whether `worker` may change `project` now (their own draft, or their own returned project)."""
    return project is not None and project.worker_id == worker.id and project.status in EDITABLE


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


def units_under(session: Session, unit_id: int) -> list[int]:
    """Return the ids of a unit and everything below it."""
    ids, frontier = [unit_id], [unit_id]
    while frontier:
        frontier = list(session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def check_actor(session: Session, project: Project, actor: Worker, who: str) -> None:
    """Raise NotAllowed unless the actor may make a move reserved to `who`."""
    if who == "author" and project.worker_id == actor.id:
        return
    if who == "coordinator" and actor.role in (Role.coordinator, Role.admin) and actor.unit_id is not None \
            and project.unit_id in units_under(session, actor.unit_id):
        return
    if who == "staff" and actor.role in (Role.reviewer, Role.admin):
        return
    raise NotAllowed(who)


def change_status(session: Session, project: Project, to: ProjectStatus, actor: Worker, now: datetime,
                  reason: str | None = None) -> ProjectEvent:
    """Move a project to a new status if allowed, and record who, when and why."""
    who = TRANSITIONS.get((project.status, to))
    if who is None:
        raise InvalidTransition(f"{project.status}->{to}")
    check_actor(session, project, actor, who)
    event = ProjectEvent(project_id=project.id, actor_id=actor.id, at=now, from_status=project.status,
                         to_status=to, reason=reason)
    project.status = to
    project.updated_at = now
    session.add(event)
    session.flush()
    return event


#: The round counter (models/counter.py) that numbers a round's projects.
PROJECT_NUMBERS = "project_number"


def _numbered_before(session: Session, round_: Round) -> int:
    """The highest project number the round gave out before its counter existed (0 for a new round)."""
    numbers = session.scalars(select(Project.number).where(Project.round_id == round_.id,
                                                           Project.number.is_not(None)))
    return max((int(n.rsplit("-", 1)[-1]) for n in numbers if n.rsplit("-", 1)[-1].isdigit()), default=0)


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
