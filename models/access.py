"""Who may see and act on what: the one home of the access rules, for the chat and the pages alike.

The person doing something is an `Actor`: a WeChat follower in the chat, a web account on the
pages, or both at once when the account is linked to the follower (`Account.worker_id`) — then
they are one person whichever door they use, with the same reach and the same name in the
history and the audit log. Two things are asked of an actor:

- *authorship* is the follower's: a project is its author's on the web as in the chat;
- *authority* (which units and projects they look after) is the account's when there is one,
  since the union office manages accounts and their scope, with every change in the audit log;
  a follower without an account has the role they bound with in the chat.

Staff and admins see the whole city. A coordinator sees their unit and everything below it. A
reviewer's account sees only the projects assigned to it (`assigned_project_ids`). Whatever an
actor may not see does not exist for them: the lookups raise NotFound, the pages answer 404 and
the chat says it found nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from models.account import Account, AccountRole
from models.audit import Actor as AuditActor
from models.errors import NotAllowed, NotFound
from models.project import Project, ProjectStatus, find_any_round, find_by_number
from models.review_records import assigned_ids
from models.round import Round
from models.unit import Unit, units_under
from models.worker import Role, Worker

#: Account roles that see every unit and every project, and may review any unit's projects.
CITY_WIDE = frozenset({AccountRole.admin, AccountRole.staff})


class Party(StrEnum):
    """Who a move of a project is reserved to."""

    author = "author"
    coordinator = "coordinator"
    staff = "staff"


@dataclass(frozen=True)
class Actor:
    """The person doing something: a follower, an account, or an account and its linked follower."""

    channel: str  # "chat" or "web": the door they came through, as the audit log keeps it
    worker: Worker | None = None
    account: Account | None = None

    @property
    def worker_id(self) -> int | None:
        """The follower's id, kept as the history's actor (None for an account without a follower)."""
        return self.worker.id if self.worker is not None else None

    @property
    def name(self) -> str:
        """How the history and the log name them: the account's username, else the follower's name."""
        if self.account is not None:
            return self.account.username
        assert self.worker is not None
        return self.worker.name or self.worker.openid

    @property
    def audit(self) -> AuditActor:
        """The audit log's record of this actor."""
        return AuditActor(channel=self.channel, account_id=self.account.id if self.account else None,
                          worker_id=self.worker_id, name=self.name)


def web_actor(account: Account) -> Actor:
    """The actor for something done on the pages: the account, with its linked follower if any."""
    return Actor(channel="web", worker=account.worker, account=account)


def chat_actor(session: Session, worker: Worker) -> Actor:
    """The actor for something said in the chat: the follower, with the account linked to them if any."""
    account = session.scalars(select(Account).where(Account.worker_id == worker.id)).first()
    return Actor(channel="chat", worker=worker, account=account)


def assigned_project_ids(session: Session, account: Account) -> frozenset[int]:
    """The projects assigned to a reviewer for the city review (`models.city_review`), in any round.

    Every rule below (and every page, and the chat) follows from it; other roles are assigned nothing.
    """
    if account.role != AccountRole.reviewer:
        return frozenset()
    return assigned_ids(session, account.id)


def coordinated_unit_ids(session: Session, actor: Actor) -> frozenset[int] | None:
    """The units whose projects the actor reviews first (初审): None means every unit."""
    account = actor.account
    if account is not None:
        if not account.active:
            return frozenset()
        if account.role in CITY_WIDE:
            return None
        if account.role == AccountRole.coordinator and account.unit_id is not None:
            return frozenset(units_under(session, account.unit_id))
        return frozenset()
    worker = actor.worker
    if worker is not None and worker.role in (Role.coordinator, Role.admin) and worker.unit_id is not None:
        return frozenset(units_under(session, worker.unit_id))
    return frozenset()


def coordinator_unit_id(actor: Actor) -> int | None:
    """The one unit the actor coordinates (the top of their subtree), or None (none, or the whole city)."""
    account = actor.account
    if account is not None:
        return account.unit_id if account.active and account.role == AccountRole.coordinator else None
    worker = actor.worker
    return worker.unit_id if worker is not None and worker.role in (Role.coordinator, Role.admin) else None


def coordinates(session: Session, actor: Actor) -> bool:
    """Whether the actor looks after some unit's first review (a coordinator, staff, an admin bound to a unit)."""
    units = coordinated_unit_ids(session, actor)
    return units is None or bool(units)


def visible_unit_ids(session: Session, actor: Actor) -> frozenset[int] | None:
    """The units whose pages and projects the actor may see; None means every unit."""
    account = actor.account
    if account is None and actor.worker is not None and actor.worker.role in (Role.reviewer, Role.admin):
        return None if actor.worker.unit_id is not None else frozenset()  # the chat's reviewers read any project
    return coordinated_unit_ids(session, actor)


