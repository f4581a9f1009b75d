"""The chat over signed HTTP: WeChat's retries and a crash mid-message change nothing twice and lose nothing."""
from handlers import texts
from bot.extensions import gateway_of
from tests.chat import bind_coordinator, bind_worker, outbox, projects, state_of, submit_project


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


def test_coordinator_approves_and_a_retry_queues_one_notice(wechat, demo, db):
    submit_project(wechat, demo)
    coordinator = bind_coordinator(wechat, demo)
    message = coordinator.follower.text("通过 0001")
    assert "已通过" in coordinator.post(message).text
    coordinator.post(message)
    assert projects(db)[0].status == "unit_approved"
    assert len(outbox(db)) == 1
    assert "不能再初审" in coordinator.send_text("通过 2026-0001")
