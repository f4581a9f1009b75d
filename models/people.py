"""Operations on workers as followers: find or create them, record (un)subscription and activity.

A message needs the worker and their conversation, locked so one message of a worker is handled
at a time. `worker_for` loads both in one query that takes the lock, and `conversation_for` then
hands out the already locked row without a second query (and without the autoflush a query
would cause).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, SessionTransaction

from models.conversation import Conversation
from models.worker import Worker

#: `last_message_at` is kept to this resolution: a worker writing again within it causes no
#: UPDATE. Readers compare it with a 10-minute "chatting" window and WeChat's 48-hour window, and
#: an older time only makes them more careful.
ACTIVITY_RESOLUTION = timedelta(seconds=60)

_WITH_CONVERSATION = (select(Worker, Conversation).join(Conversation, Conversation.worker_id == Worker.id)
                      .where(Worker.openid == bindparam("openid")).with_for_update(of=Conversation))
_LOCKED = "people.locked_conversations"


def _locked(session: Session) -> dict[int, Conversation]:
    """The conversations locked in the session's current transaction, by worker id."""
    transaction: SessionTransaction | None = session.get_transaction()
    held = session.info.get(_LOCKED)
    if held is None or held[0] is not transaction:
        held = session.info[_LOCKED] = (transaction, {})
    return held[1]


def worker_for(session: Session, openid: str, now: datetime) -> Worker:
    """Return the worker for an openid, creating the row on first contact; locks their conversation."""
    row = session.execute(_WITH_CONVERSATION, {"openid": openid}).first()
    if row is not None:
        worker, conversation = row
        _locked(session)[worker.id] = conversation
        return worker
    worker = session.scalars(select(Worker).where(Worker.openid == openid)).one_or_none()
    if worker is None:
        worker = Worker(openid=openid, subscribed=True, created_at=now)
        session.add(worker)
        session.flush()
    return worker


def conversation_for(session: Session, worker: Worker, *, lock: bool = False) -> Conversation:
    """Return the worker's conversation row (locked for update when asked), creating it if needed."""
    conversation = _locked(session).get(worker.id)
    if conversation is not None:
        return conversation
    query = select(Conversation).where(Conversation.worker_id == worker.id)
    if lock:
        query = query.with_for_update()
    conversation = session.scalars(query).one_or_none()
    if conversation is None:
        conversation = Conversation(worker_id=worker.id, state="idle", slots={})
        session.add(conversation)
        session.flush()
    if lock:
        _locked(session)[worker.id] = conversation
    return conversation


def record_subscribe(worker: Worker, now: datetime) -> None:
    """Mark the worker as following the account."""
    worker.subscribed = True
    worker.subscribed_at = now


def record_unsubscribe(worker: Worker, now: datetime) -> None:
    """Mark the worker as no longer following (pushes to them will fail with 43004)."""
    worker.subscribed = False
    worker.unsubscribed_at = now


def record_activity(worker: Worker, now: datetime) -> None:
    """Note when the worker last wrote: customer-service messages are allowed for 48 hours after."""
    last = worker.last_message_at
    if last is None or not timedelta(0) <= now - last < ACTIVITY_RESOLUTION:
        worker.last_message_at = now
