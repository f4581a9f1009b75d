"""Whatever a worker sends, in whatever state, the bot answers in one message and never crashes."""
import string
import threading
import time

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from bot import create_app
from handlers import texts
from models import InboundMessage, Project
from tests.chat import bind_worker
from tests.wechat_driver import WeChatDriver
from bot.extensions import database_of, gateway_of

#: Characters WeChat can carry in XML (no control characters but tab and newline).
XML_SAFE = string.ascii_letters + string.digits + string.punctuation + " \t\n"
WORDS = ["申报", "查询", "取消", "确认", "上一步", "继续", "帮助", "对", "不对", "1", "３", "第二个", "说不清",
         "标题改成", "效益是5万", "撤回 0001", "通过 0001", "退回 0001 不清楚", "待审", "统计", "解绑", "绑定 7KQ2M9",
         "皮带机防跑偏装置", "一年省三万多", "😀", "]]>", "。。。", "   ", "综采一队 张三", "修改 0001", "重新提交",
         "0001 专业改成机电", "成员改成李四、王五"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet=XML_SAFE + "矿皮带机省万元",
                                                                max_size=40)), min_size=1, max_size=6))
def test_any_sequence_of_messages_gets_answers_and_never_the_error_text(wechat, demo, lines):
    bind_worker(wechat, demo)
    for line in lines:
        answer = wechat.post(wechat.follower.text(line))
        assert answer.status == 200
        assert answer.text != texts.TRY_AGAIN


def test_a_2000_character_message_with_emoji_is_taken_and_answered_briefly(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("申报")
    wechat.send_text("皮带机防跑偏装置")
    long_text = ("皮带跑偏撒煤，加装立辊和跑偏开关后不再停机😀" * 100)[:2000]
    reply = wechat.send_text(long_text)
    assert len(reply.encode("utf-8")) <= 2048 and "小建议" in reply
    with db.transaction() as s:
        assert len(s.scalars(select(Project.description)).one()) == 2000
        assert s.scalar(select(func.count()).select_from(InboundMessage)) >= 4


def test_two_messages_of_one_worker_at_once_are_taken_one_after_the_other(app, wechat, demo, db,
                                                                          settings_overrides):
    """Two '确认' with different MsgIds reach two workers (processes) together: one submission, no tearing."""
    bind_worker(wechat, demo)
    wechat.send_text("我和王刚改了个皮带机清扫器，原来清扫器老是刮不干净，现在换成聚氨酯刮板，一年省三万多")
    wechat.send_text("对")
    apps = [app, create_app(settings_overrides)]
    for application in apps:
        gateway = gateway_of(application)

        def slow(session, incoming, original=gateway.handler):
            reply = original(session, incoming)
            time.sleep(0.3)  # hold the transaction open so the two really overlap
            return reply

        gateway.handler = slow
    barrier = threading.Barrier(2)
    replies: list[str] = []

    def post(application):
        message = wechat.follower.text("确认")
        barrier.wait()
        replies.append(WeChatDriver(application.test_client(), wechat.follower).post(message).text)

    threads = [threading.Thread(target=post, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database_of(apps[1]).dispose()
    assert len(replies) == 2 and texts.TRY_AGAIN not in replies
    assert sum("提交成功" in r for r in replies) == 1
    with db.transaction() as s:
        assert s.scalars(select(Project.number)).all() == ["2026-0001"]
        assert s.scalar(select(func.count()).select_from(InboundMessage)) >= 2
