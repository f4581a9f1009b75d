"""The outbox: every message we push, with a unique key so nothing is sent twice or lost."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, insert_new, utcnow


class OutboxStatus(StrEnum):
    """Where an outbound message stands (bot/sender.py says which WeChat answer leads where)."""

    pending = "pending"  # waits for `next_attempt_at`
    sending = "sending"  # claimed by a sender until `claimed_until`
    held = "held"  # WeChat will not take it now (48-hour window, message limit): waits for the worker to write
    unknown = "unknown"  # the request left and no answer came: it may have arrived; never resent by itself
    sent = "sent"
    delivered = "delivered"  # a template message WeChat reported delivered
    failed = "failed"
    undeliverable = "undeliverable"


class OutboundMessage(Base):
    """One push to one follower (customer-service or template message)."""

    __tablename__ = "outbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.pending, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    pauses: Mapped[int] = mapped_column(default=0)  # times it waited without using an attempt (token, quota)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    wechat_msgid: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    held_at: Mapped[datetime | None]  # when it was held: a message from the worker after this releases it


def is_queued(session: Session, key: str) -> bool:
    """Whether a push with this key was ever queued."""
    return session.scalars(select(OutboundMessage.id).where(OutboundMessage.key == key)).first() is not None


def enqueue(session: Session, key: str, openid: str, kind: str, payload: dict[str, Any],
            not_before: datetime | None = None) -> int | None:
    """Queue a push once per key: returns the new row's id, or None if that key was already queued.

    Runs in the caller's transaction with one `INSERT … ON CONFLICT DO NOTHING`: a key queued
    twice, even by two transactions at once, is queued once and spoils neither transaction.
    """
    row = {"key": key[:200], "openid": openid, "kind": kind, "payload": payload,
           "next_attempt_at": not_before or utcnow()}
    return insert_new(session, OutboundMessage.__table__, row, ["key"], OutboundMessage.__table__.c.id)
