"""Workers as followers: the dialog a message needs, (un)subscription, activity.

Every message reads the worker and their conversation and writes the conversation back, one
message of a worker at a time. Through the ORM's unit of work that cost more than everything
else a message does, so the dialog is a plain value read with one query and written with one
UPDATE, both Core statements built once. The ORM `Worker` is loaded only by the steps that need
it (binding, submitting, reviewing); `Turn.worker` does that.

Two ways to keep one worker's messages in order. Locked: `open_dialog` locks the conversation
row (PostgreSQL; on SQLite the caller holds the write gate) until the transaction ends, and
`save_dialog` writes it. Unlocked: a caller that sets `session.info[DEFERRED_WRITES]` to a list
reads without a lock, `save_dialog` only notes the write there, and the caller later applies it
in a short write transaction with `write_dialog`, a compare-and-set on `conversation.version`
that fails when another message wrote the dialog in between. Every write moves the version on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session

from models.base import connection_of
from models.conversation import Conversation
from models.prepared import Prepared
from models.worker import Role, Worker

#: `last_message_at` is kept to this resolution: a worker writing again within it causes no
#: UPDATE. Readers compare it with a 10-minute "chatting" window and WeChat's 48-hour window, and
#: an older time only makes them more careful.
ACTIVITY_RESOLUTION = timedelta(seconds=60)
#: `session.info` key: a list there makes `open_dialog` take no lock and `save_dialog` note its write
#: in the list (a `DialogWrite`) for `write_dialog`, instead of writing.
DEFERRED_WRITES = "models.people.deferred_writes"

_WORKER, _CONVERSATION = Worker.__table__, Conversation.__table__
_DIALOG = (select(_WORKER.c.id.label("worker_id"), _WORKER.c.unit_id, _WORKER.c.role, _WORKER.c.last_message_at,
                  _CONVERSATION.c.id, _CONVERSATION.c.state, _CONVERSATION.c.slots, _CONVERSATION.c.turns,
                  _CONVERSATION.c.updated_at, _CONVERSATION.c.version)
           .join(_CONVERSATION, _CONVERSATION.c.worker_id == _WORKER.c.id)
           .where(_WORKER.c.openid == bindparam("openid")))
_DIALOG_LOCKED = _DIALOG.with_for_update(of=_CONVERSATION)
_DIALOG_FIELDS = tuple(column.name for column in _DIALOG.selected_columns)
#: First contact: the same SQL on both databases; a follower whose two first messages race gets one row.
_NEW_WORKER = text("INSERT INTO worker (openid, role, subscribed, created_at) "
                   "VALUES (:openid, :role, :subscribed, :created_at) ON CONFLICT (openid) DO NOTHING").bindparams(
    bindparam("created_at", type_=_WORKER.c.created_at.type))
_NEW_CONVERSATION = text("INSERT INTO conversation (worker_id, state, slots, turns, updated_at) "
                         "SELECT id, 'idle', :slots, 0, :now FROM worker WHERE openid = :openid "
                         "ON CONFLICT (worker_id) DO NOTHING").bindparams(
    bindparam("slots", type_=_CONVERSATION.c.slots.type), bindparam("now", type_=_CONVERSATION.c.updated_at.type))
_SAVE_CONVERSATION = (update(_CONVERSATION)
                      .where(_CONVERSATION.c.id == bindparam("conversation_id"),
                             _CONVERSATION.c.version == bindparam("version"))
                      .values(state=bindparam("state"), slots=bindparam("slots"), turns=bindparam("turns"),
                              updated_at=bindparam("updated_at"), version=bindparam("version") + 1))
_SAVE_ACTIVITY = (update(_WORKER).where(_WORKER.c.id == bindparam("worker_id"))
                  .values(last_message_at=bindparam("last_message_at")))
#: PostgreSQL: the message's record and the dialog's compare-and-set in one statement, atomic by itself,
#: so it needs no transaction around it: one round trip instead of four (BEGIN, INSERT, UPDATE, COMMIT).
#: `cur` locks the conversation row if its version is still the one read (a concurrent writer is waited
#: for, then the version checked again on what it committed); the record is inserted only then, and the
#: dialog (`cas`, as _SAVE_CONVERSATION) and the activity time written only if the record was new. So a
#: moved dialog writes nothing, a message recorded before writes nothing, and otherwise all of it.
_SAVE_RECORDED = text("""
WITH cur AS (
  SELECT id FROM conversation WHERE id = :conversation_id AND version = :version FOR UPDATE),
rec AS (
  INSERT INTO inbound_message (dedup_key, openid, kind, received_at, reply)
  SELECT :dedup_key, :openid, :kind, :received_at, :reply FROM cur
  ON CONFLICT (dedup_key) DO NOTHING RETURNING id),
cas AS (
  UPDATE conversation SET state = :state, slots = :slots, turns = :turns, updated_at = :updated_at,
         version = version + 1
  WHERE id IN (SELECT id FROM cur) AND EXISTS (SELECT 1 FROM rec) RETURNING id),
act AS (
  UPDATE worker SET last_message_at = :last_message_at
  WHERE id = :worker_id AND :last_message_at IS NOT NULL AND EXISTS (SELECT 1 FROM rec) RETURNING id)
