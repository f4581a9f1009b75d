"""Units (单位): the tree from city to group, with invite codes and per-round targets."""
from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow

#: Invite-code alphabet without the look-alikes 0/O and 1/I, so codes survive being read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6


class UnitKind(StrEnum):
    """Levels of the unit tree."""

    city = "city"
    enterprise = "enterprise"
    mine = "mine"
    department = "department"
    team = "team"
    group = "group"


def new_invite_code() -> str:
    """Return a random 6-character invite code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Unit(Base):
    """A node of the unit tree; workers bind to one, coordinators look after one."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=UnitKind.team)
    worker_code: Mapped[str] = mapped_column(String(12), unique=True, default=new_invite_code)
    coordinator_code: Mapped[str] = mapped_column(String(12), unique=True, default=new_invite_code)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.id")

    def full_name(self) -> str:
        """Return the names from the enterprise down to this unit, joined without spaces."""
        names: list[str] = []
        node: Unit | None = self
        while node is not None and node.kind != UnitKind.city:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Target(Base):
    """How many projects a unit should submit in a round (目标)."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("unit_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    count: Mapped[int]


def units_under(session: Session, unit_id: int) -> list[int]:
    """The ids of a unit and of every unit below it (its subtree), the unit first."""
    ids, frontier = [unit_id], [unit_id]
    while frontier:
        frontier = list(session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def full_names(session: Session) -> dict[int, str]:
    """Every unit's full name (enterprise down to the unit, as `Unit.full_name`), read in one query."""
    rows = {row.id: row for row in session.execute(select(Unit.id, Unit.name, Unit.parent_id, Unit.kind))}
    names: dict[int, str] = {}
    for unit_id in rows:
        parts, node = [], rows.get(unit_id)
        while node is not None and node.kind != UnitKind.city:
            parts.append(node.name)
            node = rows.get(node.parent_id) if node.parent_id is not None else None
        names[unit_id] = "".join(reversed(parts))
    return names


def units_in(session: Session, ids: list[int] | None) -> list[Unit]:
    """The units with these ids (every unit when None), in tree order of creation."""
    query = select(Unit).order_by(Unit.id)
    return list(session.scalars(query if ids is None else query.where(Unit.id.in_(ids))))
