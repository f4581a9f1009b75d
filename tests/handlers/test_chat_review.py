"""Coordinators in the chat: binding with a coordinator code, pending list, approve, return, stats."""
from tests.chat import bind_coordinator, notice_text, outbox, projects, submit_project


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
