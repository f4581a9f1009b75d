"""Exactly-once handling of inbound messages: the dedup record shares the dialog's write.

A retry of a message already handled gets the stored reply and causes no second effect, and the
messages of one follower take effect one after the other, each seeing what the one before did.

The write lock is held for the write only. A message is first handled in a transaction that only
reads (`Database.reading`: no write gate on SQLite, no row lock on PostgreSQL), with the dialog's
write deferred (`models.people.DEFERRED_WRITES`). Then one short write transaction inserts the
dedup record, reply included (`INSERT … ON CONFLICT DO NOTHING RETURNING id`), and writes the
dialog with a compare-and-set on its version (`models.people.write_dialog`); on PostgreSQL both are
one statement, atomic by itself and run without a transaction around it
(`models.people.write_dialog_recorded`), so a message costs two round trips, the read and the write:

- the key is already there: an earlier delivery was recorded; roll back, answer its reply;
- the version moved: another message of the same follower committed in between; roll back and
  handle the message again on what is there now (at most OPTIMISTIC_TRIES times in all);
- the handler wanted to write anything else (a first contact, a draft, a submission, a
  subscription...): the write was refused before it reached the database, and the message is
  handled as before, the whole handler inside one write transaction with the dialog locked
  (on PostgreSQL that follower's row; on SQLite the write gate), which never has to be redone.

Both ways the record and the dialog commit together or not at all, and every dialog write moves
the version on, so a message read without a lock never commits over an earlier one's effects.
A retry (WeChat sends one only after 5 seconds without an answer) pays for a handler run that
is then undone.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select, text

from bot.database import Database, WriteNeeded
from bot.wechat_xml import dedup_key
from handlers.messages import Incoming, Reply
from models.base import connection_of
from models.inbound import InboundMessage
from models.people import DEFERRED_WRITES, DialogWrite, write_dialog, write_dialog_recorded
from models.prepared import Prepared

log = logging.getLogger(__name__)

#: Renders the handler's Reply as the XML to store and return.
Renderer = Callable[[Reply], str]
#: Handles one message in a session: `handler(session, incoming, received_at=None)` returns the reply.
Handler = Callable[..., Reply]
#: Runs of a message without the lock before it is handled with the lock held (a follower whose
#: messages keep colliding with each other, which WeChat's one-at-a-time delivery makes rare).
OPTIMISTIC_TRIES = 3

_TABLE = InboundMessage.__table__
#: Same SQL on both databases, run on the DBAPI cursor (models/prepared.py): one per message.
_RECORD = Prepared(text("INSERT INTO inbound_message (dedup_key, openid, kind, received_at, reply) "
               "VALUES (:dedup_key, :openid, :kind, :received_at, :reply) "
               "ON CONFLICT (dedup_key) DO NOTHING RETURNING id").bindparams(
    bindparam("received_at", type_=_TABLE.c.received_at.type)))
_STORED_REPLY = select(_TABLE.c.reply).where(_TABLE.c.dedup_key == bindparam("key"))


class HandlerFailed(Exception):
    """The handler raised; its effects were rolled back and nothing was recorded."""


class _HandledBefore(Exception):
    """The message was recorded by an earlier delivery; this run's effects are to be rolled back."""


class _DialogMoved(Exception):
    """Another message of the follower wrote the dialog after this run read it; this run is to be redone."""


def handle_once(db: Database, incoming: Incoming, handler: Handler, render: Renderer) -> str:
    """Run the handler once per message and return the reply XML; a retry gets the first reply."""
    key = dedup_key(incoming)
    record = {"dedup_key": key, "openid": incoming.openid, "kind": str(incoming.event or incoming.kind),
              "received_at": incoming.created_at, "reply": ""}
    try:
        for _ in range(OPTIMISTIC_TRIES):
            try:
                return _unlocked(db, incoming, handler, render, record)
            except _DialogMoved:
                log.info("dialog of %s moved while %s was handled; handling it again", incoming.openid, key)
            except WriteNeeded:
                break
        return _locked(db, incoming, handler, render, record)
    except HandlerFailed:
        stored = _stored_reply(db, key)  # a retry of a message answered before gets that answer
        if stored is None:
            raise
        return stored
    except _HandledBefore:
        log.info("retry of %s answered from the record", key)
        return _stored_reply(db, key) or ""


def _run(session: Any, incoming: Incoming, handler: Handler, render: Renderer, key: str) -> str:
    """The handler's reply as XML, its effects written to the session (HandlerFailed on any fault)."""
    try:
        reply = render(handler(session, incoming))
        session.flush()  # the handler's effects are written (or fail) before the record
    except WriteNeeded:
        raise
    except Exception as exc:  # any fault: roll everything back, the retry may succeed
        log.exception("handler failed for %s", key)
        raise HandlerFailed(key) from exc
    return reply


def _unlocked(db: Database, incoming: Incoming, handler: Handler, render: Renderer, record: dict[str, Any]) -> str:
    """Handle the message reading only, then record it and write the dialog in one short transaction."""
    writes: list[DialogWrite] = []
    with db.connection() as connection:
        with db.reading(connection) as (session, guard):
            session.info[DEFERRED_WRITES] = writes
            reply = _run(session, incoming, handler, render, record["dedup_key"])
        if guard.refused is not None:  # the handler caught the refusal: its reply may be wrong, do it locked
            raise WriteNeeded(guard.refused)
        if db.is_postgres and len(writes) == 1:  # both writes in one statement, one round trip
            with db.alone(connection):
                written = write_dialog_recorded(connection, writes[0], {**record, "reply": reply})
            if written is None:
                raise _HandledBefore(record["dedup_key"])
            if not written:
                raise _DialogMoved(record["dedup_key"])
            return reply
        with db.writing(connection):
            if _RECORD.first(connection, {**record, "reply": reply}) is None:
                raise _HandledBefore(record["dedup_key"])
            for write in writes:
                if not write_dialog(connection, write):
                    raise _DialogMoved(record["dedup_key"])
    return reply


def _locked(db: Database, incoming: Incoming, handler: Handler, render: Renderer, record: dict[str, Any]) -> str:
    """Handle the message inside one write transaction, the dialog locked from the start."""
    with db.transaction() as session:
        reply = _run(session, incoming, handler, render, record["dedup_key"])
        if _RECORD.first(connection_of(session), {**record, "reply": reply}) is None:
            raise _HandledBefore(record["dedup_key"])
    return reply


def _stored_reply(db: Database, key: str) -> str | None:
    """The reply recorded for a message ("" for none), or None when it was never recorded."""
    with db.transaction() as session:
        return connection_of(session).execute(_STORED_REPLY, {"key": key}).scalar()
