"""Awards (奖项) of a round: the proposal within the budget, staff changes, 公示 and objections, final.

The life of a round's awards, all rows moving together:

    proposed ──confirm──▶ confirmed ──publish (N days)──▶ public_notice ──finalize──▶ final

- **proposed**: `propose_awards` ranks the closed review's results and asks
  `models.award_allocation.propose_allocation` for levels that never exceed the counts or the
  budget; staff move projects between levels or out (`set_level`, checked against the same
  limits). `allocation` says why every project without an award missed out.
- **confirmed**: staff agreed; nothing changes any more except through an objection.
- **public_notice**: from `notice_starts_at` to `notice_ends_at` the list is public
  (`public_notices`); objections are recorded against a project (`record_objection`) and
  resolved by staff (`resolve_objection`); an upheld one may change or take away that project's
  award (`set_level` is open again for it), within the same limits.
- **final**: after the period, with no objection open: the awarded projects become `awarded`,
  the others `not_awarded`, and each author is told through the outbox (the status notice, with
  the level, prize and certificate link for winners).

For the public display: `public_awards(session, round_id)` and `public_notices(session, now)`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.account import Account
from models.accounts import actor_of
from models.audit import record
from models.award_allocation import Allocation, AwardPlan, Candidate, InvalidAllocation, Move, adjust_allocation, \
    check_levels, propose_allocation
from models.base import Base, utcnow
from models.city_review import CityReview, check_office, get_review
from models.errors import InvalidField, InvalidTransition, NotFound, Problem
from models.project import Project, ProjectStatus
from models.score_sheet import ScoreSheet
from models.scoring import results
from models.workflow import change_status


class AwardState(StrEnum):
    """Where a round's awards stand (every award of the round has the same state)."""

    proposed = "proposed"
    confirmed = "confirmed"
    public_notice = "public_notice"
    final = "final"


class Award(Base):
    """One project's award: level key, prize in yuan, the score and rank it was given on, and its state."""

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    level: Mapped[str] = mapped_column(String(20))
    prize: Mapped[int]
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rank: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default=AwardState.proposed, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    final_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()


class Objection(Base):
    """An objection (异议) raised during the 公示 against a project: who raised it, why, how it ended."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    raised_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))  # None while open, then "upheld" or "dismissed"
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()


class Outcome(StrEnum):
    """How staff settled an objection."""

    upheld = "upheld"
    dismissed = "dismissed"


def round_awards(session: Session, round_id: int) -> list[Award]:
    """The round's awards, best rank first."""
    query = select(Award).where(Award.round_id == round_id).order_by(Award.rank, Award.id)
    return list(session.scalars(query))


def awards_state(session: Session, round_id: int) -> AwardState | None:
    """The state of the round's awards, or None before any was proposed."""
    first = session.scalars(select(Award.state).where(Award.round_id == round_id)).first()
    return AwardState(first) if first else None


def candidates(session: Session, review: CityReview, sheet: ScoreSheet) -> list[Candidate]:
    """Every scored project of the closed review as a candidate (key: project number)."""
    return [Candidate(row.project.number or "", row.score.total) for row in results(session, review, sheet)
            if row.score is not None]


def _closed_review(session: Session, round_id: int) -> CityReview:
    """The round's review, which must be closed before awards are decided."""
    review = get_review(session, round_id)
    if review.is_open:
        raise InvalidTransition("review_open")
    return review


def _snapshot(awards: list[Award]) -> dict[str, str]:
    """Project number → level, as the audit log keeps a set of awards."""
    return {a.project.number or "": a.level for a in awards}


def propose_awards(session: Session, account: Account, round_id: int, sheet: ScoreSheet, plan: AwardPlan,
                   now: datetime) -> Allocation:
    """Propose levels by rank (replacing an earlier proposal); refused once the awards are confirmed."""
    check_office(account)
    review = _closed_review(session, round_id)
    state = awards_state(session, round_id)
    if state not in (None, AwardState.proposed):
        raise InvalidTransition(f"{state}->proposed")
    old = round_awards(session, round_id)
    before = _snapshot(old)
    for award in old:
        session.delete(award)
    session.flush()
    allocation = propose_allocation(plan, candidates(session, review, sheet))
    projects = _projects_by_number(session, round_id)
    for placement in allocation.placements:
        session.add(Award(round_id=round_id, project_id=projects[placement.project].id, level=placement.level,
                          prize=placement.prize, score=placement.score, rank=placement.rank,
                          state=AwardState.proposed, created_at=now, updated_at=now))
    session.flush()
    record(session, actor_of(account), "award.propose", "round", round_id, at=now, before=before or None,
           after={**{p.project: p.level for p in allocation.placements}}, note=f"{allocation.spent}/{plan.budget}")
    return allocation


