"""Demo data: a unit tree with targets and a current round, for the demo and the tests."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.account import Account, AccountRole
from models.accounts import create_account, find_account, set_password
from models.audit import Actor
from models.awards import Award, AwardState
from models.project import Project, ProjectEvent, ProjectStatus, System
from models.review_config import load_review_config
from models.round import Round
from models.unit import Target, Unit
from models.worker import Worker

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo.json"


def load_demo_data(path: Path = DEMO_FILE) -> dict[str, Any]:
    """Read the demo description (units, targets, round offsets)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _add_unit(session: Session, node: dict[str, Any], parent: Unit | None, round_: Round) -> Unit:
    """Add one unit, its target and its children."""
    unit = Unit(name=node["name"], kind=node["kind"], parent=parent)
    session.add(unit)
    session.flush()
    if "target" in node:
        session.add(Target(unit_id=unit.id, round_id=round_.id, count=node["target"]))
    for child in node.get("children", []):
        _add_unit(session, child, unit, round_)
    return unit


def seed_demo(session: Session, now: datetime, data: dict[str, Any] | None = None) -> Round:
    """Create the demo tree and a round whose deadlines are near `now`; do nothing if already there."""
    data = data or load_demo_data()
    spec = data["round"]
    existing = session.scalars(select(Round).where(Round.name == spec["name"])).first()
    if existing is not None:
        return existing
    day = timedelta(days=1)
    round_ = Round(name=spec["name"], year=spec["year"], opens_at=now - spec["opened_days_ago"] * day,
                   submission_deadline=now + spec["submission_in_days"] * day,
                   unit_review_deadline=now + spec["unit_review_in_days"] * day,
                   city_review_deadline=now + spec["city_review_in_days"] * day,
                   publication_at=now + spec["publication_in_days"] * day)
    session.add(round_)
    session.flush()
    _add_unit(session, data["tree"], None, round_)
    return round_


def unit_listing(session: Session) -> list[dict[str, Any]]:
    """Every unit with its path and invite codes, for printing."""
    units = session.scalars(select(Unit).order_by(Unit.id)).all()
    return [{"id": u.id, "name": u.full_name() or u.name, "kind": u.kind, "parent_id": u.parent_id,
             "worker_code": u.worker_code, "coordinator_code": u.coordinator_code} for u in units]


#: The demo's own changes, as the audit log shows them.
DEMO = Actor(channel="system", name="demo")


def seed_admin(session: Session, now: datetime, password: str, data: dict[str, Any] | None = None) -> Account:
    """The demo's admin account with this password (set anew on every run, since only a hash is kept)."""
    spec = (data or load_demo_data())["admin"]
    account = find_account(session, spec["username"])
    if account is None:
        return create_account(session, DEMO, username=spec["username"], name=spec["name"], password=password,
                              role=AccountRole.admin, now=now)
    set_password(session, DEMO, account, password, now)
    return account


def seed_reviewers(session: Session, now: datetime, password: str, data: dict[str, Any] | None = None) -> list[Account]:
    """The demo's reviewer accounts, all with this password: two outside experts and one of the demo enterprise.

    The third is in conflict with every demo project (same enterprise), so assigning shows the
    rule at work: each project gets the two outside experts and a shortfall that says why.
    """
    made = []
    for spec in (data or load_demo_data())["reviewers"]:
        account = find_account(session, spec["username"])
        if account is None:
            unit = session.scalars(select(Unit).where(Unit.name == spec["unit"])).first() if "unit" in spec else None
            systems = [s.value for s in System] if spec["systems"] == "all" else list(spec["systems"])
            account = create_account(session, DEMO, username=spec["username"], name=spec["name"], password=password,
                                     role=AccountRole.reviewer, unit_id=unit.id if unit else None, systems=systems,
                                     now=now)
        else:
            set_password(session, DEMO, account, password, now)
        made.append(account)
    return made


SHOWCASE_FILE = Path(__file__).resolve().parent / "data" / "showcase_demo.json"


def _unit_by_path(session: Session, path: list[str]) -> Unit:
    """The unit reached by these names from the enterprise down."""
    unit: Unit | None = None
    for name in path:
        query = select(Unit).where(Unit.name == name)
        query = query.where(Unit.parent_id == unit.id) if unit is not None else query.where(Unit.kind == "enterprise")
        unit = session.scalars(query).one()
    assert unit is not None
    return unit


def seed_showcase(session: Session, now: datetime, path: Path = SHOWCASE_FILE) -> list[Project]:
    """A finished earlier round with final awards, so the public showcase has winners; once only.

    Made directly as the end state of a round (as `seed_demo` makes units), not through the review:
    demo data, with the events a real round would have left.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    spec, plan = data["round"], load_review_config().awards
    if session.scalars(select(Round).where(Round.name == spec["name"])).first() is not None:
        return []
    year = timedelta(days=365)
    round_ = Round(name=spec["name"], year=spec["year"], opens_at=now - year - timedelta(days=60),
                   submission_deadline=now - year, unit_review_deadline=now - year + timedelta(days=10),
                   city_review_deadline=now - year + timedelta(days=30), publication_at=now - year + timedelta(days=40))
    session.add(round_)
    session.flush()
    projects = []
    for index, item in enumerate(data["projects"], 1):
        unit = _unit_by_path(session, item["unit"])
        worker = Worker(openid=f"o_demo_showcase_{index:02d}", name=item["author"], unit_id=unit.id)
        session.add(worker)
        session.flush()
        project = Project(round_id=round_.id, number=f"{spec['year']}-{index:04d}", title=item["title"],
                          description=item["description"], category=item["category"], system=item["system"],
                          annual_benefit_yuan=Decimal(item["benefit"]), members=item["members"],
                          status=ProjectStatus.awarded, unit_id=unit.id, worker_id=worker.id,
                          submitted_at=round_.opens_at + timedelta(days=index), created_at=round_.opens_at)
        session.add(project)
        session.flush()
        steps = [(None, ProjectStatus.submitted), (ProjectStatus.submitted, ProjectStatus.unit_approved),
                 (ProjectStatus.unit_approved, ProjectStatus.under_review), (ProjectStatus.under_review,
                                                                              ProjectStatus.awarded)]
        for day, (before, after) in enumerate(steps):
            session.add(ProjectEvent(project_id=project.id, at=round_.opens_at + timedelta(days=index + 10 * day),
                                     from_status=before, to_status=after))
        session.add(Award(round_id=round_.id, project_id=project.id, level=item["level"],
                          prize=plan.level(item["level"]).prize, score=Decimal(0), rank=index, state=AwardState.final,
                          final_at=round_.publication_at))
        projects.append(project)
    session.flush()
    return projects

