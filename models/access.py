"""Who may see and change what: the one home of the access rules, for the chat and the pages alike."""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from models.errors import NotAllowed
from models.project import Project, ProjectStatus
from models.unit import units_under
from models.worker import Role, Worker


class Actor(StrEnum):
    """Who a move of a project is reserved to."""

    author = "author"
    coordinator = "coordinator"
    staff = "staff"


def coordinates(worker: Worker) -> bool:
    """Whether the worker looks after a unit (a coordinator, or an admin bound to one)."""
    return worker.role in (Role.coordinator, Role.admin) and worker.unit_id is not None


def in_subtree(session: Session, worker: Worker, project: Project) -> bool:
    """Whether the project belongs to the worker's unit or a unit below it."""
    return worker.unit_id is not None and project.unit_id in units_under(session, worker.unit_id)


def may_see(session: Session, worker: Worker, project: Project) -> bool:
    """Whether the worker may see the project: their own; a coordinator's subtree; any for reviewers and admins."""
    if project.worker_id == worker.id:
        return True
    if worker.role not in (Role.coordinator, Role.admin, Role.reviewer) or worker.unit_id is None:
        return False
    return worker.role != Role.coordinator or in_subtree(session, worker, project)


def may_edit(project: Project | None, worker: Worker) -> bool:
    """Whether the worker may change the project now: their own draft, or their own returned project."""
    return project is not None and project.worker_id == worker.id and project.status in ProjectStatus.editable()


def check_edit(project: Project, worker: Worker) -> None:
    """Raise NotAllowed unless the worker may change the project now."""
    if not may_edit(project, worker):
        raise NotAllowed(Actor.author)


def check_actor(session: Session, project: Project, actor: Worker, who: Actor) -> None:
    """Raise NotAllowed unless the actor may make a move reserved to `who`."""
    if who == Actor.author and project.worker_id == actor.id:
        return
    if who == Actor.coordinator and coordinates(actor) and in_subtree(session, actor, project):
        return
    if who == Actor.staff and actor.role in (Role.reviewer, Role.admin):
        return
    raise NotAllowed(who)


def check_refile(session: Session, project: Project, actor: Worker | None) -> None:
    """Raise NotAllowed unless the actor may file the project under another system.

    Drafts are the author's to fill; reviewers and admins refile anything submitted, a
    coordinator their subtree's projects; `actor` None is staff at the command line.
    """
    if project.status == ProjectStatus.draft:
        raise NotAllowed(Actor.coordinator)
    if actor is not None and actor.role not in (Role.reviewer, Role.admin):
        check_actor(session, project, actor, Actor.coordinator)
