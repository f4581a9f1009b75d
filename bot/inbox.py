"""Exactly-once handling of inbound messages: the dedup record shares the handler's transaction.

A retry of a message already handled gets the stored reply and causes no second effect. The
handler runs first and the record, reply included, is written last with `INSERT … ON CONFLICT
DO NOTHING RETURNING id`: when the key is already there, the run's effects are rolled back and
the first reply is read back. Two deliveries of one message never run side by side, because the
handler begins by locking the sender's dialog (`models.people.open_dialog`): on PostgreSQL the
second waits for the first to commit, on SQLite the write gate queues whole transactions. One
statement per message, where claiming the key first and storing the reply after took two; a
retry (WeChat sends one only after 5 seconds without an answer) pays for a handler run that is
then undone.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import bindparam, select, text

from bot.database import Database
from bot.wechat_xml import dedup_key
from handlers.messages import Incoming, Reply
from models.base import connection_of
from models.inbound import InboundMessage

log = logging.getLogger(__name__)

#: Renders the handler's Reply as the XML to store and return.
Renderer = Callable[[Reply], str]
#: Handles one message in a session: `handler(session, incoming, received_at=None)` returns the reply.
Handler = Callable[..., Reply]

_TABLE = InboundMessage.__table__
#: Same SQL on both databases. Written as text because SQLAlchemy 2.0 does not cache the compiled
#: form of a dialect `insert().on_conflict_do_nothing()`: it would be compiled on every message.
_RECORD = text("INSERT INTO inbound_message (dedup_key, openid, kind, received_at, reply) "
               "VALUES (:dedup_key, :openid, :kind, :received_at, :reply) "
               "ON CONFLICT (dedup_key) DO NOTHING RETURNING id").bindparams(
    bindparam("received_at", type_=_TABLE.c.received_at.type))
_STORED_REPLY = select(_TABLE.c.reply).where(_TABLE.c.dedup_key == bindparam("key"))


class HandlerFailed(Exception):
    """The handler raised; its effects were rolled back and nothing was recorded."""


class _HandledBefore(Exception):
    """The message was recorded by an earlier delivery; this run's effects are to be rolled back."""


def handle_once(db: Database, incoming: Incoming, handler: Handler, render: Renderer) -> str:
    """Run the handler once per message and return the reply XML; a retry gets the first reply."""
    key = dedup_key(incoming)
    try:
        with db.transaction() as session:
            try:
                reply = render(handler(session, incoming))
                session.flush()  # the handler's effects are written (or fail) before the record
            except Exception as exc:  # any fault: roll everything back, the retry may succeed
                log.exception("handler failed for %s", key)
                raise HandlerFailed(key) from exc
            record = {"dedup_key": key, "openid": incoming.openid, "kind": str(incoming.event or incoming.kind),
                      "received_at": incoming.created_at, "reply": reply}
            if connection_of(session).execute(_RECORD, record).scalar() is None:
                raise _HandledBefore(key)
            return reply
    except HandlerFailed:
        stored = _stored_reply(db, key)  # a retry of a message answered before gets that answer
        if stored is None:
            raise
        return stored
    except _HandledBefore:
        log.info("retry of %s answered from the record", key)
        return _stored_reply(db, key) or ""


def _stored_reply(db: Database, key: str) -> str | None:
    """The reply recorded for a message ("" for none), or None when it was never recorded."""
    with db.transaction() as session:
        return connection_of(session).execute(_STORED_REPLY, {"key": key}).scalar()
