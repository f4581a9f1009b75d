"""Whole chats through signed HTTP: binding, submitting, correcting, cancelling, resuming."""
from decimal import Decimal

from sqlalchemy import select

from handlers import texts
from models import Attachment, Worker
from tests.chat import LONG_MESSAGE, TRANSPORT, bind_worker, projects, state_of



def test_new_follower_binds_with_code_and_submits_in_one_message(chat, demo, db):
    assert "绑定" in chat.send_event("subscribe")
    assert "怎么称呼" in chat.send_text(f"绑定 {demo[TRANSPORT]['worker_code']}")
    assert "绑定好了" in chat.send_text("张三")
    reply = chat.send_text(LONG_MESSAGE)
    assert "小革新" in reply  # the category is offered as the default
    summary = chat.send_text("对")
    assert "皮带机清扫器" in summary and "约3万元" in summary and "运输" in summary and "张三" in summary
    done = chat.send_text("确认")
    assert "2026-0001" in done
    [project] = projects(db)
    assert (project.status, project.number, project.category, project.system) == (
        "submitted", "2026-0001", "innovation", "transport")
    assert project.annual_benefit_yuan == Decimal("30000.00")
    assert "2026-0001" in chat.send_text("查询") and "等待单位初审" in chat.send_text("我的项目")


def test_unbound_worker_is_led_through_binding_and_straight_back_to_the_submission(chat, demo, db):
    assert texts.BIND_FIRST == chat.send_text(LONG_MESSAGE)
    chat.send_text(demo[TRANSPORT]["worker_code"])
    after_name = chat.send_text("王五")
    assert "绑定好了" in after_name and "小革新" in after_name  # the description was kept
    assert projects(db)[0].description == LONG_MESSAGE


def test_unit_named_in_words_with_a_numbered_choice_when_ambiguous(chat, demo, db):
    chat.send_event("subscribe")
    choice = chat.send_text("机电队 赵六")
    assert "1." in choice and "一矿机电队" in choice and "二矿机电队" in choice
    assert "绑定好了" in chat.send_text("2")
    with db.transaction() as s:
        worker = s.scalars(select(Worker)).one()
        assert worker.name == "赵六" and worker.unit.full_name() == "晋源能源集团二矿机电队"


def test_step_by_step_with_voice_punctuation_and_a_correction(chat, demo, db):
    bind_worker(chat, demo)
    assert texts.ASK_TITLE in chat.send_voice("我要申报。")
    assert texts.ASK_DESCRIPTION in chat.send_voice("皮带机防跑偏装置。")
    assert "5. 小建议" in chat.send_voice("嗯，皮带老是跑偏撒煤，我们加了两组立辊和跑偏开关，现在不跑偏了。")
    category_reply = chat.send_text("３")  # full-width digit
    assert texts.ASK_BENEFIT in category_reply or "请核对" in category_reply
    if texts.ASK_BENEFIT in category_reply:
        assert texts.ASK_MEMBERS in chat.send_text("每年节约3.2万元")
    assert "请核对" in chat.send_text("我和王刚")
    assert "5万元" in chat.send_text("效益是5万")
    assert "防跑偏挡辊" in chat.send_text("标题改成防跑偏挡辊")
    assert "2026-0001" in chat.send_text("确认")
    [project] = projects(db)
    assert project.title == "防跑偏挡辊" and project.annual_benefit_yuan == Decimal("50000.00")


def test_invalid_answer_gets_one_line_with_an_example(chat, demo):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    chat.send_text("皮带老是跑偏，加了立辊，现在好了")
    assert chat.send_text("随便") == texts.INVALID_CATEGORY


