"""The statistics query layer: participation, groupings, benefit, funnel and weeks add up the unit tree."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.database import Database
from models.project import Project, ProjectEvent
from models.round import Round
from models.seed import seed_demo
from models.stats import (economic_benefit, funnel, participation, projects_by_category, projects_by_status,
                          projects_by_system, round_stats, unit_progress, weekly_trend)
from models.unit import Unit
from models.worker import Worker

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
#: Sunday 15 November 2026, 23:30 in Shanghai, and the Monday half an hour later (UTC below).
SUNDAY_LATE = datetime(2026, 11, 15, 15, 30, tzinfo=timezone.utc)
MONDAY_EARLY = datetime(2026, 11, 15, 16, 30, tzinfo=timezone.utc)


def unit(session: Session, name: str, parent: str | None = None) -> Unit:
    """The demo unit of that name (under the named parent when names repeat)."""
    query = select(Unit).where(Unit.name == name)
    if parent is not None:
        query = query.where(Unit.parent_id == unit(session, parent).id)
    return session.scalars(query).one()


def add(session: Session, round_: Round, unit_: Unit, worker: Worker, status: str, *, system: str | None = None,
        category: str | None = None, benefit: str | None = None, at: datetime = NOW,
        approved_at: datetime | None = None) -> None:
    """One project of that worker's, submitted at `at`, with its approval event when given."""
    project = Project(round_id=round_.id, unit_id=unit_.id, worker_id=worker.id, status=status, title=status,
                      system=system, category=category, submitted_at=at,
                      annual_benefit_yuan=None if benefit is None else Decimal(benefit))
    session.add(project)
    session.flush()
    if approved_at is not None:
        session.add(ProjectEvent(project_id=project.id, at=approved_at, from_status="submitted",
                                 to_status="unit_approved"))


def worker(session: Session, unit_: Unit, openid: str) -> Worker:
    """A worker bound to the unit."""
    w = Worker(openid=openid, unit_id=unit_.id)
    session.add(w)
    session.flush()
    return w


@pytest.fixture
def city(db: Database) -> Round:
    """Projects in 甲班 (two authors), 综采二队 and 二矿's 机电队, and a bound worker who submitted nothing."""
    with db.transaction() as session:
        round_ = seed_demo(session, NOW)
        jia, zong2, jidian2 = unit(session, "甲班"), unit(session, "综采二队"), unit(session, "机电队", "二矿")
        li, wang, zhao, qian = (worker(session, jia, "o_li"), worker(session, jia, "o_wang"),
                                worker(session, zong2, "o_zhao"), worker(session, jidian2, "o_qian"))
        worker(session, jidian2, "o_idle")
        add(session, round_, jia, li, "submitted", system="mining", category="innovation", benefit="1000.50",
            at=SUNDAY_LATE)
        add(session, round_, jia, li, "unit_approved", system="mining", category="invention", benefit="2000",
            at=MONDAY_EARLY, approved_at=NOW)
        add(session, round_, jia, wang, "awarded", system="transport", category="innovation", at=MONDAY_EARLY,
            approved_at=MONDAY_EARLY)
        add(session, round_, zong2, zhao, "draft")
        add(session, round_, zong2, zhao, "withdrawn", system="mining", benefit="99999")
        add(session, round_, zong2, zhao, "not_awarded", system="mining", category="design", benefit="500")
        add(session, round_, jidian2, qian, "returned", category="suggestion", benefit="0.25")
    return round_


def test_participation_counts_authors_among_bound_workers(db: Database, city: Round) -> None:
    """The group: 4 authors of 5 bound workers; 3 of its 14 units have a submitted project."""
    with db.transaction() as session:
        group = participation(session, city.id, unit(session, "晋源能源集团").id)
        mine = participation(session, city.id, unit(session, "一矿").id)
    assert (group.workers, group.bound_workers, group.units, group.all_units) == (4, 5, 3, 14)
    assert group.worker_share == pytest.approx(0.8)
    assert (mine.workers, mine.bound_workers, mine.units) == (3, 3, 2)


def test_groupings_count_submitted_projects_only(db: Database, city: Round) -> None:
    """Drafts and withdrawn projects are in no grouping; an unset system is its own group, last."""
    with db.transaction() as session:
        group = unit(session, "晋源能源集团").id
        systems = [(s.key, s.projects, s.benefit_yuan) for s in projects_by_system(session, city.id, group)]
        categories = {s.key: s.projects for s in projects_by_category(session, city.id, group)}
        statuses = projects_by_status(session, city.id, group)
    assert systems == [("mining", 3, Decimal("3500.50")), ("transport", 1, Decimal("0.00")),
                       (None, 1, Decimal("0.25"))]
    assert categories == {"innovation": 2, "invention": 1, "design": 1, "suggestion": 1}
    assert statuses == {"submitted": 1, "returned": 1, "unit_approved": 1, "under_review": 0, "awarded": 1,
                        "not_awarded": 1, "withdrawn": 1}


def test_benefit_and_funnel_of_a_subtree(db: Database, city: Round) -> None:
    """一矿's benefit leaves out the withdrawn 99,999; the funnel narrows submitted → awarded."""
    with db.transaction() as session:
        mine = unit(session, "一矿").id
        benefit = economic_benefit(session, city.id, mine)
        steps = funnel(session, city.id, mine)
    assert (benefit.total_yuan, benefit.projects_with_figure, benefit.projects) == (Decimal("3500.50"), 3, 4)
    assert benefit.approximate_yuan is None  # not stored yet: the page says so instead of guessing
    assert (steps.submitted, steps.unit_approved, steps.reviewed, steps.awarded) == (4, 3, 2, 1)


def test_weeks_follow_shanghai_days(db: Database, city: Round) -> None:
    """Sunday 23:30 in Shanghai is the week of 9 November, half past midnight on Monday the next one."""
    with db.transaction() as session:
        weeks = weekly_trend(session, city.id, unit(session, "一矿").id)
    assert [(w.start, w.submitted, w.approved, w.cumulative) for w in weeks] == [
        (date(2026, 11, 9), 1, 0, 1), (date(2026, 11, 16), 3, 2, 4)]


def test_round_stats_agrees_with_each_function_in_a_constant_number_of_statements(db: Database,
                                                                                 city: Round) -> None:
    """The page's one call gives the same figures as the single functions, in seven statements."""
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with db.transaction() as session:
        group = unit(session, "晋源能源集团").id
        statements.clear()
        stats = round_stats(session, city.id, group)
        count = len(statements)
        assert stats.participation == participation(session, city.id, group)
        assert stats.by_system == projects_by_system(session, city.id, group)
        assert stats.weeks == weekly_trend(session, city.id, group)
        assert [stats.unit, *stats.children] == unit_progress(session, city.id, group)
    assert count == 7
    assert [p.name for p in stats.path] == ["市总工会", "晋源能源集团"]
    assert [(d, p.name) for d, p in stats.subtree][:3] == [(0, "晋源能源集团"), (1, "一矿"), (2, "综采一队")]
    assert sum(p.submitted for p in stats.children) == stats.unit.submitted == stats.funnel.submitted
