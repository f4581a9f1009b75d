"""The city review (评审) of a round: opening it, assigning reviewers by professional group, closing it.

One `CityReview` per round holds its state (open, then closed), its deadline and, later, the
public-notice period of the awards (`models/awards.py`). A `ReviewAssignment` gives one
project to one reviewer account and holds that reviewer's score card once filled in
(`models/scoring.py`). Operations take the session and the acting account, check that it is the
union office's (admin or staff), record every change with `models.audit.record` and never commit.

Assignment itself is `models.reviewer_assignment.plan_assignments` (pure): each project gets N
reviewers from its system's group, never one of its own enterprise, load spread evenly. An
enterprise here is the `enterprise` unit above a project's (or a reviewer's) unit; a reviewer
account without a unit is an outside expert and never in conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from models.account import Account, AccountRole
from models.access import web_actor
from models.accounts import actor_of
from models.audit import record
from models.base import connection_of
from models.errors import InvalidTransition, NotAllowed, NotFound
from models.project import Project, ProjectStatus
from models.reviewer_assignment import AssignmentPlan, AssignmentRules, ProjectToReview, Reviewer, plan_assignments
from models.reviewer_assignment import Assignment as PlannedAssignment
from models.round import Round
from models.unit import Unit, UnitKind
from models.review_records import CityReview, ReviewAssignment, ReviewState
from models.workflow import change_status

#: Roles that run the city review and the awards.
OFFICE = (AccountRole.admin, AccountRole.staff)




def check_office(account: Account) -> None:
    """Raise NotAllowed unless the account belongs to the union office (admin or staff)."""
    if not account.active or not account.has_role(*OFFICE):
        raise NotAllowed("office")


def review_of(session: Session, round_id: int) -> CityReview | None:
    """The round's city review, or None before staff open it."""
    return session.scalars(select(CityReview).where(CityReview.round_id == round_id)).first()


def get_review(session: Session, round_id: int) -> CityReview:
    """The round's city review; NotFound before it is opened."""
    review = review_of(session, round_id)
    if review is None:
        raise NotFound(str(round_id))
    return review


def _start_reviewing(session: Session, account: Account, round_id: int, now: datetime) -> list[Project]:
    """Move the round's projects that passed the unit review into the city review."""
    waiting = list(session.scalars(select(Project).where(Project.round_id == round_id,
                                                         Project.status == ProjectStatus.unit_approved)
                                   .order_by(Project.id)))
    for project in waiting:
        change_status(session, project, ProjectStatus.under_review, web_actor(account), now)
    return waiting


def open_review(session: Session, account: Account, round_: Round, now: datetime,
                deadline: datetime | None = None) -> CityReview:
    """Open the round's city review (deadline: the round's city-review deadline unless given).

    Every project that passed its unit review moves to `under_review`. Opening an open review
    again changes nothing; a closed one cannot be reopened (its cards are final).
    """
    check_office(account)
    review = review_of(session, round_.id)
    if review is not None:
        if not review.is_open:
            raise InvalidTransition("closed->open")
        return review
    review = CityReview(round_id=round_.id, state=ReviewState.open, deadline=deadline or round_.city_review_deadline,
                        opened_at=now)
    session.add(review)
    session.flush()
    moved = _start_reviewing(session, account, round_.id, now)
    record(session, actor_of(account), "review.open", "round", round_.id, at=now,
           after={"state": review.state, "deadline": review.deadline.isoformat(), "projects": len(moved)})
    return review


def enterprises(session: Session) -> dict[int, int]:
    """Every unit's enterprise (集团/公司): the `enterprise` unit at or above it, else its top unit below the city.

    One query for the whole tree, since assigning asks it of every project and reviewer.
    """
    rows = {uid: (parent, kind) for uid, parent, kind in session.execute(select(Unit.id, Unit.parent_id, Unit.kind))}
    found: dict[int, int] = {}
    for start in rows:
        node: int | None = start
        top: int | None = None
        while node is not None and node in rows and rows[node][1] != UnitKind.city:
            top = node
            if rows[node][1] == UnitKind.enterprise:
                break
            node = rows[node][0]
        if top is not None:
            found[start] = top
    return found


def reviewer_accounts(session: Session) -> list[Account]:
    """Every active reviewer account, by username."""
    query = select(Account).where(Account.role == AccountRole.reviewer, Account.active.is_(True))
    return list(session.scalars(query.order_by(Account.username)))


def review_projects(session: Session, round_id: int) -> list[Project]:
    """The projects in the round's city review (and those decided after it), by number."""
    statuses = (ProjectStatus.under_review, ProjectStatus.awarded, ProjectStatus.not_awarded)
    query = select(Project).where(Project.round_id == round_id, Project.status.in_(statuses))
    return list(session.scalars(query.order_by(Project.number)))


