"""The public showcase (网上展示): which projects everyone may see, and only the public part of each.

One rule for every public door (the `/display` pages): a project is public once it is awarded
(its award final), or while its award is under public notice (`models.awards`). What a
public page may show of it is a `PublicProject`, a value with the public fields only, so an
openid, a phone number, a reviewer, a score or a rank cannot reach a public template by
accident: none of them is in it. The worker's own words (title, description) are public, but a
phone or ID number written into them is hidden on the way in (`models.contact_numbers`), and a
search for such a number finds nothing (it would tell a visitor whose project holds it).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models.awards import Award, AwardState, public_notices
from models.city_review import CityReview
from models.contact_numbers import MASK, hide_contact_numbers
from models.project import Attachment, Project, ProjectStatus
from models.round import Round
from models.unit import Unit, UnitKind, full_names
from models.unit_tree import unit_tree

#: Statuses whose projects everyone may see (besides those under public notice).
PUBLIC_STATUSES = frozenset({ProjectStatus.awarded})
#: An attachment that the photo job has stored (bot/media.py).
STORED = "fetched"
#: Projects per page of the showcase.
PAGE_SIZE = 20
#: Words beyond this many in one search are ignored (each is one LIKE over title and description).
MAX_WORDS = 5

Q = TypeVar("Q", bound=Select[Any])


@dataclass(frozen=True)
class DisplayQuery:
    """What a visitor searches for; every field is optional."""

    year: int | None = None
    system: str | None = None
    unit_id: int | None = None
    words: str = ""


@dataclass(frozen=True)
class PublicProject:
    """The public part of one project: nothing that names a follower, a reviewer, a score or a rank."""

    id: int
    number: str
    title: str
    description: str
    category: str | None
    system: str | None
    unit_name: str
    year: int
    round_name: str
    members: tuple[str, ...]
    annual_benefit_yuan: Decimal | None
    status: str
    photo_ids: tuple[int, ...]
    award_level: str | None = None  # a level key ("first", …) once final or under notice
    under_notice: bool = False


@dataclass(frozen=True)
class PublicNotice:
    """One running 公示: the round, its period, and the projects with their proposed levels."""

    round_name: str
    starts_at: datetime
    ends_at: datetime
    projects: tuple[PublicProject, ...]


def _under_notice(session: Session, now: datetime) -> list[int]:
    """Ids of the projects whose award is under a 公示 running at `now` (none, or a round's few dozen).

    Kept in the session's `info` for this `now`: a showcase page asks several times (the list, its
    count, the years) within one request, which has one session and one `now`.
    """
    key = ("showcase.under_notice", now)
    if key not in session.info:
        session.info[key] = list(session.scalars(
            select(Award.project_id).join(CityReview, CityReview.round_id == Award.round_id)
            .where(Award.state == AwardState.public_notice, CityReview.notice_starts_at <= now,
                   CityReview.notice_ends_at > now)))
    return list(session.info[key])


def is_public(session: Session, now: datetime) -> ColumnElement[bool]:
    """The condition on a project that everyone may see it at `now`.

    The projects under notice are looked up first (one small statement), so the condition is a
    status test, or a status test or a short list of ids: PostgreSQL answers either from the
    status index and never reads the 95% of projects that are not public (a subquery in the OR
    made it scan them all, bench/stats.md).
    """
    noticed = _under_notice(session, now)
    awarded = Project.status.in_(PUBLIC_STATUSES)
    return or_(awarded, Project.id.in_(noticed)) if noticed else awarded


def public_project_query(session: Session, now: datetime) -> Select[tuple[Project]]:
    """Projects everyone may see, with their round and photos loaded."""
    return (select(Project).join(Round, Project.round_id == Round.id)
            .where(is_public(session, now), Project.number.is_not(None))
            .options(selectinload(Project.round), selectinload(Project.attachments)))


def _filtered(session: Session, query: Q, wanted: DisplayQuery) -> Q:
    """Apply the visitor's year, system, unit subtree and words."""
    if wanted.year is not None:
        query = query.where(Round.year == wanted.year)
    if wanted.system:
        query = query.where(Project.system == wanted.system)
    if wanted.unit_id is not None:
        tree = unit_tree(session)  # one statement, where walking the tree level by level took one per level
        query = query.where(Project.unit_id.in_(tree.subtree(wanted.unit_id) if wanted.unit_id in tree.nodes else []))
    for word in hide_contact_numbers(wanted.words).split()[:MAX_WORDS]:
        if MASK in word:
            return query.where(false())  # a phone or ID number: finding it would say whose project holds it
        query = query.where(or_(Project.title.contains(word, autoescape=True),
                                Project.description.contains(word, autoescape=True)))
    return query


