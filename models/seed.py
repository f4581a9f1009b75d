"""Demo data: a unit tree with targets and a current round, for the demo and the tests."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.account import Account, AccountRole
from models.accounts import create_account, find_account, set_password
from models.audit import Actor
from models.project import System
from models.round import Round
from models.unit import Target, Unit

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
