"""The unit's first review (初审) as a list to work through: what waits, filtered, and decided one by one or in bulk.

The decisions themselves are `workflow.approve` and `workflow.return_for_changes`, the very
calls the chat makes when a coordinator approves or returns a number: each checks the actor's access, records the
change (history and audit log) and queues the author's one notice. Deciding in bulk is the
same call per project; one that cannot be decided (no longer waiting, not the actor's) is
reported and leaves the others decided.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from models.access import Actor, coordinated_unit_ids, visible_project
from models.errors import InvalidField, InvalidTransition, NotAllowed, NotFound, Problem
from models.project import Attachment, Project, ProjectStatus
from models.unit import Unit, units_under
from models.workflow import approve, return_for_changes

#: Projects on one page of the review list.
PAGE_SIZE = 30
#: The longest reason a return may give (the worker reads it in one chat message).
MAX_REASON = 500
#: An attachment downloaded from WeChat and kept on disk (bot/media.py).
STORED = "fetched"


class Decision(StrEnum):
    """What a coordinator decides about a waiting project."""

    approve = "approve"
    return_ = "return"


@dataclass(frozen=True)
class ReviewFilter:
    """What the list asks for; every field is optional."""

    unit_id: int | None = None  # this unit and everything below it
    system: str | None = None
    category: str | None = None
    words: str | None = None  # in the title or the description


@dataclass(frozen=True)
class Outcome:
    """What became of one project of a decision: done, or why not (`not_found`, or the status it has now)."""

    number: str
    done: bool
    problem: str | None = None
    title: str = ""


def _pending_condition(session: Session, actor: Actor, wanted: ReviewFilter) -> ColumnElement[bool]:
    """The projects waiting for the actor's first review that match the filter."""
    units = coordinated_unit_ids(session, actor)
    condition: ColumnElement[bool] = (Project.status == ProjectStatus.submitted) & (
        true() if units is None else Project.unit_id.in_(units))
    if wanted.unit_id is not None:
        condition &= Project.unit_id.in_(units_under(session, wanted.unit_id))
    if wanted.system:
        condition &= Project.system == wanted.system
    if wanted.category:
        condition &= Project.category == wanted.category
    for word in (wanted.words or "").split():
        condition &= or_(Project.title.contains(word, autoescape=True),
                         Project.description.contains(word, autoescape=True))
    return condition


def pending_for_review(session: Session, actor: Actor, wanted: ReviewFilter, page: int = 1,
                       page_size: int = PAGE_SIZE) -> list[Project]:
    """One page of the projects waiting for the actor's first review, oldest submission first."""
    query = (select(Project).options(selectinload(Project.worker), selectinload(Project.unit),
                                     selectinload(Project.attachments))
             .where(_pending_condition(session, actor, wanted))
             .order_by(Project.submitted_at, Project.id).offset((max(page, 1) - 1) * page_size).limit(page_size))
    return list(session.scalars(query))


def count_pending_for_review(session: Session, actor: Actor, wanted: ReviewFilter) -> int:
    """How many projects wait for the actor's first review and match the filter."""
    query = select(func.count()).select_from(Project).where(_pending_condition(session, actor, wanted))
    return session.scalar(query) or 0


def units_with_pending(session: Session, actor: Actor) -> list[Unit]:
    """The units of the actor's subtree that have projects waiting, by name (the list's unit filter)."""
    waiting = select(Project.unit_id).where(_pending_condition(session, actor, ReviewFilter())).distinct()
    return list(session.scalars(select(Unit).where(Unit.id.in_(waiting)).order_by(Unit.name, Unit.id)))


def stored_photos(project: Project) -> list[Attachment]:
    """The project's photos that have been downloaded and can be shown."""
    return [a for a in project.attachments if a.status == STORED and a.stored_path]


def checked_reason(decision: Decision, reason: str | None) -> str:
    """The reason as it will be kept; raise InvalidField when a return has none or too long a one."""
    text = (reason or "").strip()
    if decision == Decision.return_ and not text:
        raise InvalidField("reason", Problem.empty)
    if len(text) > MAX_REASON:
        raise InvalidField("reason", Problem.too_long)
    return text


def decide(session: Session, actor: Actor, numbers: list[str], decision: Decision, reason: str | None,
           now: datetime) -> list[Outcome]:
    """Pass or return each project (by number) as the chat does; return what became of each, in order.

    A return needs its reason (InvalidField, nothing decided); the same reason goes to every
    project returned together. A number given twice is decided once.
    """
    text = checked_reason(decision, reason)
    outcomes = []
    for number in dict.fromkeys(n.strip() for n in numbers if n.strip()):
        outcomes.append(_decide_one(session, actor, number, decision, text, now))
    return outcomes


def _decide_one(session: Session, actor: Actor, number: str, decision: Decision, reason: str,
                now: datetime) -> Outcome:
    """Decide one project; a project the actor may not see is `not_found`, one not waiting says its status."""
    try:
        project = visible_project(session, actor, number)
    except NotFound:
        return Outcome(number, False, "not_found")
    try:
        if decision == Decision.approve:
            approve(session, project, actor, now)
        else:
            return_for_changes(session, project, actor, now, reason)
    except NotAllowed:
        return Outcome(number, False, "not_yours", project.title)
    except InvalidTransition:
        return Outcome(number, False, str(project.status), project.title)
    return Outcome(number, True, None, project.title)