def test_side_question_is_answered_and_the_form_resumes(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    reply = chat.send_text("查询")
    assert texts.NO_PROJECTS in reply and texts.ASK_TITLE in reply
    assert state_of(db, chat.follower.openid) == "ask_title"


def test_back_returns_to_the_previous_question(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    assert texts.ASK_TITLE in chat.send_text("上一步")
    assert "5. 小建议" not in chat.send_text("皮带机跑偏保护")
    assert projects(db)[0].title == "皮带机跑偏保护"


def test_cancel_asks_once_then_discards_the_draft(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    assert chat.send_text("取消") == texts.CANCEL_ASK
    assert len(projects(db)) == 1
    assert chat.send_text("确认") == texts.CANCELLED
    assert projects(db) == []


def test_cancel_then_continue_keeps_the_draft(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    chat.send_text("取消")
    assert texts.ASK_DESCRIPTION in chat.send_text("继续")
    assert projects(db)[0].title == "皮带机防跑偏装置"


def test_photos_attach_to_the_draft_and_wait_for_the_background_fetch(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    reply = chat.send_image("media-1")
    assert "共1张" in reply and texts.ASK_TITLE in reply
    chat.send_image("media-2")
    with db.transaction() as s:
        assert [a.status for a in s.scalars(select(Attachment))] == ["pending", "pending"]


def test_deadline_passing_mid_draft_closes_submission_and_keeps_the_draft(chat, demo, db, clock):
    bind_worker(chat, demo)
    chat.send_text(LONG_MESSAGE)
    chat.send_text("对")
    clock.advance(days=10, minutes=1)  # the demo round's submissions close ten days after it was seeded
    reply = chat.send_text("确认")
    assert "截止" in reply and "草稿" in reply
    assert projects(db)[0].status == "draft"


def test_same_title_twice_in_a_round_gets_a_warning_and_a_choice(chat, demo, db):
    bind_worker(chat, demo)
    for _ in range(2):
        chat.send_text(LONG_MESSAGE)
        chat.send_text("对")
        last = chat.send_text("确认")
    assert "已经报过" in last
    assert "2026-0002" in chat.send_text("1")


def test_draft_left_alone_is_mentioned_when_the_worker_comes_back(chat, demo, db, clock):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    clock.advance(days=2)
    reply = chat.send_text("你好")
    assert "没填完" in reply and "皮带机防跑偏装置" in reply
    assert texts.ASK_DESCRIPTION in chat.send_text("继续")


def test_after_the_deadline_submission_is_closed_with_the_date(chat, demo, db, clock):
    clock.advance(days=11)
    bind_worker(chat, demo)
    assert "截止" in chat.send_text("申报")


def test_a_yes_is_not_taken_as_the_title(chat, demo, db):
    bind_worker(chat, demo)
    assert "项目名称" in chat.send_text("原来皮带机清扫器老是刮不干净，我们改成聚氨酯刮板再加弹簧压紧，一年省两万")
    assert "2到30个字" in chat.send_text("确认")
    assert projects(db)[0].title == ""


def test_worker_changes_unit_and_unbinds(chat, demo, db):
    bind_worker(chat, demo)
    assert "确定要解除与晋源能源集团一矿运输队的绑定吗" in chat.send_text("换单位")
    assert "已解除与晋源能源集团一矿运输队的绑定" in chat.send_text("确认")
    assert "二矿机电队，张三" in chat.send_text("二矿机电队")
    with db.transaction() as s:
        worker = s.scalars(select(Worker).where(Worker.openid == chat.follower.openid)).one()
        assert (worker.unit.name, worker.name) == ("机电队", "张三")
    assert "二矿机电队的绑定吗" in chat.send_text("解绑")
    assert "已解除与晋源能源集团二矿机电队的绑定" in chat.send_text("对")
    assert "邀请码" in chat.send_text("申报")
    with db.transaction() as s:
        assert s.scalars(select(Worker.unit_id).where(Worker.openid == chat.follower.openid)).one() is None


def test_a_correction_keeps_the_workers_separators_and_letters(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text(LONG_MESSAGE)
    chat.send_text("对")
    assert "成员：张三 李四 王五" in chat.send_text("成员改成李四、王五")
    assert "名称：PLC控制的皮带机清扫器" in chat.send_text("标题改成PLC控制的皮带机清扫器。")
    chat.send_text("确认")
    assert projects(db)[0].members == ["张三", "李四", "王五"]
