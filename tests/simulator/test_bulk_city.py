"""The generated city: `seed-demo --projects N --units M` makes a tree, projects and history that add up."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import main
from models.project import Project, ProjectEvent
from models.stats import round_stats
from models.unit import Unit
from models.worker import Worker


def test_seed_demo_generates_a_city_whose_figures_add_up(settings_overrides, monkeypatch, db):
    for key, value in settings_overrides.items():
        monkeypatch.setenv(key, str(value))
    for _ in range(2):  # the second run finds the city there and adds nothing
        result = CliRunner().invoke(main, ["--log-level", "WARNING", "seed-demo", "--projects", "500",
                                           "--units", "60"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    with db.transaction() as session:
        units = session.scalar(select(func.count()).select_from(Unit))
        projects = session.scalar(select(func.count()).select_from(Project))
        events = session.scalar(select(func.count()).select_from(ProjectEvent))
        workers = session.scalar(select(func.count()).select_from(Worker))
        top = session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))).one()
        stats = round_stats(session, 1, top)
    assert (units, projects, workers) == (60, 500, 200)
    assert 2.2 * projects < events < 2.8 * projects  # 50,000 events for 20,000 projects, as the issue asks
    assert 400 < stats.unit.submitted < 500  # drafts and withdrawn projects are not counted
    assert stats.unit.submitted == sum(p.submitted for p in stats.children) == stats.funnel.submitted
    assert sum(w.submitted for w in stats.weeks) == stats.unit.submitted
    assert stats.funnel.submitted > stats.funnel.unit_approved > stats.funnel.reviewed > stats.funnel.awarded > 0
    assert any(p.lagging for _, p in stats.subtree) and any(p.target for _, p in stats.subtree)