def _projects_by_number(session: Session, round_id: int) -> dict[str, Project]:
    """The round's numbered projects by number."""
    query = select(Project).where(Project.round_id == round_id, Project.number.is_not(None))
    return {p.number or "": p for p in session.scalars(query)}


def allocation(session: Session, round_id: int, sheet: ScoreSheet, plan: AwardPlan) -> Allocation:
    """The round's awards as they stand, with every miss and its reason (why the last ones missed out)."""
    review = _closed_review(session, round_id)
    pool = candidates(session, review, sheet)
    proposal = propose_allocation(plan, pool)
    stored = {a.project.number or "": a.level for a in round_awards(session, round_id)}
    proposed = {p.project: p.level for p in proposal.placements}
    moves = [Move(project, level) for project, level in stored.items() if proposed.get(project) != level]
    moves += [Move(project, None) for project in proposed if project not in stored]
    return adjust_allocation(plan, pool, proposal, moves)


def _upheld_objection(session: Session, project: Project) -> Objection | None:
    """An upheld objection against the project: the one thing that reopens its award during the 公示."""
    query = select(Objection).where(Objection.project_id == project.id, Objection.outcome == Outcome.upheld)
    return session.scalars(query).first()


def set_level(session: Session, account: Account, project: Project, level: str | None, sheet: ScoreSheet,
              plan: AwardPlan, now: datetime) -> None:
    """Give a project another level, or take its award away (None); InvalidAllocation names broken limits.

    Open while the awards are proposed, and during the public notice for a project with an upheld objection.
    """
    check_office(account)
    round_id = project.round_id
    review = _closed_review(session, round_id)
    state = awards_state(session, round_id)
    if state != AwardState.proposed and not (state == AwardState.public_notice and _upheld_objection(session, project)):
        raise InvalidTransition(f"{state}->changed")
    awards = round_awards(session, round_id)
    levels = _snapshot(awards)
    number = project.number or ""
    before = levels.get(number)
    if level is None:
        levels.pop(number, None)
    else:
        levels[number] = level
    pool = candidates(session, review, sheet)
    problems = check_levels(plan, pool, levels)
    if problems:
        raise InvalidAllocation(problems)
    existing = next((a for a in awards if a.project_id == project.id), None)
    if level is None and existing is not None:
        session.delete(existing)
    elif level is not None:
        score = next(c.score for c in pool if c.project == number)
        rank = next(row.rank for row in results(session, review, sheet) if row.project.id == project.id) or 0
        award = existing or Award(round_id=round_id, project_id=project.id, state=state or AwardState.proposed,
                                  score=score, rank=rank, created_at=now)
        award.level, award.prize, award.updated_at = level, plan.level(level).prize, now
        session.add(award)
    session.flush()
    record(session, actor_of(account), "award.level", "project", number, at=now, before={"level": before},
           after={"level": level})


def _move_all(session: Session, account: Account, round_id: int, start: AwardState, to: AwardState,
              now: datetime) -> list[Award]:
    """Move every award of the round from one state to the next, recording it."""
    check_office(account)
    state = awards_state(session, round_id)
    if state != start:
        raise InvalidTransition(f"{state}->{to}")
    awards = round_awards(session, round_id)
    for award in awards:
        award.state, award.updated_at = to, now
    session.flush()
    record(session, actor_of(account), f"award.{to}", "round", round_id, at=now, before={"state": start},
           after={"state": to, "awards": len(awards), "prizes": sum(a.prize for a in awards)})
    return awards


def confirm_awards(session: Session, account: Account, round_id: int, now: datetime) -> list[Award]:
    """Staff agree with the awards as they stand."""
    return _move_all(session, account, round_id, AwardState.proposed, AwardState.confirmed, now)


def publish_awards(session: Session, account: Account, round_id: int, days: int, now: datetime) -> CityReview:
    """Start the 公示: the confirmed awards are public for `days` days (0 or more), open to objections."""
    if days < 0:
        raise InvalidField("days", Problem.invalid)
    _move_all(session, account, round_id, AwardState.confirmed, AwardState.public_notice, now)
    review = get_review(session, round_id)
    review.notice_starts_at, review.notice_ends_at = now, now + timedelta(days=days)
    return review


def _project_in_notice(session: Session, project: Project) -> CityReview:
    """The review of a project whose round's awards are under public notice."""
    if awards_state(session, project.round_id) != AwardState.public_notice:
        raise InvalidTransition("not_in_notice")
    return get_review(session, project.round_id)


