"""The whole unit tree read in one statement, for figures that walk it (subtrees, paths, full names).

Three hundred units are a few kilobytes: reading them all once and walking the tree in Python
costs one statement whatever the depth, where `units_under` asks once per level.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import NotFound
from models.unit import Unit, UnitKind


@dataclass(frozen=True)
class UnitNode:
    """One unit as the figures need it: id, parent, name and kind."""

    id: int
    parent_id: int | None
    name: str
    kind: str


@dataclass(frozen=True)
class UnitTree:
    """Every unit, with each one's children in id order."""

    nodes: dict[int, UnitNode]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    def node(self, unit_id: int) -> UnitNode:
        """The unit with this id; NotFound when there is none."""
        try:
            return self.nodes[unit_id]
        except KeyError:
            raise NotFound("no such unit") from None

    def kids(self, unit_id: int | None) -> list[int]:
        """The ids of a unit's direct children (of the top when None), in id order."""
        return self.children.get(unit_id, [])

    def subtree(self, unit_id: int) -> list[int]:
        """The unit and everything below it, depth first, the unit first."""
        self.node(unit_id)
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.kids(current)))
        return found

    def depth_first(self, unit_id: int) -> list[tuple[int, int]]:
        """(depth, id) for the unit (depth 0) and everything below it, depth first."""
        found, stack = [], [(0, unit_id)]
        while stack:
            depth, current = stack.pop()
            found.append((depth, current))
            stack.extend((depth + 1, kid) for kid in reversed(self.kids(current)))
        return found

    def path(self, unit_id: int) -> list[int]:
        """The ids from the top of the tree down to this unit."""
        ids: list[int] = []
        current: int | None = self.node(unit_id).id
        while current is not None:
            ids.append(current)
            current = self.nodes[current].parent_id
        return ids[::-1]

    def full_name(self, unit_id: int) -> str:
        """The names from the enterprise down to the unit, as `Unit.full_name` gives them."""
        names = [self.nodes[i].name for i in self.path(unit_id) if self.nodes[i].kind != UnitKind.city]
        return "".join(names) or self.nodes[unit_id].name


def unit_tree(session: Session) -> UnitTree:
    """Read every unit in one statement."""
    nodes: dict[int, UnitNode] = {}
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in session.execute(select(Unit.id, Unit.parent_id, Unit.name, Unit.kind).order_by(Unit.id)):
        nodes[row.id] = UnitNode(row.id, row.parent_id, row.name, row.kind)
        children[row.parent_id].append(row.id)
    return UnitTree(nodes, dict(children))
