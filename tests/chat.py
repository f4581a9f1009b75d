"""Helpers for chats, over HTTP (WeChatDriver) or straight to the conversation (Conversation): binding, reading back."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.notices import compose
from models import Conversation, OutboundMessage, Project, Worker
from tests.conversation import Conversation as ChatDriver
from tests.wechat_driver import WeChatDriver

#: Either driver: both send texts and stand in for another follower.
Driver = WeChatDriver | ChatDriver

TRANSPORT = "晋源能源集团一矿运输队"
MINE_ONE = "晋源能源集团一矿"
#: A whole project in one message, as a worker would say it.
LONG_MESSAGE = "我和王刚改了个皮带机清扫器，原来清扫器老是刮不干净，现在换成聚氨酯刮板加弹簧压紧，一年省三万多"


def bind_worker(wechat: Driver, demo: dict[str, dict], unit: str = TRANSPORT, name: str = "张三") -> None:
    """Bind the driver's follower to a unit with the worker code."""
    wechat.send_text(demo[unit]["worker_code"])
    wechat.send_text(name)


def submit_project(wechat: Driver, demo: dict[str, dict]) -> None:
    """Bind the worker and submit LONG_MESSAGE as project 2026-0001 (accepting the suggested category)."""
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    wechat.send_text("对")
    wechat.send_text("确认")


def bind_coordinator(wechat: Driver, demo: dict[str, dict], unit: str = MINE_ONE,
                     name: str = "李主任") -> Driver:
    """A second follower bound as the unit's coordinator."""
    coordinator = wechat.as_follower("o_coordinator_li")
    coordinator.send_text(demo[unit]["coordinator_code"])
    coordinator.send_text(name)
    return coordinator


def projects(db: Any) -> list[Project]:
    """Every project, with status, in id order."""
    with db.transaction() as s:
        return list(s.scalars(select(Project).order_by(Project.id)))


def state_of(db: Any, openid: str) -> str:
    """The dialog state of a follower."""
    with db.transaction() as s:
        return s.scalars(select(Conversation.state).join(Worker, Worker.id == Conversation.worker_id)
                         .where(Worker.openid == openid)).one()


def notice_text(row: OutboundMessage) -> str:
    """The words a queued notice goes out with (composed at send time, as the sender does)."""
    return str(compose(row.payload)["text"])


def outbox(db: Any) -> list[OutboundMessage]:
    """Every queued push."""
    with db.transaction() as s:
        return list(s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
