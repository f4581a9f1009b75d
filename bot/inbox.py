"""Exactly-once handling of inbound messages: the dedup record shares the handler's transaction.

A retry of a message already handled gets the stored reply and causes no second effect. The
record is claimed first with `INSERT … ON CONFLICT DO NOTHING RETURNING id`: on PostgreSQL a
second process inserting the same key waits for the first's transaction and then finds the key
taken; on SQLite the write lock taken at BEGIN queues them. Either way the loser reads the
winner's stored reply in its own transaction. The record is written with Core statements (not
the ORM unit of work): they are built once and cost a fraction of a flush.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from bot.database import Database
from bot.wechat_xml import dedup_key
from handlers.messages import Incoming, Reply
from models.inbound import InboundMessage
from models.people import connection_of

log = logging.getLogger(__name__)

#: Renders the handler's Reply as the XML to store and return.
Renderer = Callable[[Reply], str]
Handler = Callable[[Session, Incoming], Reply]

_TABLE = InboundMessage.__table__
#: Same SQL on both databases. Written as text because SQLAlchemy 2.0 does not cache the compiled
#: form of a dialect `insert().on_conflict_do_nothing()`: it would be compiled on every message.
_CLAIM = text("INSERT INTO inbound_message (dedup_key, openid, kind, received_at) "
              "VALUES (:dedup_key, :openid, :kind, :received_at) "
              "ON CONFLICT (dedup_key) DO NOTHING RETURNING id").bindparams(
    bindparam("received_at", type_=_TABLE.c.received_at.type))
_STORE_REPLY = update(_TABLE).where(_TABLE.c.id == bindparam("record_id")).values(reply=bindparam("reply"))
_STORED_REPLY = select(_TABLE.c.reply).where(_TABLE.c.dedup_key == bindparam("key"))


class HandlerFailed(Exception):
    """The handler raised; its effects were rolled back and nothing was recorded."""


def handle_once(db: Database, incoming: Incoming, handler: Handler, render: Renderer) -> str:
    """Run the handler once per message and return the reply XML; a retry gets the first reply."""
    key = dedup_key(incoming)
    with db.transaction() as session:
        connection = connection_of(session)
        record_id = connection.execute(_CLAIM, {
            "dedup_key": key, "openid": incoming.openid, "kind": str(incoming.event or incoming.kind),
            "received_at": incoming.created_at}).scalar()
        if record_id is None:
            log.info("retry of %s answered from the record", key)
            return connection.execute(_STORED_REPLY, {"key": key}).scalar() or ""
        try:
            reply = render(handler(session, incoming))
            session.flush()  # the handler's effects are written (or fail) before the record's reply
        except Exception as exc:  # any fault: roll everything back, the retry may succeed
            log.exception("handler failed for %s", key)
            raise HandlerFailed(key) from exc
        connection.execute(_STORE_REPLY, {"record_id": record_id, "reply": reply})
        return reply
