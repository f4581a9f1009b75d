"""Status queries (查询): the worker's projects, one project's details and history, and withdrawing."""
from __future__ import annotations

from handlers import texts
from handlers.draft_view import project_benefit, short_date, short_number
from handlers.similar import similar_lines
from handlers.turn import State, Turn
from models.access import visible_project
from models.errors import DomainError, NotFound
from models.listing import worker_projects
from models.project import Project
from models.round import round_for
from models.workflow import withdraw as withdraw_project


def _status(project: Project) -> str:
    """A status in plain words."""
    return texts.STATUS_WORDS.get(project.status, project.status)


def list_mine(t: Turn) -> None:
    """Say the worker's projects, newest change first."""
    projects = worker_projects(t.session, t.dialog.worker_id)
    if not projects:
        t.say(texts.NO_PROJECTS)
        return
    lines = "\n".join(texts.MY_PROJECT_LINE.format(index=i, number=p.number, title=p.title, status=_status(p),
                                                   date=short_date(p.updated_at))
                      for i, p in enumerate(projects, 1))
    t.say(texts.MY_PROJECTS.format(lines=lines, example=short_number(projects[0].number)))


def lookup(t: Turn, number: str) -> Project | None:
    """Find a project by number that this worker may see (their own, their unit's for coordinators: models/access)."""
    try:
        return visible_project(t.session, t.actor, number, round_for(t.session, t.now))
    except NotFound:
        return None


def detail(t: Turn, number: str) -> None:
    """Say one project's status and its history, with reasons."""
    project = lookup(t, number)
    if project is None:
        t.say(texts.PROJECT_NOT_FOUND.format(number=number))
        return
    history = "\n".join(
        texts.HISTORY_LINE.format(date=short_date(e.at), status=texts.STATUS_WORDS.get(e.to_status, e.to_status),
                                  reason=texts.HISTORY_REASON.format(reason=e.reason) if e.reason else "")
        for e in project.events)
    t.say(texts.PROJECT_DETAIL.format(
        number=project.number, title=project.title, status=_status(project),
        category=texts.CATEGORY_NAMES.get(project.category or "", texts.SUMMARY_UNKNOWN),
        system=texts.SYSTEM_NAMES.get(project.system or "", texts.SUMMARY_UNKNOWN),
        benefit=project_benefit(project), history=history))
    if project.worker_id != t.worker.id:  # a coordinator looking: show what it resembles
        lines = similar_lines(t.similar, t.session, project)
        if lines:
            t.say(texts.SIMILAR_FOR_REVIEW.format(lines=lines))


def respond(t: Turn) -> None:
    """Answer a query: the list, or one project when a number was given."""
    number = t.slots_in.get("number")
    if number:
        detail(t, number)
    else:
        list_mine(t)


def withdraw(t: Turn) -> State:
    """Withdraw one of the worker's own projects before review."""
    number = t.slots_in.get("number")
    if not number:
        t.say(texts.ASK_WHICH_NUMBER.format(verb=texts.VERB_WITHDRAW))
        return State.idle
    project = lookup(t, number)
    if project is None or project.worker_id != t.worker.id:
        t.say(texts.PROJECT_NOT_FOUND.format(number=number))
        return State.idle
    try:
        withdraw_project(t.session, project, t.actor, t.now)
    except DomainError:
        t.say(texts.CANNOT_WITHDRAW.format(number=project.number, status=_status(project)))
        return State.idle
    t.say(texts.WITHDRAWN.format(number=project.number, title=project.title))
    return State.idle
