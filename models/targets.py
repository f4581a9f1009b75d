"""Targets (目标责任制): how many projects a unit should submit in a round, given or split among its children.

How far each unit has come is counted in models/stats.py, with every other figure (values in models/stats_values.py).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError, NotFound
from models.unit import Target, Unit


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
