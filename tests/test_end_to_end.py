"""The whole loop against the WeChat API sandbox: chat, review, outbox, push, photo fetch."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.background import BackgroundWork
from simulator.sandbox import SandboxHandle
from models import Attachment, OutboundMessage
from models.clock import SHANGHAI
from tests.chat import bind_coordinator, bind_worker, outbox



def next_daytime() -> datetime:
    """The next 10:00 in Shanghai (outside quiet hours), after now: queued messages are due by then."""
    now = datetime.now(SHANGHAI)
    ten = now.replace(hour=10, minute=0, second=0, microsecond=0)
    return (ten if ten > now else ten + timedelta(days=1)).astimezone(timezone.utc)


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, object], sandbox: SandboxHandle) -> dict[str, object]:
    """The app talks to the sandbox."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url}


def pushes_to(sandbox: SandboxHandle, openid: str) -> list[dict]:
    """Customer-service messages the sandbox accepted for one follower."""
    calls = requests.get(f"{sandbox.url}/_sandbox/calls", params={"openid": openid, "path": "/cgi-bin/message/"},
                         timeout=5).json()["calls"]
    return [c for c in calls if c["response"].get("errcode") == 0]


def test_returned_project_reaches_the_worker_once_and_photos_are_fetched(app, wechat, demo, db, sandbox):
    media_id = requests.post(f"{sandbox.url}/_sandbox/media", data=b"", timeout=5).json()["media_id"]
    bind_worker(wechat, demo)
    wechat.send_text("我和王刚改了个皮带机清扫器，原来清扫器老是刮不干净，现在换成聚氨酯刮板，一年省三万多")
    assert "共1张" in wechat.post(wechat.follower.image(media_id)).text
    wechat.send_text("对")
    wechat.send_text("确认")
    coordinator = bind_coordinator(wechat, demo)
    coordinator.send_text("退回 0001 照片不清楚，请补充")

    work = BackgroundWork(app)
    daytime = next_daytime()
    work.sender.clock = lambda: daytime
    work.run_once()
    work.run_once()  # a second round sends nothing more

    [push] = pushes_to(sandbox, wechat.follower.openid)
    assert push["body"]["msgtype"] == "text" and "照片不清楚，请补充" in push["body"]["text"]["content"]
    assert [m.status for m in outbox(db)] == ["sent"]
    with db.transaction() as s:
        attachment = s.scalars(select(Attachment)).one()
        assert attachment.status == "fetched" and attachment.content_type == "image/png"
        assert Path(attachment.stored_path).read_bytes().startswith(b"\x89PNG")


def test_template_delivery_report_is_recorded(wechat, db):
    from models.base import utcnow

    with db.transaction() as s:
        s.add(OutboundMessage(key="k1", openid=wechat.follower.openid, kind="notice", payload={}, status="sent",
                              wechat_msgid="200163836", next_attempt_at=utcnow()))
    wechat.send_event("TEMPLATESENDJOBFINISH", MsgID="200163836", Status="success")
    assert [m.status for m in outbox(db)] == ["delivered"]
