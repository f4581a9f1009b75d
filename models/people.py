"""Operations on workers as followers: find or create them, record (un)subscription and activity."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.conversation import Conversation
from models.worker import Worker


def worker_for(session: Session, openid: str, now: datetime) -> Worker:
    """Return the worker for an openid, creating the row on first contact."""
    worker = session.scalars(select(Worker).where(Worker.openid == openid)).one_or_none()
    if worker is None:
        worker = Worker(openid=openid, subscribed=True, created_at=now)
        session.add(worker)
        session.flush()
    return worker


def conversation_for(session: Session, worker: Worker, *, lock: bool = False) -> Conversation:
    """Return the worker's conversation row (locked for update when asked), creating it if needed."""
    query = select(Conversation).where(Conversation.worker_id == worker.id)
    if lock:
        query = query.with_for_update()
    conversation = session.scalars(query).one_or_none()
    if conversation is None:
        conversation = Conversation(worker_id=worker.id, state="idle", slots={})
        session.add(conversation)
        session.flush()
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
    worker.last_message_at = now
