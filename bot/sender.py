"""The outbox sender: drains due messages at a rate WeChat accepts, from any number of processes.

Each batch is claimed atomically (see models/sending.py). Right before each send, the sender
takes the next slot of a shared rate limit (one row, locked), so parallel senders together stay
under `OUTBOX_RATE_PER_SECOND`; a sender that fell behind gets a new slot instead of catching up
in a burst. Every outcome is committed row by row: a crash repeats at most the one message that
was on the wire.
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import func, select
from wechatpy.exceptions import WeChatClientException

from bot.config import Settings
from bot.database import Database
from bot.wechat_api import TOKEN_ERRORS, SharedTokenClient, make_wechat_client, token_of
from handlers.notices import compose
from models.base import utcnow
from models.outbox import OutboundMessage, OutboxStatus
from models.sending import (SERVICE_WINDOW, claim_batch, held_until, last_message_times, mark_final,
                            mark_retry, mark_sent, quiet_until)
from models.token import reserve_slots

logger = logging.getLogger(__name__)

#: Slots are spaced 25% wider than 1/rate: a send that leaves up to a quarter second after its
#: slot (a busy process, a slow connection) still cannot push any 1-second window over the rate.
RATE_SAFETY = 1.25
#: A claim outlives the batch's expected sending time by this much before another sender may take it.
CLAIM_SLACK = timedelta(minutes=2)
#: The shared rate limit's row in `rate_slot`.
RATE_LIMIT_NAME = "wechat_send"
#: errcodes after which the whole API is unavailable for a while: stop the batch and back off.
API_UNAVAILABLE = frozenset({-1, 45009, 45011})
#: errcodes after which the message can never reach the follower.
UNREACHABLE = frozenset({43004, 45015, 40003})


@dataclass(frozen=True)
class Delivery:
    """One claimed message and how it goes out: `template`, `text`, `defer` or `undeliverable`."""

    id: int
    openid: str
    channel: str
    body: dict[str, Any]
    attempts: int
    at: datetime | None = None


@dataclass
class DrainReport:
    """What one drain did."""

    sent: int = 0
    retried: int = 0
    undeliverable: int = 0
    deferred: int = 0
    stopped_by: str | None = None

    def add(self, other: DrainReport) -> None:
        """Add another report's counts to this one."""
        self.sent += other.sent
        self.retried += other.retried
        self.undeliverable += other.undeliverable
        self.deferred += other.deferred
        self.stopped_by = other.stopped_by or self.stopped_by


