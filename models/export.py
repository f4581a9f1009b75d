"""Exports: every project with all its fields, counted from the same rows the pages use."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.project import Project

PROJECT_FIELDS = ("number", "round", "title", "description", "category", "system", "system_confidence",
                  "annual_benefit_yuan", "annual_benefit_high_yuan", "benefit_approximate",
                  "benefit_kind", "benefit", "members", "status", "unit", "worker_openid", "worker_name",
                  "photos", "created_at", "submitted_at", "updated_at")


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
