"""Binding workers to units: by invite code or by the unit's name, and unbinding."""
from __future__ import annotations

import re
import threading
import time
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


def unit_by_id(session: Session, unit_id: int | None) -> Unit | None:
    """The unit with this id, if it (still) exists."""
    return session.get(Unit, unit_id) if unit_id is not None else None


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


@dataclass(frozen=True)
class UnitName:
    """A unit a worker can bind to, by its own name and the names of the units above it."""

    id: int
    name: str
    parents: tuple[str, ...]


#: How long the unit names are reused before they are read again: a unit added or renamed is
#: found by name after at most this long (an invite code works at once).
UNIT_NAMES_MAX_AGE = 30.0


class UnitNames:
    """The names of the bindable units, read once and shared by the messages of a process.

    Followers who are not bound yet type all kinds of things, and each line is matched against
    every unit name: reading the whole unit tree for each of them cost more than the rest of the
    message.
    """

    def __init__(self, max_age: float = UNIT_NAMES_MAX_AGE) -> None:
        """Keep the names for `max_age` seconds at a time."""
        self.max_age = max_age
        self._names: tuple[UnitName, ...] = ()
        self._read_at = -max_age
        self._lock = threading.Lock()

    def get(self, session: Session) -> tuple[UnitName, ...]:
        """The bindable units' names, read again when older than `max_age`."""
        if time.monotonic() - self._read_at < self.max_age:
            return self._names
        with self._lock:
            if time.monotonic() - self._read_at >= self.max_age:
                self._names = read_unit_names(session)
                self._read_at = time.monotonic()
        return self._names


def read_unit_names(session: Session) -> tuple[UnitName, ...]:
    """Read the names of the units a worker binds to: everything below the enterprise."""
    rows = session.execute(select(Unit.id, Unit.name, Unit.parent_id, Unit.kind)).all()
    by_id = {row.id: row for row in rows}
    names = []
    for row in rows:
        if row.kind in (UnitKind.city, UnitKind.enterprise):
            continue
        parents, above = [], by_id.get(row.parent_id)
        while above is not None and above.kind != UnitKind.city:
            parents.append(above.name)
            above = by_id.get(above.parent_id)
        names.append(UnitName(row.id, row.name, tuple(parents)))
    return tuple(sorted(names, key=lambda n: n.id))


def _score(text: str, unit: UnitName) -> float:
    """How well a unit's names match free text: the own name counts most, the parents' help."""
    own = unit.name
    if own in text:
        score = 1.0 + len(own) / 10
    else:
        score = SequenceMatcher(None, own, text).find_longest_match(0, len(own), 0, len(text)).size / len(own)
    return score + 0.5 * sum(1 for name in unit.parents if name in text)


def match_units(session: Session, text: str, limit: int = 5, names: UnitNames | None = None) -> list[Unit]:
    """Return the units a worker most likely means by naming them in words, best first.

    Only units a worker binds to (teams and groups, or anything without children) are offered;
    an exact own-name match beats partial ones, and parents named in the text break ties.
    """
    candidates = names.get(session) if names is not None else read_unit_names(session)
    scored = [(s, u) for u in candidates if (s := _score(text, u)) >= 0.66]
    if not scored:
        return []
    best = max(s for s, _ in scored)
    close = sorted((p for p in scored if p[0] >= best - 0.25), key=lambda p: (-p[0], p[1].id))
    units = (session.get(Unit, u.id) for _, u in close[:limit])
    return [u for u in units if u is not None]  # a unit deleted since the names were read is skipped
