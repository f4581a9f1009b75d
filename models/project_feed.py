"""Projects for other systems (the JSON API): filtered, in a stable order, read a page at a time.

Pages are keyset pages in the order of last change (updated_at, then id): a client that asks for
everything changed since its last visit and follows the cursor sees each change once, even while
projects change under it (a project changed again moves to the end, where the client will meet
it). Drafts are the worker's own business and never leave. `units` limits everything to a
token's subtree.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from models.project import Project, ProjectStatus
from models.unit import units_under

#: Largest page a client may ask for.
MAX_PAGE = 200


@dataclass(frozen=True)
class ProjectFilter:
    """What a client asks for; every field is optional."""

    round_id: int | None = None
    unit_id: int | None = None  # this unit's subtree
    system: str | None = None
    category: str | None = None
    status: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last project's change time and id."""

    updated_at: datetime
    project_id: int


def project_page(session: Session, wanted: ProjectFilter, units: Collection[int] | None,
                 after: Position | None = None, limit: int = 50) -> list[Project]:
    """Up to `limit` projects after `after`, oldest change first, within `units` (None: the whole city)."""
    query = (select(Project).options(selectinload(Project.round))
             .where(Project.status != ProjectStatus.draft)
             .order_by(Project.updated_at, Project.id).limit(min(limit, MAX_PAGE)))
    if units is not None:
        query = query.where(Project.unit_id.in_(list(units)))
    if wanted.unit_id is not None:
        query = query.where(Project.unit_id.in_(units_under(session, wanted.unit_id)))
    for column, value in ((Project.round_id, wanted.round_id), (Project.system, wanted.system),
                          (Project.category, wanted.category), (Project.status, wanted.status)):
        if value is not None:
            query = query.where(column == value)
    if wanted.updated_since is not None:
        query = query.where(Project.updated_at >= wanted.updated_since)
    if after is not None:
        query = query.where(or_(Project.updated_at > after.updated_at,
                                and_(Project.updated_at == after.updated_at, Project.id > after.project_id)))
    return list(session.scalars(query))
