"""Round operations: create a round, move a phase deadline, find the rounds reminders run for.

The round a chat is about (the latest opened) is `models.round.round_for`; this module has no second copy.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.errors import DomainError, NotFound
from models.round import Round

#: Phase names as the CLI and the web use them, with their column on Round.
PHASES = {"opens": "opens_at", "submission": "submission_deadline", "unit_review": "unit_review_deadline",
          "city_review": "city_review_deadline", "publication": "publication_at"}


def _check_order(round_: Round) -> None:
    """Refuse phases out of order: opening ≤ submission ≤ unit review ≤ city review ≤ publication."""
    times = [getattr(round_, column) for column in PHASES.values()]
    present = [t for t in times if t is not None]
    if present != sorted(present):
        raise DomainError("deadlines must follow each other: opening, submission, unit review, city review, "
                          "publication")


def create_round(session: Session, name: str, year: int, opens_at: datetime, submission_deadline: datetime,
                 unit_review_deadline: datetime, city_review_deadline: datetime,
                 publication_at: datetime | None = None) -> Round:
    """Create a round with its phase deadlines."""
    round_ = Round(name=name, year=year, opens_at=opens_at, submission_deadline=submission_deadline,
                   unit_review_deadline=unit_review_deadline, city_review_deadline=city_review_deadline,
                   publication_at=publication_at)
    _check_order(round_)
    session.add(round_)
    session.flush()
    return round_


def get_round(session: Session, round_id: int) -> Round:
    """Return a round by id or raise NotFound."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"no round {round_id}")
    return round_


def move_deadline(session: Session, round_id: int, phase: str, when: datetime) -> Round:
    """Move one phase's deadline; reminders are planned from deadlines, so they follow by themselves."""
    if phase not in PHASES:
        raise DomainError(f"unknown phase {phase!r}; one of {', '.join(PHASES)}")
    round_ = get_round(session, round_id)
    previous = getattr(round_, PHASES[phase])
    setattr(round_, PHASES[phase], when)
    try:
        _check_order(round_)
    except DomainError:
        setattr(round_, PHASES[phase], previous)
        raise
    session.flush()
    return round_


def active_rounds(session: Session, at: datetime) -> list[Round]:
    """Return the rounds open at `at` and not yet past their city review (or publication)."""
    query = select(Round).where(Round.opens_at <= at, or_(Round.city_review_deadline >= at,
                                                          Round.publication_at >= at)).order_by(Round.id)
    return list(session.scalars(query))


def list_rounds(session: Session) -> list[Round]:
    """Return every round, newest first."""
    return list(session.scalars(select(Round).order_by(Round.opens_at.desc(), Round.id.desc())))
