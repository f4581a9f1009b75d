"""Whole chats through signed HTTP: binding, submitting, correcting, cancelling, resuming."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from handlers import texts
from models import Attachment, Round, Worker
from models.base import utcnow
from tests.chat import LONG_MESSAGE, TRANSPORT, bind_worker, projects, state_of
from bot.extensions import gateway_of



def test_new_follower_binds_with_code_and_submits_in_one_message(wechat, demo, db):
    assert "绑定" in wechat.send_event("subscribe")
    assert "怎么称呼" in wechat.send_text(f"绑定 {demo[TRANSPORT]['worker_code']}")
    assert "绑定好了" in wechat.send_text("张三")
    reply = wechat.send_text(LONG_MESSAGE)
    assert "小革新" in reply  # the category is offered as the default
    summary = wechat.send_text("对")
    assert "皮带机清扫器" in summary and "约3万元" in summary and "运输" in summary and "张三" in summary
    done = wechat.send_text("确认")
    assert "2026-0001" in done
    [project] = projects(db)
    assert (project.status, project.number, project.category, project.system) == (
        "submitted", "2026-0001", "innovation", "transport")
    assert project.annual_benefit_yuan == Decimal("30000.00")
    assert "2026-0001" in wechat.send_text("查询") and "等待单位初审" in wechat.send_text("我的项目")


def test_unbound_worker_is_led_through_binding_and_straight_back_to_the_submission(wechat, demo, db):
    assert texts.BIND_FIRST == wechat.send_text(LONG_MESSAGE)
    wechat.send_text(demo[TRANSPORT]["worker_code"])
    after_name = wechat.send_text("王五")
    assert "绑定好了" in after_name and "小革新" in after_name  # the description was kept
    assert projects(db)[0].description == LONG_MESSAGE


def test_unit_named_in_words_with_a_numbered_choice_when_ambiguous(wechat, demo, db):
    wechat.send_event("subscribe")
    choice = wechat.send_text("机电队 赵六")
    assert "1." in choice and "一矿机电队" in choice and "二矿机电队" in choice
    assert "绑定好了" in wechat.send_text("2")
    with db.transaction() as s:
        worker = s.scalars(select(Worker)).one()
        assert worker.name == "赵六" and worker.unit.full_name() == "晋源能源集团二矿机电队"


def test_step_by_step_with_voice_punctuation_and_a_correction(wechat, demo, db):
    bind_worker(wechat, demo)
    assert texts.ASK_TITLE in wechat.send_voice("我要申报。")
    assert texts.ASK_DESCRIPTION in wechat.send_voice("皮带机防跑偏装置。")
    assert "5. 小建议" in wechat.send_voice("嗯，皮带老是跑偏撒煤，我们加了两组立辊和跑偏开关，现在不跑偏了。")
    category_reply = wechat.send_text("３")  # full-width digit
    assert texts.ASK_BENEFIT in category_reply or "请核对" in category_reply
    if texts.ASK_BENEFIT in category_reply:
        assert "请核对" in wechat.send_text("每年节约3.2万元")
    assert "5万元" in wechat.send_text("效益是5万")
    assert "防跑偏挡辊" in wechat.send_text("标题改成防跑偏挡辊")
    assert "2026-0001" in wechat.send_text("确认")
    [project] = projects(db)
    assert project.title == "防跑偏挡辊" and project.annual_benefit_yuan == Decimal("50000.00")


def test_invalid_answer_gets_one_line_with_an_example(wechat, demo):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    wechat.send_text("皮带老是跑偏，加了立辊，现在好了")
    assert wechat.send_text("随便") == texts.INVALID_CATEGORY


def test_side_question_is_answered_and_the_form_resumes(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    reply = wechat.send_text("查询")
    assert texts.NO_PROJECTS in reply and texts.ASK_TITLE in reply
    assert state_of(db, wechat.follower.openid) == "ask_title"


def test_back_returns_to_the_previous_question(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    assert texts.ASK_TITLE in wechat.send_text("上一步")
    assert "5. 小建议" not in wechat.send_text("皮带机跑偏保护")
    assert projects(db)[0].title == "皮带机跑偏保护"


def test_cancel_asks_once_then_discards_the_draft(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    assert wechat.send_text("取消") == texts.CANCEL_ASK
    assert len(projects(db)) == 1
    assert wechat.send_text("确认") == texts.CANCELLED
    assert projects(db) == []


def test_cancel_then_continue_keeps_the_draft(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    wechat.send_text("取消")
    assert texts.ASK_DESCRIPTION in wechat.send_text("继续")
    assert projects(db)[0].title == "皮带机防跑偏装置"


def test_a_retry_mid_dialog_does_not_step_twice(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    message = wechat.follower.text("皮带机防跑偏装置")
    first = wechat.post(message).text
    assert wechat.post(message).text == first
    assert state_of(db, wechat.follower.openid) == "ask_description"


def test_a_crash_between_steps_loses_nothing(app, wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    gateway = gateway_of(app)
    original = gateway.handler

    def crash_after(session, incoming):
        original(session, incoming)
        raise RuntimeError("power cut")

    gateway.handler = crash_after
    message = wechat.follower.text("皮带老是跑偏，加了两组立辊，现在不跑偏了")
    assert wechat.post(message).text == texts.TRY_AGAIN
    assert projects(db)[0].title == "皮带机防跑偏装置" and projects(db)[0].description == ""
    gateway.handler = original
    assert "5. 小建议" in wechat.post(message).text  # WeChat's retry of the same message goes through
    assert projects(db)[0].description.startswith("皮带老是跑偏")


def test_photos_attach_to_the_draft_and_wait_for_the_background_fetch(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    reply = wechat.post(wechat.follower.image("media-1")).text
    assert "共1张" in reply and texts.ASK_TITLE in reply
    wechat.post(wechat.follower.image("media-2"))
    with db.transaction() as s:
        assert [a.status for a in s.scalars(select(Attachment))] == ["pending", "pending"]


def test_deadline_passing_mid_draft_closes_submission_and_keeps_the_draft(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    wechat.send_text("对")
    with db.transaction() as s:
        s.execute(update(Round).values(submission_deadline=utcnow() - timedelta(minutes=1)))
    reply = wechat.send_text("确认")
    assert "截止" in reply and "草稿" in reply
    assert projects(db)[0].status == "draft"


def test_same_title_twice_in_a_round_gets_a_warning_and_a_choice(wechat, demo, db):
    bind_worker(wechat, demo)
    for _ in range(2):
        wechat.send_text(LONG_MESSAGE)
        wechat.send_text("对")
        last = wechat.send_text("确认")
    assert "已经报过" in last
    assert "2026-0002" in wechat.send_text("1")


def test_draft_left_alone_is_mentioned_when_the_worker_comes_back(wechat, demo, db):
    from models import Conversation

    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    with db.transaction() as s:
        s.execute(update(Conversation).values(updated_at=utcnow() - timedelta(days=2)))
    reply = wechat.send_text("你好")
    assert "没填完" in reply and "皮带机防跑偏装置" in reply
    assert texts.ASK_DESCRIPTION in wechat.send_text("继续")


def test_after_the_deadline_submission_is_closed_with_the_date(wechat, demo, db):
    with db.transaction() as s:
        s.execute(update(Round).values(submission_deadline=utcnow() - timedelta(days=1)))
    bind_worker(wechat, demo)
    assert "截止" in wechat.send_text("申报")


def test_a_yes_is_not_taken_as_the_title(wechat, demo, db):
    bind_worker(wechat, demo)
    assert "项目名称" in wechat.send_text("原来皮带机清扫器老是刮不干净，我们改成聚氨酯刮板再加弹簧压紧，一年省两万")
    assert "2到30个字" in wechat.send_text("确认")
    assert projects(db)[0].title == ""


def test_worker_changes_unit_and_unbinds(wechat, demo, db):
    bind_worker(wechat, demo)
    assert "确定要解除与晋源能源集团一矿运输队的绑定吗" in wechat.send_text("换单位")
    assert "已解除与晋源能源集团一矿运输队的绑定" in wechat.send_text("确认")
    assert "二矿机电队，张三" in wechat.send_text("二矿机电队")
    with db.transaction() as s:
        worker = s.scalars(select(Worker).where(Worker.openid == wechat.follower.openid)).one()
        assert (worker.unit.name, worker.name) == ("机电队", "张三")
    assert "二矿机电队的绑定吗" in wechat.send_text("解绑")
    assert "已解除与晋源能源集团二矿机电队的绑定" in wechat.send_text("对")
    assert "邀请码" in wechat.send_text("申报")
    with db.transaction() as s:
        assert s.scalars(select(Worker.unit_id).where(Worker.openid == wechat.follower.openid)).one() is None


def test_a_correction_keeps_the_workers_separators_and_letters(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    wechat.send_text("对")
    assert "成员：张三 李四 王五" in wechat.send_text("成员改成李四、王五")
    assert "名称：PLC控制的皮带机清扫器" in wechat.send_text("标题改成PLC控制的皮带机清扫器。")
    wechat.send_text("确认")
    assert projects(db)[0].members == ["张三", "李四", "王五"]
