"""Exports: every project with all its fields, and the statistics workbook's list, counted as the pages count."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.project import Project, ProjectStatus
from models.unit_tree import unit_tree
from models.worker import Worker

PROJECT_FIELDS = ("number", "round", "title", "description", "category", "system", "system_confidence",
                  "annual_benefit_yuan", "members", "status", "unit", "worker_openid", "worker_name",
                  "photos", "created_at", "submitted_at", "updated_at")


def project_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Yield one flat dict per project, in round and number order."""
    query = (select(Project).options(selectinload(Project.round), selectinload(Project.unit),
                                     selectinload(Project.worker), selectinload(Project.attachments))
             .order_by(Project.round_id, Project.number, Project.id))
    for p in session.scalars(query):
        yield {
            "number": p.number, "round": p.round.name, "title": p.title, "description": p.description,
            "category": p.category, "system": p.system, "system_confidence": p.system_confidence,
            "annual_benefit_yuan": None if p.annual_benefit_yuan is None else float(p.annual_benefit_yuan),
            "members": list(p.members or []), "status": p.status,
            "unit": p.unit.full_name() if p.unit else None, "worker_openid": p.worker.openid,
            "worker_name": p.worker.name, "photos": len(p.attachments),
            "created_at": p.created_at.isoformat(), "updated_at": p.updated_at.isoformat(),
            "submitted_at": p.submitted_at.isoformat() if p.submitted_at else None,
        }


@dataclass(frozen=True)
class ProjectLine:
    """One submitted project as the statistics workbook lists it (no openid: staff read names)."""

    number: str | None
    title: str
    unit: str
    category: str | None
    system: str | None
    status: str
    benefit_yuan: Decimal | None
    worker_name: str | None
    submitted_at: datetime | None


def round_project_lines(session: Session, round_id: int, unit_id: int) -> list[ProjectLine]:
    """Every submitted project of the unit's subtree in the round, by number: what `round_stats` counts.

    Two statements whatever the size: the tree (for full unit names) and the projects joined to
    their authors, as plain columns (no objects loaded).
    """
    tree = unit_tree(session)
    ids = tree.subtree(unit_id)
    project, worker = Project.__table__.c, Worker.__table__.c  # Core columns: no ORM bookkeeping per row
    where = project.unit_id.is_not(None) if len(ids) == len(tree.nodes) else project.unit_id.in_(ids)
    query = (select(project.number, project.title, project.unit_id, project.category, project.system,
                    project.status, project.annual_benefit_yuan, worker.name, project.submitted_at)
             .join_from(Project.__table__, Worker.__table__, worker.id == project.worker_id)
             .where(project.round_id == round_id, project.status.in_(ProjectStatus.live()), where)
             .order_by(project.number, project.id))
    names = {i: tree.full_name(i) for i in ids}
    return [ProjectLine(number, title, names[unit], category, system, status, benefit, name, at)
            for number, title, unit, category, system, status, benefit, name, at
            in session.connection().execute(query)]
