"""Binding workers to units: by invite code or by the unit's name, and unbinding."""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.unit import CODE_ALPHABET, CODE_LENGTH, Unit, UnitKind
from models.worker import Role, Worker

_CODE = re.compile(rf"(?<![A-Za-z0-9])([{CODE_ALPHABET}]{{{CODE_LENGTH}}})(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Invitation:
    """What an invite code grants: a unit and a role."""

    unit: Unit
    role: Role


def find_code(text: str) -> str | None:
    """Return the first thing in the text shaped like an invite code (case-insensitive)."""
    match = _CODE.search(text.upper())
    return match.group(1) if match else None


def invitation_for(session: Session, code: str) -> Invitation | None:
    """Return the unit and role an invite code grants, or None for an unknown code."""
    code = code.upper().strip()
    unit = session.scalars(select(Unit).where(or_(Unit.worker_code == code, Unit.coordinator_code == code))).first()
    if unit is None:
        return None
    return Invitation(unit, Role.coordinator if unit.coordinator_code == code else Role.worker)


def bind(worker: Worker, unit: Unit, role: Role, name: str | None) -> None:
    """Bind the worker to a unit with a role (a coordinator stays coordinator when re-binding by worker code)."""
    worker.unit_id = unit.id
    worker.unit = unit
    worker.role = role
    if name:
        worker.name = name


def unbind(worker: Worker) -> None:
    """Detach the worker from their unit; their projects stay where they were submitted."""
    worker.unit_id = None
    worker.unit = None
    worker.role = Role.worker


def _score(text: str, unit: Unit) -> float:
    """How well a unit's names match free text: the own name counts most, the parents' help."""
    own = unit.name
    if own in text:
        score = 1.0 + len(own) / 10
    else:
        score = SequenceMatcher(None, own, text).find_longest_match(0, len(own), 0, len(text)).size / len(own)
    parent = unit.parent
    while parent is not None and parent.kind != UnitKind.city:
        if parent.name in text:
            score += 0.5
        parent = parent.parent
    return score


def match_units(session: Session, text: str, limit: int = 5) -> list[Unit]:
    """Return the units a worker most likely means by naming them in words, best first.

    Only units a worker binds to (teams and groups, or anything without children) are offered;
    an exact own-name match beats partial ones, and parents named in the text break ties.
    """
    units = session.scalars(select(Unit).where(Unit.kind.notin_([UnitKind.city, UnitKind.enterprise]))).all()
    scored = [(s, u) for u in units if (s := _score(text, u)) >= 0.66]
    if not scored:
        return []
    best = max(s for s, _ in scored)
    close = sorted((p for p in scored if p[0] >= best - 0.25), key=lambda p: (-p[0], p[1].id))
    return [u for _, u in close][:limit]
