"""Whole chats about leaving a unit: one confirmation before unbinding, since gloves and voice mistype."""
from typing import Any

from sqlalchemy import select

from models import Worker
from tests.chat import MINE_ONE, TRANSPORT, bind_coordinator, bind_worker, projects, state_of


def binding_of(db: Any, openid: str) -> tuple[int | None, str]:
    """The unit id and role a follower is bound with."""
    with db.transaction() as s:
        return tuple(s.execute(select(Worker.unit_id, Worker.role).where(Worker.openid == openid)).one())


def test_a_worker_is_asked_before_unbinding_and_a_yes_unbinds(chat, demo, db):
    bind_worker(chat, demo)
    question = chat.send_text("换单位")
    assert "确定要解除与晋源能源集团一矿运输队的绑定吗" in question and "确认" in question and "取消" in question
    assert "联络员" not in question and "草稿" not in question
    assert binding_of(db, chat.follower.openid)[0] == demo[TRANSPORT]["id"]
    assert "已解除与晋源能源集团一矿运输队的绑定" in chat.send_text("确认")
    assert binding_of(db, chat.follower.openid) == (None, "worker")
    assert "邀请码" in chat.send_text("申报")  # unbound now: asked to bind before submitting


def test_a_no_or_a_cancel_keeps_the_binding_and_a_later_yes_does_nothing(chat, demo, db):
    bind_worker(chat, demo)
    for answer in ("取消", "不", "不是"):
        chat.send_text("解绑")
        assert "仍绑定在晋源能源集团一矿运输队" in chat.send_text(answer)
    assert "解除" not in chat.send_text("确认")
    assert binding_of(db, chat.follower.openid) == (demo[TRANSPORT]["id"], "worker")


def test_a_coordinator_is_warned_of_losing_the_role(chat, demo, db):
    coordinator = bind_coordinator(chat, demo)
    question = coordinator.send_text("换单位")
    assert "晋源能源集团一矿" in question and "联络员身份也会取消" in question
    coordinator.send_text("确认")
    assert binding_of(db, coordinator.follower.openid) == (None, "worker")
    assert "联络员的功能" in coordinator.send_text("待审")


def test_a_coordinator_who_cancels_keeps_the_role(chat, demo, db):
    coordinator = bind_coordinator(chat, demo)
    coordinator.send_text("换单位")
    coordinator.send_text("取消")
    assert binding_of(db, coordinator.follower.openid) == (demo[MINE_ONE]["id"], "coordinator")
    assert "待初审" in coordinator.send_text("待审")


def test_an_unclear_answer_repeats_the_question_and_a_new_command_drops_it(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("换单位")
    again = chat.send_text("今天天气不错")
    assert "确认" in again and "取消" in again
    assert state_of(db, chat.follower.openid) == "confirm_unbind"
    assert "还没有申报过项目" in chat.send_text("查询")
    assert state_of(db, chat.follower.openid) == "idle"
    assert "解除" not in chat.send_text("确认")
    assert binding_of(db, chat.follower.openid)[0] == demo[TRANSPORT]["id"]


def test_in_the_middle_of_a_form_the_draft_is_kept_either_way(chat, demo, db):
    bind_worker(chat, demo)
    assert "项目名称" in chat.send_text("申报")
    assert "申报会留作草稿" in chat.send_text("换单位")
    kept = chat.send_text("取消")
    assert "仍绑定在" in kept and "接着填" in kept and "项目名称" in kept
    assert "原来有什么问题" in chat.send_text("皮带机防跑偏装置")  # the form goes on
    chat.send_text("换单位")
    assert "已解除" in chat.send_text("确认")
    [draft] = projects(db)
    assert (draft.status, draft.title) == ("draft", "皮带机防跑偏装置")
    assert binding_of(db, chat.follower.openid)[0] is None


def test_an_unbound_worker_who_wants_another_unit_is_asked_for_it(chat, demo, db):
    chat.send_event("subscribe")
    reply = chat.send_text("换单位")
    assert "还没有绑定" in reply and "邀请码" in reply
    assert "怎么称呼" in chat.send_text("二矿机电队")


def test_a_draft_kept_through_a_change_of_unit_goes_to_the_new_unit(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    chat.send_text("换单位")
    chat.send_text("确认")
    bind_worker(chat, demo, unit="晋源能源集团二矿机电队")
    for line in ("继续", "皮带老是跑偏，加了两组立辊，现在不跑偏了", "对", "每年节约2万元", "就我一个"):
        chat.send_text(line)
    assert state_of(db, chat.follower.openid) == "confirm_submission"
    reply = chat.send_text("确认")
    [project] = projects(db)
    assert project.status == "submitted" and project.unit_id == demo["晋源能源集团二矿机电队"]["id"]
    assert "机电队" in reply and "运输队" not in reply


def test_a_hum_is_not_a_yes_to_unbinding(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("换单位")
    again = chat.send_text("嗯")
    assert "已解除" not in again and "确认" in again and "取消" in again
    assert binding_of(db, chat.follower.openid)[0] == demo[TRANSPORT]["id"]
    assert "已解除" in chat.send_text("嗯，确认")