def template_message(templates: Mapping[str, object] | None, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """Build a template send from a notice payload, or None when no template is configured for it."""
    entry = (templates or {}).get(str(payload.get("template")))
    if not entry:
        return None
    spec: Mapping[str, Any] = entry if isinstance(entry, Mapping) else {"id": entry}
    data = payload.get("data") or {}
    fields: Mapping[str, str] = spec.get("fields") or {name: name for name in data}
    values = {name: {"value": str(data.get(source, ""))} for name, source in fields.items()}
    return {"template_id": str(spec["id"]), "data": values, "url": payload.get("url")}


def sender_name() -> str:
    """A name for this sender, unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Sender:
    """Drains the outbox through one WeChat client."""

    settings: Settings
    db: Database
    client: SharedTokenClient | None = None
    name: str = field(default_factory=sender_name)
    clock: Callable[[], datetime] = utcnow
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        """Create the client (token errors come back to us, so each retry takes a rate slot)."""
        if self.client is None:
            self.client = make_wechat_client(self.settings, self.db, retry_token_errors=False)
        self.interval = timedelta(seconds=RATE_SAFETY / self.settings.outbox_rate_per_second)
        self.batch_size = max(1, min(100, int(self.settings.outbox_rate_per_second)))

    def plan(self, row: OutboundMessage, last_seen: Mapping[str, datetime], now: datetime) -> Delivery:
        """Decide how a claimed row goes out: template first, else customer-service text within 48 h.

        At night a notice waits until 08:00, unless it is a status notice to a worker chatting
        right now: that one goes at once, as a customer-service text in the conversation.
        """
        payload = compose(row.payload or {})  # a notice queued as data gets its words now
        seen = last_seen.get(row.openid)
        if row.kind == "notice":
            wake = held_until(row.key, seen, now)
            if wake is not None:
                return Delivery(row.id, row.openid, "defer", {}, row.attempts, wake)
            template = template_message(self.settings.wechat_templates, payload)
            if template is not None and quiet_until(now) is None:
                return Delivery(row.id, row.openid, "template", template, row.attempts)
        elif row.kind != "text":
            return Delivery(row.id, row.openid, "undeliverable", {"error": f"unknown kind {row.kind}"}, row.attempts)
        if not payload.get("text") or seen is None or now - seen > SERVICE_WINDOW:
            error = "no template configured and the follower has not written within 48 hours"
            return Delivery(row.id, row.openid, "undeliverable", {"error": error}, row.attempts)
        return Delivery(row.id, row.openid, "text", {"text": str(payload["text"])}, row.attempts)

    def claim(self) -> list[Delivery]:
        """Claim a batch and plan how each message goes out."""
        with self.db.transaction() as session:
            now = self.clock()
            rows = claim_batch(session, self.name, now, self.batch_size, CLAIM_SLACK)
            last_seen = last_message_times(session, {r.openid for r in rows})
            return [self.plan(row, last_seen, now) for row in rows]

    def wait_for_slot(self) -> None:
        """Take the next send slot of the shared rate limit and sleep until it comes.

        The rate is about real seconds, so slots use the real clock even when `clock` is shifted
        (a rehearsal as of tomorrow 08:00 must not make tonight's senders wait for tomorrow).
        """
        with self.db.transaction() as session:
            (slot,) = reserve_slots(session, RATE_LIMIT_NAME, 1, self.interval, utcnow())
        self.sleep(max(0.0, (slot - utcnow()).total_seconds()))

    def backoff(self, attempts: int) -> timedelta:
        """Return the wait before attempt number `attempts + 1`: doubling, capped at an hour."""
        return timedelta(seconds=min(3600.0, self.settings.outbox_retry_base_seconds * 2 ** max(0, attempts)))

    def send(self, delivery: Delivery) -> str | None:
        """Send one message through the API; return the template msgid if any."""
        assert self.client is not None
        if delivery.channel == "template":
            body = delivery.body
            result = self.client.message.send_template(delivery.openid, body["template_id"], body["data"],
                                                       url=body.get("url"))
            return str(result.get("msgid")) if result.get("msgid") is not None else None
        self.client.message.send_text(delivery.openid, delivery.body["text"])
        return None

    def deliver(self, delivery: Delivery) -> tuple[str, str | None]:
        """Send one planned message at its slot and record the outcome.

        Returns the outcome (`sent`, `retry`, `undeliverable`) and, when the API as a whole is
        unavailable, the reason the rest of the batch should wait too.
        """
        self.wait_for_slot()
        try:
            msgid = self.send(delivery)
        except WeChatClientException as exc:
            return self._failed(delivery, exc.errcode, f"{exc.errcode} {exc.errmsg}", token_of(exc))
        except requests.RequestException as exc:
            return self._failed(delivery, None, f"network: {type(exc).__name__}", None)
        with self.db.transaction() as session:
            mark_sent(session, delivery.id, self.clock(), msgid)
        return "sent", None

    def _failed(self, delivery: Delivery, errcode: int | None, error: str,
                token: str | None) -> tuple[str, str | None]:
        """Record a failed send: refresh the token, give up, or retry after a back-off."""
        logger.info("outbox %s to %s failed: %s", delivery.id, delivery.openid, error)
        if errcode in TOKEN_ERRORS and self.client is not None:
            self.client.refresh_token(stale=token)  # once for all processes; the retry takes a new slot
            with self.db.transaction() as session:
                mark_retry(session, delivery.id, self.clock(), error)
            return "retry", None
        with self.db.transaction() as session:
            if errcode in UNREACHABLE:
                mark_final(session, delivery.id, OutboxStatus.undeliverable, error)
                return "undeliverable", None
            mark_retry(session, delivery.id, self.clock() + self.backoff(delivery.attempts), error)
        return "retry", (error if errcode is None or errcode in API_UNAVAILABLE else None)

    def release(self, deliveries: list[Delivery], reason: str) -> None:
        """Hand claimed but unsent messages back, to be tried after the back-off (not counted)."""
        with self.db.transaction() as session:
            for delivery in deliveries:
                mark_retry(session, delivery.id, self.clock() + self.backoff(delivery.attempts), None,
                           count_attempt=False)
        logger.warning("sender paused %d messages: %s", len(deliveries), reason)

    def run_batch(self) -> DrainReport:
        """Claim and process one batch; stop early (handing the rest back) when the API is unavailable."""
        report = DrainReport()
        batch = self.claim()
        for index, delivery in enumerate(batch):
            if delivery.channel in ("defer", "undeliverable"):
                self._settle_unsent(delivery, report)
                continue
            outcome, stop = self.deliver(delivery)
            report.sent += outcome == "sent"
            report.retried += outcome == "retry"
            report.undeliverable += outcome == "undeliverable"
            if stop:
                self.release([d for d in batch[index + 1:] if d.channel in ("template", "text")], stop)
                report.stopped_by = stop
                return report
        return report

    def _settle_unsent(self, delivery: Delivery, report: DrainReport) -> None:
        """Record a message that is not sent now: deferred past quiet hours, or undeliverable."""
        with self.db.transaction() as session:
            if delivery.channel == "defer":
                assert delivery.at is not None
                mark_retry(session, delivery.id, delivery.at, None, count_attempt=False)
                report.deferred += 1
            else:
                mark_final(session, delivery.id, OutboxStatus.undeliverable, delivery.body["error"])
                report.undeliverable += 1

    def pending(self) -> tuple[int, datetime | None]:
        """Return how many messages still wait to be sent, and when the next one is due."""
        with self.db.sessions() as session:
            waiting = OutboundMessage.status.in_([OutboxStatus.pending, OutboxStatus.sending])
            count, due = session.execute(select(func.count(), func.min(OutboundMessage.next_attempt_at))
                                         .where(waiting)).one()
        return int(count), due

    def drain(self, settle: bool = False, max_seconds: float | None = None) -> DrainReport:
        """Send everything due now; with `settle`, wait for retries until nothing is left (or time is up)."""
        report = DrainReport()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        while deadline is None or time.monotonic() < deadline:
            batch = self.run_batch()
            report.add(batch)
            if batch.stopped_by and not settle:
                break
            if batch.sent or batch.retried or batch.undeliverable or batch.deferred:
                continue
            count, due = self.pending()
            if count == 0 or not settle:
                break
            wait = 1.0 if due is None else (due - self.clock()).total_seconds()
            self.sleep(min(1.0, max(0.05, wait)))
        return report
