"""Score cards of the city review: a reviewer's worklist, filling in a card, label corrections, results.

A reviewer scores only what is assigned to them, only while the review is open, and sees only
their own card: `own_assignment` is the one way to a card, and no function here hands a
reviewer anyone else's. Staff see the results (`review_results`): each project's weighted mean
over its reviewers, each criterion's mean, the spread and whether it is flagged for the panel,
ranked. The sheet's rules are `models.score_sheet`; every saved card is recorded in the audit log.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.account import Account, AccountRole
from models.accounts import actor_of
from models.audit import record
from models.city_review import CityReview, ReviewAssignment, assignments, check_office, review_projects
from models.corrections import correct_system
from models.errors import InvalidTransition, NotFound
from models.project import Project, System
from models.score_sheet import ProjectScore, ScoreCard, ScoreSheet, project_score, read_scores, weighted_total


def own_assignment(session: Session, account: Account, project: Project) -> ReviewAssignment:
    """The reviewer's assignment of this project; NotFound when it is not theirs (pages answer 404)."""
    if not account.active or account.role != AccountRole.reviewer:
        raise NotFound(project.number or "")
    query = select(ReviewAssignment).where(ReviewAssignment.account_id == account.id,
                                           ReviewAssignment.project_id == project.id)
    assignment = session.scalars(query).first()
    if assignment is None:
        raise NotFound(project.number or "")
    return assignment


@dataclass(frozen=True)
class WorkItem:
    """One line of a reviewer's list: the assignment, and whether it still needs them."""

    assignment: ReviewAssignment

    @property
    def open(self) -> bool:
        """Still to score: the review is open and the card empty."""
        return self.assignment.review.is_open and not self.assignment.scored


def worklist(session: Session, account: Account) -> list[WorkItem]:
    """What is assigned to the reviewer: the open ones first, then by project number."""
    query = select(ReviewAssignment).where(ReviewAssignment.account_id == account.id)
    items = [WorkItem(a) for a in session.scalars(query)]
    return sorted(items, key=lambda item: (not item.open, item.assignment.project.number or ""))


def save_scores(session: Session, account: Account, project: Project, sheet: ScoreSheet,
                raw: Mapping[str, object], comment: str, now: datetime) -> ReviewAssignment:
    """Fill in or change the reviewer's card; InvalidScores names every bad criterion, nothing is kept then."""
    assignment = own_assignment(session, account, project)
    if not assignment.review.is_open:
        raise InvalidTransition("closed")
    card = read_scores(sheet, raw)
    before = {"scores": assignment.scores, "total": None if assignment.total is None else str(assignment.total),
              "comment": assignment.comment or None}
    assignment.scores = dict(card.scores)
    assignment.total = weighted_total(sheet, card)
    assignment.comment = comment.strip()
    assignment.scored_at = now
    session.flush()
    record(session, actor_of(account), "score.save", "project", project.number, at=now, before=before,
           after={"scores": assignment.scores, "total": str(assignment.total), "comment": assignment.comment or None})
    return assignment


def correct_label(session: Session, account: Account, project: Project, system: System, now: datetime) -> bool:
    """A reviewer files an assigned project under another system (kept for the classifier); True if it changed.

    The project keeps its reviewers; staff see the assignments that no longer fit the group as
    stale when they assign again.
    """
    assignment = own_assignment(session, account, project)
    if not assignment.review.is_open:
        raise InvalidTransition("closed")
    before = project.system
    if correct_system(session, project, system, None, now) is None:
        return False
    record(session, actor_of(account), "project.system", "project", project.number, at=now,
           before={"system": before}, after={"system": project.system})
    return True


@dataclass(frozen=True)
class ResultRow:
    """One project's result: its cards so far, the combined score (None while unscored) and its rank."""

    project: Project
    assigned: int
    cards: tuple[ReviewAssignment, ...]
    score: ProjectScore | None
    rank: int | None


def card_of(assignment: ReviewAssignment) -> ScoreCard:
    """A stored card as the score sheet reads it."""
    return ScoreCard({key: int(value) for key, value in (assignment.scores or {}).items()})


def review_results(session: Session, account: Account, review: CityReview, sheet: ScoreSheet) -> list[ResultRow]:
    """Every project of the review with its weighted mean, spread flag and rank (best first; staff only)."""
    check_office(account)
    return results(session, review, sheet)


def results(session: Session, review: CityReview, sheet: ScoreSheet) -> list[ResultRow]:
    """The results without the office check, for the awards and the exports (which check it themselves)."""
    by_project: dict[int, list[ReviewAssignment]] = {}
    for assignment in assignments(session, review):
        by_project.setdefault(assignment.project_id, []).append(assignment)
    rows = []
    for project in review_projects(session, review.round_id):
        given = by_project.get(project.id, [])
        cards = tuple(a for a in given if a.scored)
        score = project_score(sheet, [card_of(a) for a in cards])
        rows.append(ResultRow(project, len(given), cards, score, None))
    scored = sorted((r for r in rows if r.score is not None),
                    key=lambda r: (-r.score.total if r.score else 0, r.project.number or ""))
    ranked: list[ResultRow] = []
    for index, row in enumerate(scored):
        same = ranked and ranked[-1].score and row.score and ranked[-1].score.total == row.score.total
        rank = ranked[-1].rank if same and ranked[-1].rank else index + 1
        ranked.append(ResultRow(row.project, row.assigned, row.cards, row.score, rank))
    return ranked + [r for r in rows if r.score is None]