def _reviewer_account(actor: Actor) -> Account | None:
    """The actor's account if it is an active reviewer's (who sees by assignment, not by unit)."""
    account = actor.account
    return account if account is not None and account.active and account.role == AccountRole.reviewer else None


def may_see_unit(session: Session, actor: Actor, unit_id: int) -> bool:
    """Whether the actor may see this unit (and its figures)."""
    units = visible_unit_ids(session, actor)
    return units is None or unit_id in units


def may_see_path(actor: Actor, path: Sequence[int]) -> bool:
    """Whether the actor may see the unit whose ids from the top of the tree down to it are `path`.

    The same rule as `visible_unit_ids`, for a caller that already read the tree (the statistics):
    a coordinator sees a unit when their own unit lies on its path; no statement is needed.
    """
    account = actor.account
    if account is None or not account.active:
        return False
    if account.role in CITY_WIDE:
        return True
    return account.role == AccountRole.coordinator and account.unit_id is not None and account.unit_id in path


def may_see(session: Session, actor: Actor, project: Project) -> bool:
    """Whether the actor may see the project: their own; their subtree's; a reviewer what is assigned."""
    if actor.worker is not None and project.worker_id == actor.worker.id:
        return True
    reviewer = _reviewer_account(actor)
    if reviewer is not None:
        return project.id in assigned_project_ids(session, reviewer)
    return project.unit_id is not None and may_see_unit(session, actor, project.unit_id)


def project_scope(session: Session, actor: Actor) -> ColumnElement[bool]:
    """A condition on `Project` that keeps exactly the projects the actor may see, for list queries."""
    own = Project.worker_id == actor.worker.id if actor.worker is not None else false()
    reviewer = _reviewer_account(actor)
    if reviewer is not None:
        return or_(own, Project.id.in_(assigned_project_ids(session, reviewer)))
    units = visible_unit_ids(session, actor)
    return true() if units is None else or_(own, Project.unit_id.in_(units))


def visible_project(session: Session, actor: Actor, number: str, in_round: Round | None = None) -> Project:
    """The project with this number if the actor may see it; NotFound otherwise (also when it exists).

    A full number ("2025-0042") is found in any round; with ``in_round`` (the chat's current round) a
    short one ("0042", "42") is found in that round first, and a full number of an earlier round still
    finds its project (one waiting from that round, say).
    """
    project = find_by_number(session, in_round, number) if in_round is not None else None
    if project is None:
        project = find_any_round(session, number)
    if project is None or project.number is None or not may_see(session, actor, project):
        raise NotFound(number)
    return project


def visible_unit(session: Session, actor: Actor, unit_id: int) -> Unit:
    """The unit with this id if the actor may see it; NotFound otherwise (also when it exists)."""
    unit = session.get(Unit, unit_id)
    if unit is None or not may_see_unit(session, actor, unit.id):
        raise NotFound(str(unit_id))
    return unit


def may_review(session: Session, actor: Actor, project: Project) -> bool:
    """Whether the actor may make the unit's first-review moves on this project (its unit is theirs)."""
    units = coordinated_unit_ids(session, actor)
    return units is None or (project.unit_id is not None and project.unit_id in units)


def _is_staff(actor: Actor) -> bool:
    """Whether the actor may make the union office's moves (review, awards)."""
    if actor.account is not None:
        return actor.account.active and actor.account.role in CITY_WIDE
    return actor.worker is not None and actor.worker.role in (Role.reviewer, Role.admin)


def check_actor(session: Session, project: Project, actor: Actor, who: Party) -> None:
    """Raise NotAllowed unless the actor may make a move reserved to `who`."""
    if who == Party.author and actor.worker is not None and project.worker_id == actor.worker.id:
        return
    if who == Party.coordinator and may_review(session, actor, project):
        return
    if who == Party.staff and _is_staff(actor):
        return
    raise NotAllowed(who)


def may_edit(project: Project | None, worker: Worker) -> bool:
    """Whether the worker may change the project now: their own draft, or their own returned project."""
    return project is not None and project.worker_id == worker.id and project.status in ProjectStatus.editable()


def check_edit(project: Project, worker: Worker) -> None:
    """Raise NotAllowed unless the worker may change the project now."""
    if not may_edit(project, worker):
        raise NotAllowed(Party.author)


def check_refile(session: Session, project: Project, actor: Actor | None) -> None:
    """Raise NotAllowed unless the actor may file the project under another system.

    Drafts are the author's to fill; the office (and the chat's reviewers) refile anything
    submitted, a coordinator their subtree's projects, a reviewer's account what is assigned to
    it; `actor` None is staff at the command line.
    """
    if project.status == ProjectStatus.draft:
        raise NotAllowed(Party.coordinator)
    if actor is None or _is_staff(actor):
        return
    reviewer = _reviewer_account(actor)
    if reviewer is not None and project.id in assigned_project_ids(session, reviewer):
        return
    check_actor(session, project, actor, Party.coordinator)
