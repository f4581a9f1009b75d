"""Workers as followers: the dialog a message needs, (un)subscription, activity.

Every message reads the worker and their conversation, locked so that one message of a worker is
handled at a time, and writes the conversation back. Through the ORM's unit of work that cost
more than everything else a message does, so the dialog is a plain value read with one locked
query and written with one UPDATE, both Core statements built once. The ORM `Worker` is loaded
only by the steps that need it (binding, submitting, reviewing); `Turn.worker` does that.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from models.base import connection_of
from models.conversation import Conversation
from models.worker import Role, Worker

#: `last_message_at` is kept to this resolution: a worker writing again within it causes no
#: UPDATE. Readers compare it with a 10-minute "chatting" window and WeChat's 48-hour window, and
#: an older time only makes them more careful.
ACTIVITY_RESOLUTION = timedelta(seconds=60)

_WORKER, _CONVERSATION = Worker.__table__, Conversation.__table__
_DIALOG = (select(_WORKER.c.id.label("worker_id"), _WORKER.c.unit_id, _WORKER.c.role, _WORKER.c.last_message_at,
                  _CONVERSATION.c.id, _CONVERSATION.c.state, _CONVERSATION.c.slots, _CONVERSATION.c.turns,
                  _CONVERSATION.c.updated_at)
           .join(_CONVERSATION, _CONVERSATION.c.worker_id == _WORKER.c.id)
           .where(_WORKER.c.openid == bindparam("openid")).with_for_update(of=_CONVERSATION))
#: First contact: the same SQL on both databases; a follower whose two first messages race gets one row.
_NEW_WORKER = text("INSERT INTO worker (openid, role, subscribed, created_at) "
                   "VALUES (:openid, :role, :subscribed, :created_at) ON CONFLICT (openid) DO NOTHING").bindparams(
    bindparam("created_at", type_=_WORKER.c.created_at.type))
_NEW_CONVERSATION = text("INSERT INTO conversation (worker_id, state, slots, turns, updated_at) "
                         "SELECT id, 'idle', :slots, 0, :now FROM worker WHERE openid = :openid "
                         "ON CONFLICT (worker_id) DO NOTHING").bindparams(
    bindparam("slots", type_=_CONVERSATION.c.slots.type), bindparam("now", type_=_CONVERSATION.c.updated_at.type))
_SAVE_CONVERSATION = (update(_CONVERSATION).where(_CONVERSATION.c.id == bindparam("conversation_id"))
                      .values(state=bindparam("state"), slots=bindparam("slots"), turns=bindparam("turns"),
                              updated_at=bindparam("updated_at")))
_SAVE_ACTIVITY = (update(_WORKER).where(_WORKER.c.id == bindparam("worker_id"))
                  .values(last_message_at=bindparam("last_message_at")))


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
    _saved: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    def _values(self) -> tuple[Any, ...]:
        """What `save_dialog` writes, to tell whether anything changed (the slots as JSON: a step may
        change a list inside them)."""
        slots = json.dumps(self.slots, ensure_ascii=False, sort_keys=True, default=str)
        return self.state, slots, self.turns, self.updated_at, self.last_message_at


def open_dialog(session: Session, openid: str, now: datetime) -> Dialog:
    """Return the follower's dialog, locked until the transaction ends; the first message creates both rows."""
    connection = connection_of(session)
    row = connection.execute(_DIALOG, {"openid": openid}).first()
    if row is None:
        connection.execute(_NEW_WORKER, {"openid": openid, "role": str(Role.worker), "subscribed": True,
                                         "created_at": now})
        connection.execute(_NEW_CONVERSATION, {"openid": openid, "slots": {}, "now": now})
        row = connection.execute(_DIALOG, {"openid": openid}).one()
    dialog = Dialog(**row._asdict())
    dialog.slots = dict(dialog.slots or {})
    dialog._saved = dialog._values()
    return dialog


def save_dialog(session: Session, dialog: Dialog) -> None:
    """Write what the message changed in the dialog (nothing when nothing changed)."""
    values = dialog._values()
    if values == dialog._saved:
        return
    connection = connection_of(session)
    if values[:4] != dialog._saved[:4]:
        connection.execute(_SAVE_CONVERSATION, {"conversation_id": dialog.id, "state": dialog.state,
                                                "slots": dialog.slots, "turns": dialog.turns,
                                                "updated_at": dialog.updated_at})
    if values[4] != dialog._saved[4]:
        connection.execute(_SAVE_ACTIVITY, {"worker_id": dialog.worker_id, "last_message_at": dialog.last_message_at})
    dialog._saved = values


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
