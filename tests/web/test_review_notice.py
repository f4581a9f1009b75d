"""A pass or a return on the web reaches the worker's WeChat once, through the outbox and the sandbox."""
from __future__ import annotations

import pytest

from bot.sender import Sender
from tests.bot.test_sender import daytime, sends
from tests.chat import MINE_ONE, submit_project
from tests.web.conftest import csrf_token


@pytest.fixture
def settings_overrides(settings_overrides, sandbox):
    """The test application sending to the WeChat sandbox."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url, "OUTBOX_RATE_PER_SECOND": "20"}


def test_a_web_return_reaches_the_workers_chat_once_with_the_reason(chat, db, demo, settings, sandbox, client,
                                                                    auth, accounts):
    submit_project(chat, demo)  # 张三 submits 2026-0001 in the chat, and so has written within 48 hours
    accounts.add("li", "coordinator", unit_id=demo[MINE_ONE]["id"])
    auth.login("li")
    token = csrf_token(client.get("/review"))
    form = {"numbers": "2026-0001", "decision": "return", "reason": "缺少改造前后的照片", "csrf_token": token}
    assert client.post("/review/decide", data=form).status_code == 302
    assert client.post("/review/decide", data=form).status_code == 302  # a second click: already returned
    Sender(settings, db, clock=daytime).drain()
    Sender(settings, db, clock=daytime).drain()
    [received] = sends(sandbox, chat.follower.openid)
    text = received["body"]["text"]["content"]
    assert "2026-0001" in text and "被退回：缺少改造前后的照片" in text