SELECT (SELECT count(*) FROM cur), (SELECT count(*) FROM rec), (SELECT count(*) FROM cas)""").bindparams(
    bindparam("slots", type_=_CONVERSATION.c.slots.type),
    bindparam("updated_at", type_=_CONVERSATION.c.updated_at.type),
    bindparam("received_at", type_=_CONVERSATION.c.updated_at.type),
    bindparam("last_message_at", type_=_WORKER.c.last_message_at.type))
#: The statements every message runs, straight on the DBAPI cursor (models/prepared.py).
_READ, _READ_LOCKED = Prepared(_DIALOG), Prepared(_DIALOG_LOCKED)
_WRITE, _WRITE_ACTIVITY = Prepared(_SAVE_CONVERSATION), Prepared(_SAVE_ACTIVITY)
_WRITE_RECORDED = Prepared(_SAVE_RECORDED)


@dataclass
class Dialog:
    """A worker's conversation as one message needs it: where the dialog stands and what it collected.

    `unit_id` and `role` are the worker's as the message arrived, for routing; a step that changes
    the worker does so on the ORM `Worker`.
    """

    id: int
    worker_id: int
    unit_id: int | None
    role: str
    last_message_at: datetime | None
    state: str
    slots: dict[str, Any]
    turns: int
    updated_at: datetime
    version: int = 0
    #: The activity time as read, to write it only when it moved.
    _read_activity: datetime | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class DialogWrite:
    """What a message read without a lock will write to the dialog, and the version it read."""

    conversation_id: int
    version: int
    state: str
    slots: dict[str, Any]
    turns: int
    updated_at: datetime
    worker_id: int
    #: The new activity time, or None when it did not move.
    last_message_at: datetime | None


def open_dialog(session: Session, openid: str, now: datetime) -> Dialog:
    """Return the follower's dialog, locked until the transaction ends (unless writes are deferred, see
    the module's notes); the first message creates both rows."""
    connection = connection_of(session)
    query = _READ if DEFERRED_WRITES in session.info else _READ_LOCKED
    row = query.first(connection, {"openid": openid})
    if row is None:
        connection.execute(_NEW_WORKER, {"openid": openid, "role": str(Role.worker), "subscribed": True,
                                         "created_at": now})
        connection.execute(_NEW_CONVERSATION, {"openid": openid, "slots": {}, "now": now})
        row = query.first(connection, {"openid": openid})
        if row is None:
            raise RuntimeError(f"the dialog of {openid} was not created")
    dialog = Dialog(**dict(zip(_DIALOG_FIELDS, row, strict=True)))
    dialog.slots = dict(dialog.slots or {})
    dialog._read_activity = dialog.last_message_at
    return dialog


def save_dialog(session: Session, dialog: Dialog) -> None:
    """Write the dialog back and move its version on (when writes are deferred: note the write for
    `write_dialog`). The activity time is written only when it moved."""
    activity = dialog.last_message_at if dialog.last_message_at != dialog._read_activity else None
    deferred = session.info.get(DEFERRED_WRITES)
    if deferred is not None:
        deferred.append(DialogWrite(dialog.id, dialog.version, dialog.state, dialog.slots, dialog.turns,
                                    dialog.updated_at, dialog.worker_id, activity))
    elif not write_dialog(session, DialogWrite(dialog.id, dialog.version, dialog.state, dialog.slots, dialog.turns,
                                               dialog.updated_at, dialog.worker_id, activity)):
        raise RuntimeError(f"conversation {dialog.id} changed while it was locked")  # cannot happen: it is locked
    dialog.version += 1
    dialog._read_activity = dialog.last_message_at


def write_dialog(session: Session | Connection, write: DialogWrite) -> bool:
    """Write the dialog if its version is still the one read, moving it on; False (and nothing written)
    when another message wrote it in between. Every message writes it, so that a message read without
    a lock never commits over what an earlier one did, whatever else that one changed."""
    connection = connection_of(session)
    if _WRITE.rowcount(connection, {
            "conversation_id": write.conversation_id, "version": write.version, "state": write.state,
            "slots": write.slots, "turns": write.turns, "updated_at": write.updated_at}) != 1:
        return False
    if write.last_message_at is not None:
        _WRITE_ACTIVITY.rowcount(connection, {"worker_id": write.worker_id, "last_message_at": write.last_message_at})
    return True


def write_dialog_recorded(connection: Connection, write: DialogWrite, record: dict[str, Any]) -> bool | None:
    """PostgreSQL: the message's record (`record`: the columns of inbound_message) and `write_dialog`
    in one statement that is atomic by itself (the caller may run it in autocommit). True: both
    written; False: the dialog moved (nothing written); None: the message was recorded before
    (nothing written)."""
    row = _WRITE_RECORDED.first(connection, {
        **record, "conversation_id": write.conversation_id, "version": write.version, "state": write.state,
        "slots": write.slots, "turns": write.turns, "updated_at": write.updated_at, "worker_id": write.worker_id,
        "last_message_at": write.last_message_at})
    locked, recorded, written = row or (0, 0, 0)
    if recorded != written:  # cannot happen: the row was locked at the version read
        raise RuntimeError(f"conversation {write.conversation_id}: record {recorded} but dialog write {written}")
    if not locked:
        return False
    return True if recorded else None


def record_subscribe(worker: Worker, now: datetime) -> None:
    """Mark the worker as following the account."""
    worker.subscribed = True
    worker.subscribed_at = now


def record_unsubscribe(worker: Worker, now: datetime) -> None:
    """Mark the worker as no longer following (pushes to them will fail with 43004)."""
    worker.subscribed = False
    worker.unsubscribed_at = now


def record_activity(dialog: Dialog, now: datetime) -> bool:
    """Note when the worker last wrote (customer-service messages are allowed for 48 hours after);
    return whether the time was moved on, which happens at most once per ACTIVITY_RESOLUTION."""
    last = dialog.last_message_at
    if last is None or not timedelta(0) <= now - last < ACTIVITY_RESOLUTION:
        dialog.last_message_at = now
        return True
    return False
