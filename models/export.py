"""Exports: every project with all its fields, and the statistics workbook's list, counted as the pages count."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.project import Project, ProjectStatus
from models.unit_tree import unit_tree
from models.worker import Worker

PROJECT_FIELDS = ("number", "round", "title", "description", "category", "system", "system_confidence",
                  "annual_benefit_yuan", "annual_benefit_high_yuan", "benefit_approximate",
                  "benefit_kind", "benefit", "members", "status", "unit", "worker_openid", "worker_name",
                  "photos", "created_at", "submitted_at", "updated_at")
#: Rows fetched at a time when the statistics workbook streams its project list.
LINES_PER_BLOCK = 2000


def _yuan(value: Decimal | None) -> float | None:
    """An amount as a JSON number."""
    return None if value is None else float(value)


def project_rows(session: Session, show_benefit: Callable[[Project], str] | None = None) -> Iterator[dict[str, Any]]:
    """Yield one flat dict per project, in round and number order; `show_benefit` words the benefit as the chat does."""
    query = (select(Project).options(selectinload(Project.round), selectinload(Project.unit),
                                     selectinload(Project.worker), selectinload(Project.attachments))
             .order_by(Project.round_id, Project.number, Project.id))
    for p in session.scalars(query):
        yield {
            "number": p.number, "round": p.round.name, "title": p.title, "description": p.description,
            "category": p.category, "system": p.system, "system_confidence": p.system_confidence,
            "annual_benefit_yuan": _yuan(p.annual_benefit_yuan),
            "annual_benefit_high_yuan": _yuan(p.annual_benefit_high_yuan),
            "benefit_approximate": p.benefit_approximate, "benefit_kind": p.benefit_kind,
            "benefit": show_benefit(p) if show_benefit else None,
            "members": list(p.members or []), "status": p.status,
            "unit": p.unit.full_name() if p.unit else None, "worker_openid": p.worker.openid,
            "worker_name": p.worker.name, "photos": len(p.attachments),
            "created_at": p.created_at.isoformat(), "updated_at": p.updated_at.isoformat(),
            "submitted_at": p.submitted_at.isoformat() if p.submitted_at else None,
        }


class ProjectLine(NamedTuple):
    """One submitted project as the statistics workbook lists it (no openid: staff read names).

    A named tuple, not a dataclass: 18,000 of them are made per city export, and a tuple is made
    several times faster.
    """

    number: str | None
    title: str
    unit: str
    category: str | None
    system: str | None
    status: str
    benefit_yuan: Decimal | None
    worker_name: str | None
    submitted_at: datetime | None


def round_project_lines(session: Session, round_id: int, unit_id: int) -> Iterator[ProjectLine]:
    """Every submitted project of the unit's subtree in the round, by number: what `round_stats` counts.

    Two statements whatever the size (three on PostgreSQL): the tree (for full unit names) and the
    projects joined to their authors, as plain columns (no objects loaded), streamed a block at a
    time (a server-side cursor on PostgreSQL), so the workbook is written as the rows arrive.
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
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # A server-side cursor is planned for its first tenth (cursor_tuple_fraction): an index walk
        # in number order. Every row is read here, so plan for all of them: a scan and a sort, half
        # the server's CPU at 20,000 projects (bench/stats.md). Until the transaction ends.
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    for number, title, unit, category, system, status, benefit, name, at in (
            connection.execution_options(yield_per=LINES_PER_BLOCK).execute(query)):
        yield ProjectLine(number, title, names[unit], category, system, status, benefit, name, at)
