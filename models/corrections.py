"""Corrections of the professional system the classifier chose, kept so the classifier can learn.

A coordinator or reviewer who files a project under another system is right more often than the
model; every such change is stored with the text the model saw, and `python -m bot export
corrections` hands them to `python -m nlp retrain`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.access import Actor, check_refile
from models.project import Project, System


class SystemCorrection(Base):
    """One change of a project's system by a person: the text, what it was, what it is now."""

    __tablename__ = "system_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    from_system: Mapped[str | None] = mapped_column(String(30))
    to_system: Mapped[str] = mapped_column(String(30))


def training_text(project: Project) -> str:
    """The text the classifier files a project by: its title and description."""
    return f"{project.title} {project.description}".strip()


def correct_system(session: Session, project: Project, system: System, actor: Actor | None,
                   now: datetime) -> SystemCorrection | None:
    """File a submitted project under `system`; return the correction kept (None if nothing changed).

    `actor` None is staff at the command line, who may refile anything.
    """
    check_refile(session, project, actor)
    if project.system == system:
        return None
    correction = SystemCorrection(project_id=project.id, actor_id=actor.worker_id if actor else None, at=now,
                                  text=training_text(project),
                                  from_system=project.system, to_system=str(system))
    project.system, project.system_confidence = str(system), None
    project.updated_at = now
    session.add(correction)
    session.flush()
    return correction


def training_corrections(session: Session) -> list[tuple[str, str]]:
    """(text, system) pairs for retraining: the latest correction of each project, oldest first."""
    latest: dict[int, SystemCorrection] = {}
    for correction in session.scalars(select(SystemCorrection).order_by(SystemCorrection.id)):
        latest[correction.project_id] = correction
    return [(c.text, c.to_system) for c in sorted(latest.values(), key=lambda c: c.id) if c.text]
