"""The public showcase (网上展示): which projects everyone may see, and only the public part of each.

One rule for every public door (the `/display` pages and the API's public fields): a project is
public once it is awarded. What a public page may show of it is a `PublicProject`, a value with
the public fields only, so an openid, a phone number, a reviewer or a score cannot reach a public
template or JSON answer by accident: none of them is in it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models.project import Attachment, Project, ProjectStatus
from models.round import Round
from models.unit import Unit, UnitKind, full_names, units_under

Q = TypeVar("Q", bound=Select[Any])

#: Statuses whose projects everyone may see.
PUBLIC_STATUSES = frozenset({ProjectStatus.awarded})
#: An attachment that the photo job has stored (bot/media.py).
STORED = "fetched"
#: Projects per page of the showcase.
PAGE_SIZE = 20
#: Words beyond this many in one search are ignored (each is one LIKE over title and description).
MAX_WORDS = 5


@dataclass(frozen=True)
class DisplayQuery:
    """What a visitor searches for; every field is optional."""

    year: int | None = None
    system: str | None = None
    unit_id: int | None = None
    words: str = ""


@dataclass(frozen=True)
class PublicProject:
    """The public part of one project: nothing that names a follower, a reviewer or a score."""

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
    award_level: str | None = None


def public_project_query() -> Select[tuple[Project]]:
    """Projects everyone may see, with their round and stored photos loaded."""
    return (select(Project).join(Round, Project.round_id == Round.id)
            .where(Project.status.in_(PUBLIC_STATUSES), Project.number.is_not(None))
            .options(selectinload(Project.round), selectinload(Project.attachments)))


def _filtered(session: Session, query: Q, wanted: DisplayQuery) -> Q:
    """Apply the visitor's year, system, unit subtree and words."""
    if wanted.year is not None:
        query = query.where(Round.year == wanted.year)
    if wanted.system:
        query = query.where(Project.system == wanted.system)
    if wanted.unit_id is not None:
        query = query.where(Project.unit_id.in_(units_under(session, wanted.unit_id)))
    for word in wanted.words.split()[:MAX_WORDS]:
        query = query.where(or_(Project.title.contains(word, autoescape=True),
                                Project.description.contains(word, autoescape=True)))
    return query


def to_public(project: Project, names: dict[int, str]) -> PublicProject:
    """The public part of a project (photos: the stored ones only)."""
    return PublicProject(
        id=project.id, number=project.number or "", title=project.title, description=project.description,
        category=project.category, system=project.system,
        unit_name=names.get(project.unit_id, "") if project.unit_id is not None else "",
        year=project.round.year, round_name=project.round.name,
        members=tuple(str(member) for member in project.members or ()),
        annual_benefit_yuan=project.annual_benefit_yuan, status=project.status,
        photo_ids=tuple(a.id for a in project.attachments if a.status == STORED and a.kind == "image"))


def search_public(session: Session, wanted: DisplayQuery, before_id: int | None = None,
                  limit: int = PAGE_SIZE) -> list[PublicProject]:
    """Public projects matching the search, newest first, older than `before_id` when given (next page)."""
    query = _filtered(session, public_project_query(), wanted).order_by(Project.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Project.id < before_id)
    names = full_names(session)
    return [to_public(project, names) for project in session.scalars(query)]


def count_public(session: Session, wanted: DisplayQuery) -> int:
    """How many public projects match the search."""
    query = _filtered(session, select(func.count()).select_from(Project).join(Round, Project.round_id == Round.id)
                      .where(Project.status.in_(PUBLIC_STATUSES), Project.number.is_not(None)), wanted)
    return session.scalar(query) or 0


def public_project(session: Session, project_id: int) -> PublicProject | None:
    """One public project, or None when it does not exist or is not public."""
    project = session.scalars(public_project_query().where(Project.id == project_id)).first()
    return to_public(project, full_names(session)) if project is not None else None


def public_photo(session: Session, attachment_id: int) -> Attachment | None:
    """A stored photo of a public project, or None."""
    return session.scalars(select(Attachment).join(Project).where(
        Attachment.id == attachment_id, Attachment.status == STORED, Attachment.stored_path.is_not(None),
        Project.status.in_(PUBLIC_STATUSES))).first()


def public_years(session: Session) -> list[int]:
    """The years that have public projects, newest first (the search's choices)."""
    return list(session.scalars(select(Round.year).join(Project, Project.round_id == Round.id)
                                .where(Project.status.in_(PUBLIC_STATUSES)).distinct().order_by(Round.year.desc())))


def searchable_units(session: Session) -> Sequence[tuple[int, str]]:
    """Enterprises and mines by full name (the search's unit choices; each means its whole subtree)."""
    names = full_names(session)
    ids = session.scalars(select(Unit.id).where(Unit.kind.in_((UnitKind.enterprise, UnitKind.mine))).order_by(Unit.id))
    return [(unit_id, names[unit_id]) for unit_id in ids]
