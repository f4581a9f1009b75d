"""A small city for the statistics pages: projects in both mines, with numbers, systems and benefits."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy.orm import Session

from models.project import Project, ProjectEvent
from models.round import Round
from models.seed import seed_demo, unit_listing
from models.worker import Worker

#: (unit's full name, status, system, category, benefit) of each project, numbered 2026-0001 … in order.
PROJECTS = [
    ("晋源能源集团一矿综采一队甲班", "submitted", "mining", "innovation", "1200.50"),
    ("晋源能源集团一矿综采一队甲班", "unit_approved", "mining", "invention", "8000"),
    ("晋源能源集团一矿综采一队乙班", "awarded", "transport", "innovation", None),
    ("晋源能源集团一矿运输队", "under_review", "transport", "design", "30000"),
    ("晋源能源集团一矿运输队", "withdrawn", "transport", "design", "99999"),
    ("晋源能源集团二矿机电队", "submitted", "electromechanical", "suggestion", "450"),
    ("晋源能源集团二矿机电队", "returned", "electromechanical", "creation", None),
    ("晋源能源集团二矿选煤厂", "not_awarded", "preparation", "innovation", "12000"),
]


def seed_stats_city(session: Session, now: datetime) -> Round:
    """The demo tree and round with PROJECTS, one author each, submitted over the last three weeks."""
    round_ = seed_demo(session, now)
    units = {u["name"]: u["id"] for u in unit_listing(session)}
    for index, (unit, status, system, category, benefit) in enumerate(PROJECTS, start=1):
        worker = Worker(openid=f"o_stats_{index}", name=f"职工{index}", unit_id=units[unit])
        session.add(worker)
        session.flush()
        at = (now - timedelta(days=3 * index)).astimezone(timezone.utc)
        project = Project(round_id=round_.id, number=f"2026-{index:04d}", title=f"{unit[-3:]}的革新{index}",
                          status=status, system=system, category=category, unit_id=units[unit],
                          worker_id=worker.id, submitted_at=at,
                          annual_benefit_yuan=None if benefit is None else Decimal(benefit))
        session.add(project)
        session.flush()
        if status in ("unit_approved", "under_review", "awarded", "not_awarded"):
            session.add(ProjectEvent(project_id=project.id, at=at + timedelta(days=1), from_status="submitted",
                                     to_status="unit_approved"))
    return round_
