"""Targets and progress: the numbers add up the unit tree the same way everywhere."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database import Database
from models.errors import DomainError
from models.project import Project
from models.round import Round
from models.seed import seed_demo
from models.stats import progress_tree, unit_progress
from models.targets import set_target, split_target
from models.unit import Target, Unit
from models.worker import Worker

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)


def unit(session: Session, name: str, parent: str | None = None) -> Unit:
    """The demo unit of that name (under the named parent when names repeat)."""
    query = select(Unit).where(Unit.name == name)
    if parent is not None:
        query = query.where(Unit.parent_id == unit(session, parent).id)
    return session.scalars(query).one()


def add_projects(session: Session, round_: Round, unit_: Unit, *statuses: str) -> None:
    """Add projects of the given statuses to a unit, by one worker of that unit."""
    worker = Worker(openid=f"o_{unit_.id}_{len(statuses)}_{statuses[0]}", unit_id=unit_.id)
    session.add(worker)
    session.flush()
    session.add_all(Project(round_id=round_.id, unit_id=unit_.id, worker_id=worker.id, status=s, title=s)
                    for s in statuses)
    session.flush()


@pytest.fixture
def demo(db: Database) -> Round:
    """The demo tree (targets: group 60, 一矿 36, 综采一队 8, ...) with some projects."""
    with db.transaction() as session:
        round_ = seed_demo(session, NOW)
        add_projects(session, round_, unit(session, "甲班"), "submitted", "submitted", "unit_approved")
        add_projects(session, round_, unit(session, "综采二队"), "draft", "withdrawn", "awarded")
        add_projects(session, round_, unit(session, "机电队", "二矿"), "returned")
    return round_


def test_unit_progress_of_a_mine_and_its_teams(db: Database, demo: Round) -> None:
    """一矿: 4 submitted of 36 (drafts and withdrawn do not count), 2 approved, 2 waiting; per team too."""
    with db.transaction() as session:
        rows = unit_progress(session, demo.id, unit(session, "一矿").id)
    numbers = [(p.name, p.target, p.submitted, p.approved) for p in rows]
    assert numbers[0] == ("一矿", 36, 4, 2) and rows[0].pending == 2
    assert numbers[1:3] == [("综采一队", 8, 3, 1), ("综采二队", 6, 1, 1)]
    assert [n[2] for n in numbers[3:]] == [0, 0, 0, 0]


def test_every_node_adds_up_its_children(db: Database, demo: Round) -> None:
    """The group counts both mines; the city root takes the group's target as its own."""
    with db.transaction() as session:
        tree = progress_tree(session, demo.id)
        group, city = tree[unit(session, "晋源能源集团").id], tree[unit(session, "市总工会").id]
    assert (group.target, group.submitted, group.approved) == (60, 5, 2)
    assert (city.target, city.submitted) == (60, 5)


def test_split_target_evenly_and_by_shares(db: Database, demo: Round) -> None:
    """二矿's 24 splits 8/8/8; given shares must add up to the parent's target."""
    with db.transaction() as session:
        mine = unit(session, "二矿")
        set_target(session, demo.id, mine.id, 25)
        assert [t.count for t in split_target(session, demo.id, mine.id)] == [9, 8, 8]
        kids = [c.id for c in mine.children]
        with pytest.raises(DomainError):
            split_target(session, demo.id, mine.id, {kids[0]: 20, kids[1]: 1})
        split_target(session, demo.id, mine.id, {kids[0]: 20, kids[1]: 5, kids[2]: 0})
        counts = session.scalars(select(Target.count).where(Target.unit_id.in_(kids)).order_by(Target.unit_id))
        assert list(counts) == [20, 5, 0]
