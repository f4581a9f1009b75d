"""Read-only views of projects: a worker's own, a unit's pending list, same-title checks."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.project import Project, ProjectStatus
from models.worker import Worker
from models.workflow import units_under


def worker_projects(session: Session, worker: Worker, limit: int = 10) -> list[Project]:
    """The worker's projects (not drafts), newest change first."""
    query = (select(Project).where(Project.worker_id == worker.id, Project.status != ProjectStatus.draft)
             .order_by(Project.updated_at.desc(), Project.id.desc()).limit(limit))
    return list(session.scalars(query))


def pending_for_unit(session: Session, unit_id: int, round_id: int, limit: int = 20) -> list[Project]:
    """Projects of a unit (and the units below it) waiting for the unit's first review, oldest first."""
    query = (select(Project).options(selectinload(Project.worker), selectinload(Project.unit))
             .where(Project.unit_id.in_(units_under(session, unit_id)), Project.round_id == round_id,
                    Project.status == ProjectStatus.submitted)
             .order_by(Project.submitted_at, Project.id).limit(limit))
    return list(session.scalars(query))


def count_pending_for_unit(session: Session, unit_id: int, round_id: int) -> int:
    """How many projects wait for the unit's first review."""
    return session.scalar(select(func.count()).select_from(Project).where(
        Project.unit_id.in_(units_under(session, unit_id)), Project.round_id == round_id,
        Project.status == ProjectStatus.submitted)) or 0


def same_title(session: Session, draft: Project) -> Project | None:
    """Another live project of the same worker in the same round with the same title (spaces ignored)."""
    wanted = "".join(draft.title.split())
    if not wanted:
        return None
    query = select(Project).where(Project.worker_id == draft.worker_id, Project.round_id == draft.round_id,
                                  Project.id != draft.id,
                                  Project.status.notin_([ProjectStatus.draft, ProjectStatus.withdrawn]))
    return next((p for p in session.scalars(query) if "".join(p.title.split()) == wanted), None)
