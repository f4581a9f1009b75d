"""Exactly-once handling of inbound messages: the dedup record shares the handler's transaction.

A retry of a message already handled gets the stored reply and causes no second effect. Two
processes receiving the same message at once queue on the unique dedup key (PostgreSQL) or on
the write lock taken at BEGIN (SQLite); the second then finds the first's record.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.database import Database
from bot.wechat_xml import dedup_key
from handlers.messages import Incoming, Reply
from models.inbound import InboundMessage

log = logging.getLogger(__name__)

#: Renders the handler's Reply as the XML to store and return.
Renderer = Callable[[Reply], str]
Handler = Callable[[Session, Incoming], Reply]


class _Duplicate(Exception):
    """Internal signal: this message was already handled."""


class HandlerFailed(Exception):
    """The handler raised; its effects were rolled back and nothing was recorded."""


def _stored_reply(db: Database, key: str) -> str:
    """Return the reply stored for an already handled message ("" if it had none)."""
    with db.transaction() as session:
        return session.scalars(select(InboundMessage.reply).where(InboundMessage.dedup_key == key)).first() or ""


def handle_once(db: Database, incoming: Incoming, handler: Handler, render: Renderer) -> str:
    """Run the handler once per message and return the reply XML; a retry gets the first reply."""
    key = dedup_key(incoming)
    try:
        with db.transaction() as session:
            record = InboundMessage(dedup_key=key, openid=incoming.openid, kind=incoming.event or incoming.kind,
                                    received_at=incoming.created_at)
            session.add(record)
            try:
                session.flush()
            except IntegrityError:
                raise _Duplicate() from None
            try:
                reply = handler(session, incoming)
            except Exception as exc:  # any fault: roll everything back, the retry may succeed
                log.exception("handler failed for %s", key)
                raise HandlerFailed(key) from exc
            record.reply = render(reply)
            return record.reply
    except _Duplicate:
        log.info("retry of %s answered from the record", key)
        return _stored_reply(db, key)