def assignments(session: Session, review: CityReview) -> list[ReviewAssignment]:
    """Every assignment of the review, by project and reviewer."""
    query = select(ReviewAssignment).where(ReviewAssignment.review_id == review.id)
    return list(session.scalars(query.order_by(ReviewAssignment.project_id, ReviewAssignment.account_id)))


@dataclass(frozen=True)
class AssignmentOutcome:
    """What assigning did: the plan (with shortfalls and stale ones) and the rows added."""

    plan: AssignmentPlan
    added: tuple[ReviewAssignment, ...]


def current_plan(session: Session, review: CityReview, rules: AssignmentRules) -> AssignmentPlan:
    """The assignment plan as of now, without changing anything (what assigning would add)."""
    projects = [p for p in review_projects(session, review.round_id) if p.status == ProjectStatus.under_review]
    enterprise = enterprises(session)
    to_review = [ProjectToReview(str(p.id), p.system, _key(enterprise.get(p.unit_id or 0))) for p in projects]
    reviewers = [Reviewer(str(a.id), frozenset(str(system) for system in a.systems or []),
                          _key(enterprise.get(a.unit_id or 0))) for a in reviewer_accounts(session)]
    existing = [PlannedAssignment(str(a.project_id), str(a.account_id)) for a in assignments(session, review)]
    return plan_assignments(to_review, reviewers, existing, rules)


def _key(value: int | None) -> str | None:
    """An id as the planner's key."""
    return None if value is None else str(value)


def assign_reviewers(session: Session, account: Account, review: CityReview, rules: AssignmentRules,
                     now: datetime) -> AssignmentOutcome:
    """Give every project in the review its N reviewers by professional group, keeping what was assigned."""
    check_office(account)
    # Two staff assigning at once queue up on the review's row (PostgreSQL; SQLite's write gate
    # already queues whole transactions), so the second plans from the first's rows and a
    # project never gets more than N reviewers, even if the reviewers changed in between.
    session.refresh(review, with_for_update=True)
    if not review.is_open:
        raise InvalidTransition("closed")
    _start_reviewing(session, account, review.round_id, now)  # projects passed after the review opened join it
    plan = current_plan(session, review, rules)
    wanted = {(int(a.project), int(a.reviewer)) for a in plan.new}
    if wanted:  # one statement; a second click, or a second staff member at once, adds nothing twice
        connection = connection_of(session)
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(ReviewAssignment.__table__).on_conflict_do_nothing(
            index_elements=["project_id", "account_id"])
        connection.execute(statement, [{"review_id": review.id, "project_id": project, "account_id": reviewer,
                                        "assigned_at": now, "comment": ""} for project, reviewer in sorted(wanted)])
    query = (select(ReviewAssignment)
             .where(ReviewAssignment.review_id == review.id, ReviewAssignment.assigned_at == now)
             .options(selectinload(ReviewAssignment.project), selectinload(ReviewAssignment.account)))
    added = [a for a in session.scalars(query) if (a.project_id, a.account_id) in wanted]
    by_project: dict[int, list[ReviewAssignment]] = {}
    for row in added:
        by_project.setdefault(row.project_id, []).append(row)
    for rows in by_project.values():  # one entry per project: who now reviews it
        record(session, actor_of(account), "review.assign", "project", rows[0].project.number, at=now,
               after={"reviewers": [row.account.username for row in rows]})
    return AssignmentOutcome(plan, tuple(added))


def remove_assignment(session: Session, account: Account, assignment: ReviewAssignment, now: datetime) -> None:
    """Take a project away from a reviewer (e.g. a stale assignment); their card, if any, goes with it."""
    check_office(account)
    if not assignment.review.is_open:
        raise InvalidTransition("closed")
    record(session, actor_of(account), "review.unassign", "project", assignment.project.number, at=now,
           before={"reviewer": assignment.account.username, "total": _text(assignment.total)})
    session.delete(assignment)
    session.flush()


def _text(value: Decimal | None) -> str | None:
    """A stored score as the audit log keeps it."""
    return None if value is None else str(value)


def close_review(session: Session, account: Account, review: CityReview, now: datetime) -> None:
    """Close the review: cards become final and results may be shown and turned into awards."""
    check_office(account)
    if not review.is_open:
        raise InvalidTransition("closed->closed")
    rows = assignments(session, review)
    review.state, review.closed_at = ReviewState.closed, now
    record(session, actor_of(account), "review.close", "round", review.round_id, at=now,
           before={"state": ReviewState.open}, after={"state": review.state, "cards": sum(r.scored for r in rows),
                                                       "assignments": len(rows)})
