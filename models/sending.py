"""Claiming and settling outbox rows: each row is sent by one sender, and its outcome is recorded.

The claim is atomic on both backends: `FOR UPDATE SKIP LOCKED` lets PostgreSQL senders take
disjoint batches; on SQLite every transaction starts with BEGIN IMMEDIATE, so claims queue up.
A claim expires, so a sender that dies mid-batch loses nothing: its rows are claimed again.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from models.base import connection_of
from models.clock import SHANGHAI
from models.outbox import OutboundMessage, OutboxStatus
from models.worker import Worker

#: Nothing is pushed from 21:00 to 08:00 Asia/Shanghai.
QUIET_START, QUIET_END = time(21, 0), time(8, 0)
#: A customer-service message is allowed this long after the follower's last message.
SERVICE_WINDOW = timedelta(hours=48)
#: A worker who wrote this recently is in the chat now: a status notice answers him even at night.
CHATTING_WINDOW = timedelta(minutes=10)
#: Keys of status-change notices (the chat's notice and the rules' safety net share them).
STATUS_KEY_PREFIX = "status:"
#: Keys of the answers to messages replayed from the spool (bot/replay.py), sent as customer-service texts.
REPLY_KEY_PREFIX = "reply:"
#: After this many failed attempts a message is given up as failed.
MAX_ATTEMPTS = 20


def quiet_until(now: datetime) -> datetime | None:
    """Return 08:00 (UTC-aware) when `now` falls in quiet hours, else None."""
    local = now.astimezone(SHANGHAI)
    if QUIET_END <= local.time() < QUIET_START:
        return None
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, SHANGHAI).astimezone(now.tzinfo)


def held_until(key: str, last_seen: datetime | None, now: datetime) -> datetime | None:
    """When a notice must wait for the end of quiet hours: 08:00, or None if it may go now.

    Quiet hours hold every push, except a status notice to a worker who is chatting right now
    (a night-shift miner waiting for his coordinator's decision hears it at once).
    """
    wake = quiet_until(now)
    if wake is None:
        return None
    chatting = last_seen is not None and timedelta(0) <= now - last_seen <= CHATTING_WINDOW
    return None if key.startswith(STATUS_KEY_PREFIX) and chatting else wake


_OUTBOX = OutboundMessage.__table__
_HELD = (_OUTBOX.c.openid == bindparam("worker_openid"), _OUTBOX.c.status == OutboxStatus.pending,
         _OUTBOX.c.key.startswith(STATUS_KEY_PREFIX), _OUTBOX.c.next_attempt_at > bindparam("released_at"))
_RELEASE_HELD = update(_OUTBOX).where(*_HELD).values(next_attempt_at=bindparam("released_at"))
#: The same rows, only looked for: most nights a worker has none, and then the message writes nothing
#: here (a message that only reads is handled without the write lock, bot/inbox.py).
_ANY_HELD = select(_OUTBOX.c.id).where(*_HELD).limit(1)


def release_held_notices(session: Session, openid: str, now: datetime) -> int:
    """Make a worker's status notices held for quiet hours due now: he is back in the chat at night.

    The sender then sends them at once as customer-service texts (`held_until` lets a status
    notice through to a worker who is chatting). Returns how many were released. A Core
    statement built once: it runs on the message path, once a minute per worker at night.
    """
    connection, values = connection_of(session), {"worker_openid": openid, "released_at": now}
    if connection.execute(_ANY_HELD, values).first() is None:
        return 0
    return connection.execute(_RELEASE_HELD, values).rowcount


def claim_batch(session: Session, sender: str, now: datetime, limit: int, claim_for: timedelta,
                key_prefix: str | None = None) -> list[OutboundMessage]:
    """Claim up to `limit` due rows (pending, or abandoned by a dead sender) for `sender`, optionally
    only those whose key starts with `key_prefix`."""
    due = or_(OutboundMessage.status == OutboxStatus.pending,
              and_(OutboundMessage.status == OutboxStatus.sending, OutboundMessage.claimed_until < now))
    query = select(OutboundMessage).where(due, OutboundMessage.next_attempt_at <= now)
    if key_prefix:
        query = query.where(OutboundMessage.key.startswith(key_prefix))
    query = (query.order_by(OutboundMessage.next_attempt_at, OutboundMessage.id).limit(limit)
             .with_for_update(skip_locked=True))
    rows = list(session.scalars(query))
    for row in rows:
        row.status = OutboxStatus.sending
        row.claimed_by = sender
        row.claimed_until = now + claim_for
    return rows


def last_message_times(session: Session, openids: set[str]) -> dict[str, datetime]:
    """Return when each follower last wrote to us (only those who ever did)."""
    if not openids:
        return {}
    query = select(Worker.openid, Worker.last_message_at).where(
        Worker.openid.in_(openids), Worker.last_message_at.is_not(None))
    return {openid: at for openid, at in session.execute(query)}


def _load(session: Session, message_id: int) -> OutboundMessage:
    """Return an outbox row by id."""
    row = session.get(OutboundMessage, message_id)
    assert row is not None, f"outbox row {message_id} vanished"
    return row


def mark_sent(session: Session, message_id: int, now: datetime, msgid: str | None = None) -> None:
    """Record a successful send (template messages keep their msgid for the delivery report)."""
    row = _load(session, message_id)
    row.status, row.sent_at, row.attempts = OutboxStatus.sent, now, row.attempts + 1
    row.wechat_msgid, row.claimed_by, row.claimed_until, row.last_error = msgid, None, None, None


def mark_retry(session: Session, message_id: int, at: datetime, error: str | None,
               count_attempt: bool = True) -> None:
    """Put a row back to be tried again at `at` (or give it up after too many attempts)."""
    row = _load(session, message_id)
    row.attempts += 1 if count_attempt else 0
    row.claimed_by, row.claimed_until, row.next_attempt_at = None, None, at
    row.last_error = error if error is not None else row.last_error
    row.status = OutboxStatus.failed if row.attempts >= MAX_ATTEMPTS else OutboxStatus.pending


def mark_paused(session: Session, message_id: int, at: datetime, error: str) -> None:
    """Put a row back until `at` without using an attempt (token trouble, quota): its pauses grow instead."""
    row = _load(session, message_id)
    row.pauses += 1
    row.claimed_by, row.claimed_until, row.next_attempt_at, row.last_error = None, None, at, error
    row.status = OutboxStatus.pending


def mark_held(session: Session, message_id: int, now: datetime, error: str) -> None:
    """Keep a row until the worker next writes (WeChat refused it for its 48-hour window or message limit)."""
    row = _load(session, message_id)
    row.status, row.held_at, row.last_error, row.attempts = OutboxStatus.held, now, error, row.attempts + 1
    row.claimed_by, row.claimed_until = None, None


def mark_unknown(session: Session, message_id: int, now: datetime, error: str) -> None:
    """Record a send whose request left without an answer: it may have arrived, so it is not resent by itself."""
    row = _load(session, message_id)
    row.status, row.last_error, row.attempts, row.sent_at = OutboxStatus.unknown, error, row.attempts + 1, now
    row.claimed_by, row.claimed_until = None, None


_WORKER = Worker.__table__
_RELEASE_WINDOW = (update(_OUTBOX)
                   .where(_OUTBOX.c.status == OutboxStatus.held,
                          select(_WORKER.c.id).where(_WORKER.c.openid == _OUTBOX.c.openid,
                                                     _WORKER.c.last_message_at > _OUTBOX.c.held_at).exists())
                   .values(status=OutboxStatus.pending, next_attempt_at=bindparam("released_at"), held_at=None))


def release_window_holds(session: Session, now: datetime) -> int:
    """Make held rows due whose worker wrote since they were held (the window is open again); return how many."""
    return connection_of(session).execute(_RELEASE_WINDOW, {"released_at": now}).rowcount


#: Statuses an operator may send again (`python -m bot outbox --requeue ID`).
REQUEUEABLE = frozenset({OutboxStatus.unknown, OutboxStatus.failed, OutboxStatus.held, OutboxStatus.undeliverable})


def requeue(session: Session, message_id: int, now: datetime) -> OutboundMessage | None:
    """Make a settled row due again now, with fresh attempts; None when there is no such row or it was sent."""
    row = session.get(OutboundMessage, message_id, with_for_update=True)
    if row is None or row.status not in REQUEUEABLE:
        return None
    row.status, row.next_attempt_at, row.attempts, row.pauses, row.held_at = OutboxStatus.pending, now, 0, 0, None
    return row


def mark_final(session: Session, message_id: int, status: OutboxStatus, error: str) -> None:
    """Settle a row that must not be retried (undeliverable or failed), with the reason."""
    row = _load(session, message_id)
    row.status, row.last_error, row.attempts = status, error, row.attempts + 1
    row.claimed_by, row.claimed_until = None, None
    if error.startswith("43004"):
        session.execute(update(Worker).where(Worker.openid == row.openid).values(subscribed=False))


def record_template_finished(session: Session, msgid: str, status: str) -> OutboundMessage | None:
    """Record a TEMPLATESENDJOBFINISH report: `success`, `failed:user block`, `failed: system failed`."""
    row = session.scalars(select(OutboundMessage).where(OutboundMessage.wechat_msgid == str(msgid))).first()
    if row is None:
        return None
    if status == "success":
        row.status = OutboxStatus.delivered
    else:
        row.status = OutboxStatus.undeliverable if "block" in status else OutboxStatus.failed
        row.last_error = f"TEMPLATESENDJOBFINISH {status}"
    return row


def status_counts(session: Session) -> dict[str, int]:
    """Return how many outbox rows are in each status, every status listed (0 for none)."""
    query = select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
    return {str(status): 0 for status in OutboxStatus} | {status: count for status, count in session.execute(query)}


def recent_messages(session: Session, limit: int = 20, status: str | None = None) -> list[OutboundMessage]:
    """Return the newest outbox rows, optionally of one status."""
    query = select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboundMessage.status == status)
    return list(session.scalars(query))
