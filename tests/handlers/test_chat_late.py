"""A message handled minutes after it was sent (a backlog, a replay after an outage) acts on nothing by itself.

The worker is shown where he is and asked again; a fresh answer then does what it always did.
"""
import time

import pytest

from handlers import texts
from tests.chat import LONG_MESSAGE, TRANSPORT, bind_worker, projects, state_of
from tests.handlers.test_chat_cancel import at_the_summary
from tests.handlers.test_chat_unbind import binding_of

MINUTES_AGO = 10


def late(wechat, text: str) -> str:
    """Send a text typed MINUTES_AGO minutes ago; return the reply."""
    return wechat.post(wechat.follower.text(text, create_time=int(time.time()) - MINUTES_AGO * 60)).text


def test_a_late_yes_to_cancel_keeps_the_draft(wechat, demo, db):
    at_the_summary(wechat, demo)
    assert wechat.send_text("取消") == texts.CANCEL_ASK
    assert late(wechat, "确认") == texts.LATE_ANSWER + "\n" + texts.CANCEL_ASK
    assert [p.status for p in projects(db)] == ["draft"] and state_of(db, wechat.follower.openid) == "confirm_cancel"
    assert wechat.send_text("确认") == texts.CANCELLED  # now he means it
    assert projects(db) == []


def test_a_late_yes_to_unbind_keeps_the_binding(wechat, demo, db):
    bind_worker(wechat, demo)
    wechat.send_text("换单位")
    assert late(wechat, "确认") == texts.LATE_ANSWER + "\n" + texts.UNBIND_ASK_AGAIN
    assert binding_of(db, wechat.follower.openid)[0] == demo[TRANSPORT]["id"]


@pytest.mark.parametrize("answer", ["1", "3", "确认"])
def test_a_late_choice_on_a_same_title_submits_and_drops_nothing(wechat, demo, db, answer):
    at_the_summary(wechat, demo)
    assert "2026-0001" in wechat.send_text("确认")
    wechat.send_text(LONG_MESSAGE)  # the same project again
    wechat.send_text("对")
    assert "已经报过" in wechat.send_text("确认")
    assert late(wechat, answer) == texts.LATE_ANSWER + "\n" + texts.LATE_DUPLICATE_CHOICE
    assert [p.status for p in projects(db)] == ["submitted", "draft"]


def test_a_late_side_question_is_still_answered(wechat, demo, db):
    """Only a yes that would act is held back: a late "查询" is answered as always."""
    at_the_summary(wechat, demo)
    answer = late(wechat, "查询")
    assert texts.LATE_ANSWER not in answer and "接着填：请核对您的申报" in answer
    assert state_of(db, wechat.follower.openid) == "confirm_submission"