def _levels(session: Session, project_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The (level, state) of the final or publicly noticed award of each of these projects."""
    if not project_ids:
        return {}
    query = select(Award.project_id, Award.level, Award.state).where(
        Award.project_id.in_(project_ids), Award.state.in_((AwardState.final, AwardState.public_notice)))
    return {project_id: (level, state) for project_id, level, state in session.execute(query)}


def to_public(project: Project, names: dict[int, str], award: tuple[str, str] | None = None) -> PublicProject:
    """The public part of a project (photos: the stored ones only; award: its level and whether under notice).

    The one place the public texts are made: phone and ID numbers in them are hidden here.
    """
    return PublicProject(
        id=project.id, number=project.number or "", title=hide_contact_numbers(project.title),
        description=hide_contact_numbers(project.description),
        category=project.category, system=project.system,
        unit_name=names.get(project.unit_id, "") if project.unit_id is not None else "",
        year=project.round.year, round_name=project.round.name,
        members=tuple(str(member) for member in project.members or ()),
        annual_benefit_yuan=project.annual_benefit_yuan, status=project.status,
        photo_ids=tuple(a.id for a in project.attachments if a.status == STORED and a.kind == "image"),
        award_level=award[0] if award else None,
        under_notice=bool(award and award[1] == AwardState.public_notice))


def _publish(session: Session, projects: Sequence[Project]) -> list[PublicProject]:
    """The public parts of loaded projects, with unit names and award levels in two statements."""
    names, levels = full_names(session), _levels(session, [p.id for p in projects])
    return [to_public(project, names, levels.get(project.id)) for project in projects]


def search_public(session: Session, wanted: DisplayQuery, now: datetime, before_id: int | None = None,
                  limit: int = PAGE_SIZE) -> list[PublicProject]:
    """Public projects matching the search, newest first, older than `before_id` when given (next page)."""
    query = _filtered(session, public_project_query(session, now), wanted).order_by(Project.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Project.id < before_id)
    return _publish(session, list(session.scalars(query)))


def count_public(session: Session, wanted: DisplayQuery, now: datetime) -> int:
    """How many public projects match the search."""
    query = _filtered(session, select(func.count()).select_from(Project).join(Round, Project.round_id == Round.id)
                      .where(is_public(session, now), Project.number.is_not(None)), wanted)
    return session.scalar(query) or 0


def public_project(session: Session, project_id: int, now: datetime) -> PublicProject | None:
    """One public project, or None when it does not exist or is not public."""
    project = session.scalars(public_project_query(session, now).where(Project.id == project_id)).first()
    return _publish(session, [project])[0] if project is not None else None


def public_photo(session: Session, attachment_id: int, now: datetime) -> Attachment | None:
    """A stored photo of a public project, or None."""
    return session.scalars(select(Attachment).join(Project).where(
        Attachment.id == attachment_id, Attachment.status == STORED, Attachment.stored_path.is_not(None),
        is_public(session, now))).first()


def public_years(session: Session, now: datetime) -> list[int]:
    """The years that have public projects, newest first (the search's choices)."""
    return list(session.scalars(select(Round.year).join(Project, Project.round_id == Round.id)
                                .where(is_public(session, now)).distinct().order_by(Round.year.desc())))


def searchable_units(session: Session) -> Sequence[tuple[int, str]]:
    """Enterprises and mines by full name (the search's unit choices; each means its whole subtree)."""
    names = full_names(session)
    ids = session.scalars(select(Unit.id).where(Unit.kind.in_((UnitKind.enterprise, UnitKind.mine))).order_by(Unit.id))
    return [(unit_id, names[unit_id]) for unit_id in ids]


def notice_list(session: Session, now: datetime) -> list[PublicNotice]:
    """Every 公示 running at `now` with its projects' public parts and proposed levels, best rank first."""
    notices = []
    for review, awards in public_notices(session, now):
        assert review.notice_starts_at is not None and review.notice_ends_at is not None
        wanted = [a.project_id for a in awards]
        projects = list(session.scalars(public_project_query(session, now).where(Project.id.in_(wanted))))
        by_id = {p.id: p for p in _publish(session, projects)}
        notices.append(PublicNotice(review.round.name, review.notice_starts_at, review.notice_ends_at,
                                    tuple(by_id[a.project_id] for a in awards if a.project_id in by_id)))
    return notices
