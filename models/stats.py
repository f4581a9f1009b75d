"""Every figure, from one place: the chat's 统计, the reminders' numbers, and the pages and exports to come.

Each function takes a round and a unit whose subtree it counts (a unit's numbers include
everything below it), so a page, an Excel sheet and the chat ask the same question the same way.
A unit without its own target takes the sum of its children's targets, so a mine's target can be
given once and split down to its teams. What counts as submitted or approved is defined once, on
`ProjectStatus`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.errors import NotFound
from models.project import Project, ProjectEvent, ProjectStatus
from models.unit import Target, Unit, units_under


@dataclass(frozen=True)
class Progress:
    """One unit's numbers in a round (its whole subtree): target, submitted, approved, awaiting review."""

    unit_id: int
    name: str
    target: int | None
    submitted: int
    approved: int
    pending: int = 0

    @property
    def lagging(self) -> bool:
        """Whether the unit has a target and has not reached it."""
        return self.target is not None and self.submitted < self.target


def _own_counts(session: Session, round_id: int) -> dict[int, Counter[str]]:
    """Count each unit's own projects (not its children's) as submitted, approved and pending."""
    query = (select(Project.unit_id, Project.status, func.count()).where(Project.round_id == round_id)
             .group_by(Project.unit_id, Project.status))
    live, approved = ProjectStatus.live(), ProjectStatus.approved()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, status, count in session.execute(query):
        if unit_id is None:
            continue
        counts[unit_id]["submitted"] += count if status in live else 0
        counts[unit_id]["approved"] += count if status in approved else 0
        counts[unit_id]["pending"] += count if status == ProjectStatus.submitted else 0
    return counts


def progress_tree(session: Session, round_id: int) -> dict[int, Progress]:
    """Return the progress of every unit of the tree in a round, children added into parents."""
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    targets: dict[int, int] = {unit_id: count for unit_id, count in session.execute(
        select(Target.unit_id, Target.count).where(Target.round_id == round_id))}
    own = _own_counts(session, round_id)
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    result: dict[int, Progress] = {}

    def visit(unit: Unit) -> Progress:
        kids = [visit(child) for child in children[unit.id]]
        counts = own.get(unit.id, Counter())
        kid_targets = [k.target for k in kids if k.target is not None]
        target = targets.get(unit.id, sum(kid_targets) if kid_targets else None)
        progress = Progress(unit.id, unit.name, target, counts["submitted"] + sum(k.submitted for k in kids),
                            counts["approved"] + sum(k.approved for k in kids),
                            counts["pending"] + sum(k.pending for k in kids))
        result[unit.id] = progress
        return progress

    for root in children[None]:
        visit(root)
    return result


def children_ids(session: Session, unit_id: int) -> list[int]:
    """The ids of a unit's direct children, in order."""
    return list(session.scalars(select(Unit.id).where(Unit.parent_id == unit_id).order_by(Unit.id)))


def unit_progress(session: Session, round_id: int, unit_id: int) -> list[Progress]:
    """Return the unit's own progress first, then each direct child's (the chat's 统计, a drill-down)."""
    tree = progress_tree(session, round_id)
    if unit_id not in tree:
        raise NotFound("no such unit")
    return [tree[unit_id], *(tree[kid] for kid in children_ids(session, unit_id))]


def pending_projects(session: Session, round_id: int, unit_id: int, limit: int | None = None) -> list[Project]:
    """Projects of the unit's subtree waiting for the unit's first review, oldest first."""
    query = (select(Project).options(selectinload(Project.worker), selectinload(Project.unit))
             .where(Project.unit_id.in_(units_under(session, unit_id)), Project.round_id == round_id,
                    Project.status == ProjectStatus.submitted)
             .order_by(Project.submitted_at, Project.id).limit(limit))
    return list(session.scalars(query))


def count_pending(session: Session, round_id: int, unit_id: int) -> int:
    """How many projects of the unit's subtree wait for the unit's first review."""
    return session.scalar(select(func.count()).select_from(Project).where(
        Project.unit_id.in_(units_under(session, unit_id)), Project.round_id == round_id,
        Project.status == ProjectStatus.submitted)) or 0


def status_changes(session: Session, round_id: int, unit_id: int, since: datetime, until: datetime) -> dict[str, int]:
    """How many projects of the unit's subtree moved to each status in the window (since, until]."""
    query = (select(ProjectEvent.to_status).join(Project)
             .where(Project.round_id == round_id, Project.unit_id.in_(units_under(session, unit_id)),
                    ProjectEvent.at > since, ProjectEvent.at <= until))
    return dict(Counter(session.scalars(query)))
