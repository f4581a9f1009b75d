"""Who sees what: staff the whole city, a coordinator their subtree, a reviewer only what is assigned."""
import pytest
from sqlalchemy import select

from models.access import may_see, may_see_unit, project_scope, visible_project, visible_unit, web_actor
from models.accounts import create_account, set_active
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.errors import NotFound
from models.project import Project
from models.round import Round
from models.worker import Worker


def project_in(session, unit_id, number):
    worker = Worker(openid=f"o_{number}", name="张三", unit_id=unit_id)
    session.add(worker)
    session.flush()
    project = Project(round_id=session.scalars(select(Round.id)).first(), number=number, title="皮带机清扫器",
                      status="submitted", unit_id=unit_id, worker_id=worker.id)
    session.add(project)
    session.flush()
    return project


def account(session, username, role, **fields):
    return create_account(session, COMMAND_LINE, username=username, password="long-enough", role=role,
                          now=utcnow(), **fields)


def test_each_role_sees_its_part_of_the_city(db, demo):
    mine, team = demo["晋源能源集团一矿"]["id"], demo["晋源能源集团一矿运输队"]["id"]
    other_mine = demo["晋源能源集团二矿"]["id"]
    with db.transaction() as session:
        ours, theirs = project_in(session, team, "2026-0001"), project_in(session, other_mine, "2026-0002")
        staff = account(session, "office", "staff")
        coordinator = account(session, "li", "coordinator", unit_id=mine)
        reviewer = account(session, "zhao", "reviewer", systems=["transport"])
        seen = {a.username: {p.number for p in session.scalars(select(Project).where(project_scope(session, web_actor(a))))}
                for a in (staff, coordinator, reviewer)}
        assert seen == {"office": {"2026-0001", "2026-0002"}, "li": {"2026-0001"}, "zhao": set()}
        for a in (staff, coordinator, reviewer):  # the list query and the single check agree
            assert {p.number for p in (ours, theirs) if may_see(session, web_actor(a), p)} == seen[a.username]
        assert may_see_unit(session, web_actor(coordinator), team) and not may_see_unit(session, web_actor(coordinator), other_mine)
        assert not may_see_unit(session, web_actor(reviewer), team) and may_see_unit(session, web_actor(staff), other_mine)


def test_what_is_not_yours_does_not_exist(db, demo):
    mine, other_mine = demo["晋源能源集团一矿"]["id"], demo["晋源能源集团二矿"]["id"]
    with db.transaction() as session:
        project_in(session, other_mine, "2026-0002")
        coordinator = account(session, "li", "coordinator", unit_id=mine)
        for lookup in (lambda: visible_project(session, web_actor(coordinator), "2026-0002"),
                       lambda: visible_project(session, web_actor(coordinator), "2026-9999"),
                       lambda: visible_unit(session, web_actor(coordinator), other_mine),
                       lambda: visible_unit(session, web_actor(coordinator), 99999)):
            with pytest.raises(NotFound):
                lookup()
        assert visible_unit(session, web_actor(coordinator), mine).id == mine


def test_a_deactivated_account_sees_nothing(db, demo):
    with db.transaction() as session:
        project_in(session, demo["晋源能源集团二矿"]["id"], "2026-0002")
        staff = account(session, "office", "staff")
        set_active(session, COMMAND_LINE, staff, False, utcnow())
        assert session.scalars(select(Project).where(project_scope(session, web_actor(staff)))).all() == []
        assert not may_see_unit(session, web_actor(staff), demo["晋源能源集团二矿"]["id"])


def test_a_short_number_is_read_in_the_given_round_only(db, demo):
    """The chat's "0001" is the current round's 2026-0001; without a round only the full number finds it."""
    team = demo["晋源能源集团一矿运输队"]["id"]
    with db.transaction() as session:
        project = project_in(session, team, "2026-0001")
        staff = web_actor(account(session, "office", "staff"))
        this_round = session.get(Round, project.round_id)
        assert visible_project(session, staff, "0001", this_round) is project
        assert visible_project(session, staff, "1", this_round) is project
        assert visible_project(session, staff, "2026-0001") is project
        with pytest.raises(NotFound):
            visible_project(session, staff, "0001")