def record_objection(session: Session, account: Account, project: Project, raised_by: str, reason: str,
                     now: datetime) -> Objection:
    """Record an objection against a project during the 公示 (who raised it and why are required)."""
    check_office(account)
    _project_in_notice(session, project)
    if not raised_by.strip():
        raise InvalidField("raised_by", Problem.empty)
    if not reason.strip():
        raise InvalidField("reason", Problem.empty)
    objection = Objection(round_id=project.round_id, project_id=project.id, raised_by=raised_by.strip()[:100],
                          reason=reason.strip(), recorded_by=account.id, recorded_at=now)
    session.add(objection)
    session.flush()
    record(session, actor_of(account), "objection.record", "project", project.number, at=now,
           after={"raised_by": objection.raised_by, "reason": objection.reason})
    return objection


def resolve_objection(session: Session, account: Account, objection: Objection, outcome: Outcome, note: str,
                      now: datetime) -> None:
    """Settle an objection (a note is required); upheld, its project's award may then be changed."""
    check_office(account)
    _project_in_notice(session, objection.project)
    if objection.outcome is not None:
        raise InvalidTransition("resolved")
    if not note.strip():
        raise InvalidField("resolution", Problem.empty)
    objection.outcome, objection.resolution, objection.resolved_at = outcome, note.strip(), now
    session.flush()
    record(session, actor_of(account), "objection.resolve", "project", objection.project.number, at=now,
           before={"outcome": None}, after={"outcome": outcome, "resolution": objection.resolution})


def objections(session: Session, round_id: int) -> list[Objection]:
    """The round's objections, newest first."""
    query = select(Objection).where(Objection.round_id == round_id).order_by(Objection.id.desc())
    return list(session.scalars(query))


@dataclass(frozen=True)
class Finalized:
    """What finalizing did: the awarded and the not-awarded projects."""

    awarded: tuple[Award, ...]
    not_awarded: tuple[Project, ...]


def finalize_awards(session: Session, account: Account, round_id: int, plan: AwardPlan,
                    certificate_url: Callable[[str], str], now: datetime) -> Finalized:
    """Make the awards final after the 公示 and tell every author, winners with their certificate link."""
    review = get_review(session, round_id)
    if review.notice_ends_at is None or now < review.notice_ends_at:
        raise InvalidTransition("notice_running")
    if any(o.outcome is None for o in objections(session, round_id)):
        raise InvalidTransition("objection_open")
    awards = _move_all(session, account, round_id, AwardState.public_notice, AwardState.final, now)
    review.finalized_at = now
    winners = {a.project_id for a in awards}
    for award in awards:
        award.final_at = now
        level = plan.level(award.level)
        change_status(session, award.project, ProjectStatus.awarded, None, now, reason=level.name,
                      details={"level": award.level, "prize": award.prize,
                               "certificate": certificate_url(award.project.number or "")})
    others = [p for p in session.scalars(select(Project).where(Project.round_id == round_id,
                                                               Project.status == ProjectStatus.under_review))
              if p.id not in winners]
    for project in others:
        change_status(session, project, ProjectStatus.not_awarded, None, now)
    return Finalized(tuple(awards), tuple(others))


def final_award(session: Session, number: str) -> Award:
    """The final award of the project with this number (for its certificate); NotFound otherwise."""
    query = (select(Award).join(Project, Award.project_id == Project.id)
             .where(Project.number == number.strip(), Award.state == AwardState.final))
    award = session.scalars(query).first()
    if award is None:
        raise NotFound(number)
    return award


def public_awards(session: Session, round_id: int) -> list[Award]:
    """The round's final awards, for the public display (best rank first); empty until final.

    Each award has `.project` (number, title, members, unit, system, category) and `.level` /
    `.prize`; show nothing else of the project in public.
    """
    query = (select(Award).where(Award.round_id == round_id, Award.state == AwardState.final)
             .order_by(Award.rank, Award.id))
    return list(session.scalars(query))


def public_notices(session: Session, now: datetime) -> list[tuple[CityReview, list[Award]]]:
    """Every 公示 running at `now`: the round's review (with `notice_ends_at`) and its awards, best first."""
    query = (select(CityReview).where(CityReview.notice_starts_at <= now, CityReview.notice_ends_at > now)
             .order_by(CityReview.round_id))
    notices = []
    for review in session.scalars(query):
        awards = [a for a in round_awards(session, review.round_id) if a.state == AwardState.public_notice]
        if awards:
            notices.append((review, awards))
    return notices


def level_name(plan: AwardPlan, key: str) -> str:
    """A level's shown name (its key when the plan has no such level)."""
    try:
        return plan.level(key).name
    except KeyError:
        return key


def find_objection(session: Session, objection_id: int) -> Objection:
    """The objection with this id; NotFound otherwise."""
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise NotFound(str(objection_id))
    return objection
