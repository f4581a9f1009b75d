"""Read-only views of projects: a worker's own, same titles, live texts."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, selectinload

from models.awards import Award, AwardState
from models.project import Attachment, Project, ProjectStatus
from models.worker import Worker


def worker_projects(session: Session, worker_id: int, limit: int = 10) -> list[Project]:
    """The worker's projects (not drafts), newest change first (by id: the chat lists them without
    loading the worker)."""
    query = (select(Project).where(Project.worker_id == worker_id, Project.status != ProjectStatus.draft)
             .order_by(Project.updated_at.desc(), Project.id.desc()).limit(limit))
    return list(session.scalars(query))


def project_by_id(session: Session, project_id: int | None) -> Project | None:
    """The project with this id, if it (still) exists."""
    return session.get(Project, project_id) if project_id is not None else None


def returned_projects(session: Session, worker: Worker) -> list[Project]:
    """The worker's projects returned to them for changes, newest change first."""
    return [p for p in worker_projects(session, worker.id) if p.status == ProjectStatus.returned]


def same_title(session: Session, draft: Project) -> Project | None:
    """Another live project of the same worker in the same round with the same title (spaces ignored)."""
    wanted = "".join(draft.title.split())
    if not wanted:
        return None
    query = select(Project).where(Project.worker_id == draft.worker_id, Project.round_id == draft.round_id,
                                  Project.id != draft.id, Project.status.in_(ProjectStatus.live()))
    return next((p for p in session.scalars(query) if "".join(p.title.split()) == wanted), None)


def live_texts(session: Session, since: datetime | None) -> Sequence[Row[tuple[int, str, str, datetime]]]:
    """(id, title, description, updated_at) of the live projects changed since `since` (all when None)."""
    query = select(Project.id, Project.title, Project.description, Project.updated_at).where(
        Project.status.in_(ProjectStatus.live()), Project.number.is_not(None))
    if since is not None:
        query = query.where(Project.updated_at >= since)
    return session.execute(query).all()


def live_project(session: Session, project_id: int) -> Project | None:
    """The project with this id if it is live (one already in the session costs no query)."""
    project = session.get(Project, project_id)
    return project if project is not None and project.status in ProjectStatus.live() else None


def own_projects(session: Session, worker_id: int) -> list[Project]:
    """Every project of the worker but drafts, newest first, with history and photos (the worker's page)."""
    query = (select(Project).options(selectinload(Project.events), selectinload(Project.attachments),
                                     selectinload(Project.round), selectinload(Project.unit))
             .where(Project.worker_id == worker_id, Project.status != ProjectStatus.draft)
             .order_by(Project.updated_at.desc(), Project.id.desc()))
    return list(session.scalars(query))


def own_photo(session: Session, worker_id: int, attachment_id: int) -> Attachment | None:
    """A stored photo of one of the worker's own projects, or None."""
    return session.scalars(select(Attachment).join(Project).where(
        Attachment.id == attachment_id, Project.worker_id == worker_id, Attachment.status == "fetched",
        Attachment.stored_path.is_not(None))).first()


def own_awards(session: Session, worker_id: int) -> dict[int, Award]:
    """The worker's awards that they may know of, by project id: final ones and those under 公示."""
    query = (select(Award).join(Project, Award.project_id == Project.id)
             .where(Project.worker_id == worker_id, Award.state.in_((AwardState.final, AwardState.public_notice))))
    return {award.project_id: award for award in session.scalars(query)}
