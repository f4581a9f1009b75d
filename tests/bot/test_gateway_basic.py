"""Smoke: a signed text message gets the help text and leaves a worker, a conversation and a dedup record."""
from sqlalchemy import func, select

from models import Conversation, InboundMessage, Worker


def test_text_message_gets_reply_and_stores_state(wechat, db):
    reply = wechat.send_text("你好")
    assert "申报" in reply
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Worker)) == 1
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 1
