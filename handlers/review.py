"""Coordinators in the chat: the pending list, approving, returning with a reason, and unit numbers."""
from __future__ import annotations

from handlers import texts
from handlers.draft_view import system_from
from handlers.query import lookup
from handlers.turn import State, Turn
from handlers.unit_stats import say_unit_stats
from models.access import coordinates
from models.corrections import correct_system
from models.drafts import trimmed
from models.errors import InvalidTransition, NotAllowed
from models.listing import project_by_id
from models.project import Project, ProjectStatus, System
from models.unit import Unit
from models.unit_review import ReviewFilter, count_pending_for_review, pending_for_review
from models.workflow import approve, return_for_changes

MAX_LISTED = 20


def is_coordinator(t: Turn) -> bool:
    """Whether the worker coordinates a unit (admins may too; a linked web account's scope counts)."""
    return coordinates(t.session, t.actor)


def _refuse(t: Turn) -> State:
    """Tell a worker this is for coordinators."""
    t.say(texts.ONLY_COORDINATORS)
    return State.idle


def pending(t: Turn) -> State:
    """List the unit's projects waiting for first review."""
    unit_id = t.unit_in_charge
    unit = t.session.get(Unit, unit_id) if unit_id is not None and is_coordinator(t) else None
    if unit is None:
        return _refuse(t)
    wanted = ReviewFilter(unit_id=unit.id)  # the review page's list: every round's waiting projects
    projects = pending_for_review(t.session, t.actor, wanted, page_size=MAX_LISTED)
    if not projects:
        t.say(texts.PENDING_NONE.format(unit=unit.full_name()))
        return State.idle
    lines = "\n".join(texts.PENDING_LINE.format(index=i, number=p.number, title=p.title,
                                                worker=p.worker.name or "", unit=p.unit.name if p.unit else "")
                      for i, p in enumerate(projects, 1))
    count = count_pending_for_review(t.session, t.actor, wanted)
    t.say(texts.PENDING_LIST.format(unit=unit.full_name(), count=count, lines=lines))
    return State.idle


def decide(t: Turn, to: ProjectStatus, number: str | None, reason: str | None = None) -> State:
    """Approve or return one project of the unit, and tell its author."""
    if not is_coordinator(t):
        return _refuse(t)
    if not number:
        verb = texts.VERB_APPROVE if to == ProjectStatus.unit_approved else texts.VERB_RETURN
        t.say(texts.ASK_WHICH_NUMBER.format(verb=verb))
        return State.idle
    project = lookup(t, number)
    if project is None:
        t.say(texts.PROJECT_NOT_FOUND.format(number=number))
        return State.idle
    if reason and number in t.raw:  # keep the coordinator's own punctuation in the reason
        reason = trimmed(t.raw.split(number, 1)[1]) or reason
    if to == ProjectStatus.returned and not reason:
        t.mem.returning = project.id
        t.say(texts.ASK_RETURN_REASON.format(number=project.number))
        return State.ask_return_reason
    return _decide(t, to, project, reason or "")


def _decide(t: Turn, to: ProjectStatus, project: Project, reason: str) -> State:
    """Approve or return the project (the author's notice is queued by the operation) and say so."""
    try:
        if to == ProjectStatus.unit_approved:
            approve(t.session, project, t.actor, t.now)
        else:
            return_for_changes(t.session, project, t.actor, t.now, reason)
    except NotAllowed:
        t.say(texts.NOT_YOUR_UNIT.format(number=project.number))
        return State.idle
    except InvalidTransition:
        t.say(texts.CANNOT_REVIEW.format(number=project.number,
                                         status=texts.STATUS_WORDS.get(project.status, project.status)))
        return State.idle
    template = texts.APPROVED if to == ProjectStatus.unit_approved else texts.RETURNED
    t.say(template.format(number=project.number, title=project.title, worker=project.worker.name or ""))
    return State.idle


def take_return_reason(t: Turn) -> State:
    """The reason for a return asked for separately."""
    project = project_by_id(t.session, t.mem.returning)
    t.mem.returning = None
    if project is None:
        return State.idle
    return decide(t, ProjectStatus.returned, project.number, t.raw or t.text)


def refile(t: Turn) -> State:
    """File a project of the unit under another system ("0042 专业改成机电"); the correction is kept."""
    if not is_coordinator(t):
        return _refuse(t)
    number, value = t.slots_in.get("number"), t.slots_in.get("value")
    system = system_from(value, {}) if value else None
    if not number or system is None:
        t.say(texts.ASK_REFILE)
        return State.idle
    project = lookup(t, number)
    if project is None:
        t.say(texts.PROJECT_NOT_FOUND.format(number=number))
        return State.idle
    try:
        correction = correct_system(t.session, project, System(system), t.actor, t.now)
    except NotAllowed:
        t.say(texts.CANNOT_REFILE.format(number=project.number) if project.status == ProjectStatus.draft
              else texts.NOT_YOUR_UNIT.format(number=project.number))
        return State.idle
    name = texts.SYSTEM_NAMES[system]
    template = texts.REFILED if correction else texts.REFILE_SAME
    t.say(template.format(number=project.number, title=project.title, system=name))
    return State.idle


def stats(t: Turn) -> State:
    """The unit's submitted and approved projects against its target, by team."""
    if not is_coordinator(t):
        return _refuse(t)
    say_unit_stats(t)
    return State.idle
