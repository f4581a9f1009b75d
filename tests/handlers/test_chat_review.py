"""Coordinators in the chat: binding with a coordinator code, pending list, approve, return, stats."""
from sqlalchemy import select

from models.account import Account
from models.accounts import create_account, link_worker
from models.audit import COMMAND_LINE, AuditEntry
from models.base import utcnow
from models.worker import Worker
from tests.chat import bind_coordinator, bind_worker, notice_text, outbox, projects, submit_project


def test_coordinator_returns_a_project_and_the_worker_is_told_why(chat, demo, db):
    submit_project(chat, demo)
    coordinator = bind_coordinator(chat, demo)
    pending = coordinator.send_text("待审")
    assert "2026-0001" in pending and "张三" in pending
    assert "已退回" in coordinator.send_text("退回 0001 照片不清楚，请补充")
    assert projects(db)[0].status == "returned"
    [notice] = outbox(db)
    assert notice.openid == chat.follower.openid and notice.key.startswith("status:")
    assert "照片不清楚，请补充" in notice_text(notice)
    detail = chat.send_text("查询 0001")
    assert "被退回" in detail and "照片不清楚" in detail


def test_return_without_reason_asks_for_it(chat, demo, db):
    submit_project(chat, demo)
    coordinator = bind_coordinator(chat, demo)
    assert "原因" in coordinator.send_text("退回 0001")
    coordinator.send_text("缺少效果数据")
    assert projects(db)[0].status == "returned"


def test_workers_cannot_use_coordinator_commands(chat, demo, db):
    submit_project(chat, demo)
    assert "联络员" in chat.send_text("通过 0001")
    assert projects(db)[0].status == "submitted"


def test_coordinator_of_another_unit_cannot_see_the_project(chat, demo, db):
    submit_project(chat, demo)
    other = bind_coordinator(chat, demo, unit="晋源能源集团二矿")
    assert "没找到" in other.send_text("通过 0001")
    assert projects(db)[0].status == "submitted"


def test_worker_withdraws_before_review(chat, demo, db):
    submit_project(chat, demo)
    assert "已撤回" in chat.send_text("撤回 0001")
    assert projects(db)[0].status == "withdrawn"


def test_stats_show_the_unit_against_its_target_by_team(chat, demo, db):
    submit_project(chat, demo)
    coordinator = bind_coordinator(chat, demo)
    coordinator.send_text("通过 0001")
    stats = coordinator.send_text("统计")
    assert stats.startswith("一矿 2026年度五小竞赛") and "已申报 1/36" in stats and "初审通过 1" in stats
    assert "运输队：1/5，通过 1" in stats and "综采一队：0/8，通过 0" in stats


def test_a_follower_linked_to_a_coordinator_account_reviews_in_the_chat_as_on_the_web(chat, demo, db):
    submit_project(chat, demo)
    li = chat.as_follower("o_li")
    bind_worker(li, demo, unit="晋源能源集团一矿综采一队", name="李主任")  # bound as a plain worker in the chat
    assert "联络员" in li.send_text("通过 0001")
    with db.transaction() as session:
        account = create_account(session, COMMAND_LINE, username="li", password="long-enough", role="coordinator",
                                 unit_id=demo["晋源能源集团一矿"]["id"], now=utcnow())
        follower = session.scalars(select(Worker).where(Worker.openid == "o_li")).one()
        link_worker(session, COMMAND_LINE, account, follower, utcnow())
    assert "2026-0001" in li.send_text("待审")  # the account's unit, 一矿, not the team he is bound to
    assert li.send_text("统计").startswith("一矿 2026年度五小竞赛")
    assert "已退回" in li.send_text("退回 0001 缺少照片")
    with db.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "project.returned")).one()
        assert (entry.channel, entry.actor_name, entry.note) == ("chat", "li", "缺少照片")
    [notice] = outbox(db)
    assert "缺少照片" in notice_text(notice)
    with db.transaction() as session:  # deactivated: the account's authority is gone in the chat too
        session.get_one(Account, account.id).active = False
    assert "联络员" in li.send_text("待审")


def test_a_project_left_waiting_from_an_earlier_round_is_still_listed_and_can_be_passed(chat, demo, db):
    """The chat's 待审 is the review page's list: a round ending does not hide what still waits."""
    from datetime import timedelta

    from models.project import Project
    from models.round import Round

    submit_project(chat, demo)
    with db.transaction() as session:  # the project's round is last year's; a new round is current
        current = session.scalars(select(Round)).one()
        old = Round(year=current.year - 1, name="上一届", opens_at=current.opens_at - timedelta(days=365),
                    submission_deadline=current.submission_deadline - timedelta(days=365),
                    unit_review_deadline=current.unit_review_deadline - timedelta(days=365),
                    city_review_deadline=current.city_review_deadline - timedelta(days=365))
        session.add(old)
        session.flush()
        project = session.scalars(select(Project)).one()
        project.round_id, project.number = old.id, f"{old.year}-0001"
    coordinator = bind_coordinator(chat, demo)
    pending = coordinator.send_text("待审")
    assert "待初审 1 项" in pending and "2025-0001" in pending
    assert "2025-0001" in coordinator.send_text("通过 2025-0001")
    assert projects(db)[0].status == "unit_approved"
