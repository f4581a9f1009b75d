"""Exports: every project with all its fields, counted from the same rows the pages use."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.project import Project

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
