"""Targets (目标责任制) and progress: how many projects each unit of the tree submitted and got approved.

Every count comes from here, so the chat, the pages and the exports add up the same way.
A unit's numbers include everything below it; a unit without its own target takes the sum of its
children's targets, so a mine's target can be given once and split down to its teams.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import DomainError, NotFound
from models.project import Project, ProjectStatus
from models.unit import Target, Unit

#: Statuses that count as submitted (everything but drafts and withdrawn projects).
SUBMITTED = frozenset(ProjectStatus) - {ProjectStatus.draft, ProjectStatus.withdrawn}
#: Statuses that count as approved by the unit (first review passed, or later).
APPROVED = frozenset({ProjectStatus.unit_approved, ProjectStatus.under_review, ProjectStatus.awarded,
                      ProjectStatus.not_awarded})


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


def set_target(session: Session, round_id: int, unit_id: int, count: int) -> Target:
    """Give a unit its target for a round (replacing any earlier one)."""
    if count < 0:
        raise DomainError("a target cannot be negative")
    target = session.scalars(select(Target).where(Target.round_id == round_id, Target.unit_id == unit_id)).first()
    if target is None:
        target = Target(round_id=round_id, unit_id=unit_id, count=count)
        session.add(target)
    target.count = count
    session.flush()
    return target


def split_target(session: Session, round_id: int, parent_id: int,
                 shares: dict[int, int] | None = None) -> list[Target]:
    """Split a parent's target among its children: given shares (must add up), or evenly."""
    parent = session.get(Unit, parent_id)
    own = session.scalars(select(Target.count).where(Target.round_id == round_id,
                                                     Target.unit_id == parent_id)).first()
    if parent is None or own is None:
        raise NotFound("the unit has no target in this round")
    children = [child.id for child in parent.children]
    if not children:
        raise DomainError("the unit has no children to split its target among")
    if shares is None:
        base, extra = divmod(own, len(children))
        shares = {child: base + (1 if i < extra else 0) for i, child in enumerate(children)}
    if set(shares) - set(children) or sum(shares.values()) != own:
        raise DomainError(f"the shares must go to the unit's children and add up to {own}")
    return [set_target(session, round_id, child, count) for child, count in shares.items()]


def _own_counts(session: Session, round_id: int) -> dict[int, dict[str, int]]:
    """Count each unit's own projects by status group (not including children)."""
    query = (select(Project.unit_id, Project.status, func.count()).where(Project.round_id == round_id)
             .group_by(Project.unit_id, Project.status))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"submitted": 0, "approved": 0, "pending": 0})
    for unit_id, status, count in session.execute(query):
        if unit_id is None:
            continue
        counts[unit_id]["submitted"] += count if status in SUBMITTED else 0
        counts[unit_id]["approved"] += count if status in APPROVED else 0
        counts[unit_id]["pending"] += count if status == ProjectStatus.submitted else 0
    return counts


def progress_tree(session: Session, round_id: int) -> dict[int, Progress]:
    """Return the progress of every unit of the tree in a round, children added into parents."""
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    targets = dict(session.execute(select(Target.unit_id, Target.count).where(Target.round_id == round_id)).all())
    own = _own_counts(session, round_id)
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    result: dict[int, Progress] = {}

    def visit(unit: Unit) -> Progress:
        kids = [visit(child) for child in children[unit.id]]
        counts = own.get(unit.id, {"submitted": 0, "approved": 0, "pending": 0})
        kid_targets = [k.target for k in kids if k.target is not None]
        target = targets.get(unit.id, sum(kid_targets) if kid_targets else None)
        progress = Progress(unit.id, unit.name, target,
                            counts["submitted"] + sum(k.submitted for k in kids),
                            counts["approved"] + sum(k.approved for k in kids),
                            counts["pending"] + sum(k.pending for k in kids))
        result[unit.id] = progress
        return progress

    for root in children[None]:
        visit(root)
    return result


def unit_progress(session: Session, round_id: int, unit_id: int) -> list[Progress]:
    """Return the unit's own progress first, then each direct child's (for the 统计 command)."""
    tree = progress_tree(session, round_id)
    if unit_id not in tree:
        raise NotFound("no such unit")
    kids = session.scalars(select(Unit.id).where(Unit.parent_id == unit_id).order_by(Unit.id))
    return [tree[unit_id], *(tree[kid] for kid in kids)]
