"""The outbox sender: drains due messages at a rate WeChat accepts, from any number of processes.

Each batch is claimed atomically (see models/sending.py). Right before each send, the sender
takes the next slot of a shared rate limit (one row, locked), so parallel senders together stay
under `OUTBOX_RATE_PER_SECOND`; a sender that fell behind gets a new slot instead of catching up
in a burst. Every outcome is committed row by row: a crash repeats at most the one message that
was on the wire. What each answer from WeChat leads to is the policy in bot/send_policy.py.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from wechatpy.exceptions import WeChatClientException

from bot.config import Settings
from bot.database import Database
from bot.send_policy import API_UNAVAILABLE, DrainReport, Verdict, verdict_for, verdict_for_network
from bot.wechat_api import SharedTokenClient, TokenStoreUnavailable, make_wechat_client, token_of
from handlers.notices import compose
from models.base import utcnow
from models.outbox import OutboundMessage, OutboxStatus
from models.sending import (SERVICE_WINDOW, STATUS_KEY_PREFIX, claim_batch, held_until, last_message_times,
                            mark_final, mark_held, mark_paused, mark_retry, mark_sent, mark_unknown, quiet_until,
                            release_window_holds)
from models.token import reserve_slots

logger = logging.getLogger(__name__)

#: Slots are spaced 25% wider than 1/rate: a send that leaves up to a quarter second after its
#: slot (a busy process, a slow connection) still cannot push any 1-second window over the rate.
RATE_SAFETY = 1.25
#: A claim outlives the batch's expected sending time by this much before another sender may take it.
CLAIM_SLACK = timedelta(minutes=2)
#: The shared rate limit's row in `rate_slot`.
RATE_LIMIT_NAME = "wechat_send"
#: The longest back-off or pause.
MAX_BACKOFF_SECONDS = 3600.0


class NothingSent(Exception):
    """The database failed before the message left (its rate slot, the access token): it may be sent again at once."""


@dataclass(frozen=True)
class Delivery:
    """One claimed message and how it goes out: `template`, `text`, `defer` or `undeliverable`."""

    id: int
    openid: str
    channel: str
    body: dict[str, Any]
    attempts: int
    at: datetime | None = None
    key: str = ""
    pauses: int = 0
    has_template: bool = False  # a template is configured for it (used when WeChat refuses the text)
    refreshed: bool = False  # the token was refreshed for this send already


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
    """Drains the outbox through one WeChat client (only the keys starting with `key_prefix`, if given)."""

    settings: Settings
    db: Database
    client: SharedTokenClient | None = None
    name: str = field(default_factory=sender_name)
    clock: Callable[[], datetime] = utcnow
    sleep: Callable[[float], None] = time.sleep
    key_prefix: str | None = None
    jitter: Callable[[], float] = random.random

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
        template = template_message(self.settings.wechat_templates, payload) if row.kind == "notice" else None
        common: dict[str, Any] = {"key": row.key, "pauses": row.pauses, "has_template": template is not None}
        if row.kind == "notice":
            wake = held_until(row.key, seen, now)
            if wake is not None:
                return Delivery(row.id, row.openid, "defer", {}, row.attempts, wake, **common)
            if template is not None and quiet_until(now) is None:
                return Delivery(row.id, row.openid, "template", template, row.attempts, **common)
        elif row.kind != "text":
            return Delivery(row.id, row.openid, "undeliverable", {"error": f"unknown kind {row.kind}"}, row.attempts,
                            **common)
        if not payload.get("text") or seen is None or now - seen > SERVICE_WINDOW:
            error = "no template configured and the follower has not written within 48 hours"
            return Delivery(row.id, row.openid, "undeliverable", {"error": error}, row.attempts, **common)
        return Delivery(row.id, row.openid, "text", {"text": str(payload["text"])}, row.attempts, **common)

    def claim(self) -> list[Delivery]:
        """Claim a batch and plan how each message goes out."""
        with self.db.transaction() as session:
            now = self.clock()
            if self.key_prefix is None:
                release_window_holds(session, now)  # workers who wrote again get what was held for them
            rows = claim_batch(session, self.name, now, self.batch_size, CLAIM_SLACK, self.key_prefix)
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
        """The wait before attempt number `attempts + 1`: doubling from the base, capped at an hour, jittered."""
        return self._jittered(self.settings.outbox_retry_base_seconds * 2 ** max(0, attempts))

    def pause(self, pauses: int) -> timedelta:
        """The wait after a token error or a quota: doubling per pause, capped at an hour, jittered."""
        return self._jittered(self.settings.outbox_retry_base_seconds * 2 ** max(0, pauses))

    def _jittered(self, seconds: float) -> timedelta:
        """Between half and all of `seconds` (at most an hour), so senders that failed together spread out."""
        return timedelta(seconds=min(MAX_BACKOFF_SECONDS, seconds) * (0.5 + 0.5 * self.jitter()))

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

    def deliver(self, delivery: Delivery) -> tuple[Verdict, str | None]:
        """Send one planned message at its slot and settle it by the policy (bot/send_policy.py).

        Returns the verdict and, when the rest of the batch must wait too, the reason.
        """
        assert self.client is not None
        try:
            self.wait_for_slot()
            self.client.access_token  # noqa: B018 - fetched first: a failure here sent nothing
        except (WeChatClientException, requests.RequestException) as exc:
            return self.settle(delivery, Verdict.retry, f"access token: {type(exc).__name__} {exc}"[:300], None, None)
        except (SQLAlchemyError, TokenStoreUnavailable) as exc:  # the rate slot and the token did not answer
            raise NothingSent(f"rate slot or access token: {type(exc).__name__}") from exc
        try:
            msgid = self.send(delivery)
        except TokenStoreUnavailable as exc:  # read again by the call itself, before the request
            raise NothingSent(f"access token: {exc}") from exc
        except WeChatClientException as exc:
            status = getattr(exc.response, "status_code", None)
            error = f"{exc.errcode} {exc.errmsg}" if exc.errcode is not None else f"HTTP {status}"
            return self.settle(delivery, verdict_for(exc.errcode), error, token_of(exc), exc.errcode)
        except requests.RequestException as exc:
            return self.settle(delivery, verdict_for_network(exc), f"network: {type(exc).__name__}", None, None)
        with self.db.transaction() as session:
            mark_sent(session, delivery.id, self.clock(), msgid)
        return Verdict.sent, None

    def settle(self, delivery: Delivery, verdict: Verdict, error: str, token: str | None,
               errcode: int | None) -> tuple[Verdict, str | None]:
        """Record a failed send as the policy says; return the verdict and why the batch stops, if it does."""
        logger.info("outbox %s to %s: %s (%s)", delivery.id, delivery.openid, error, verdict)
        if verdict is Verdict.token and not delivery.refreshed and self.client is not None:
            self.client.refresh_token(stale=token)  # once for all processes; the new send takes a new slot
            return self.deliver(replace(delivery, refreshed=True))
        now = self.clock()
        with self.db.transaction() as session:
            if verdict in (Verdict.token, Verdict.pause):
                mark_paused(session, delivery.id, now + self.pause(delivery.pauses), error)
                return verdict, error
            if verdict is Verdict.window:
                return self._refused_for_window(session, delivery, now, error), None
            if verdict in (Verdict.undeliverable, Verdict.failed):
                mark_final(session, delivery.id, OutboxStatus(verdict), error)
                return verdict, None
            if verdict is Verdict.unknown:
                mark_unknown(session, delivery.id, now, error)
                return verdict, error  # the API hangs: the rest would hang too
            mark_retry(session, delivery.id, now + self.backoff(delivery.attempts), error)
        return Verdict.retry, (error if errcode in API_UNAVAILABLE else None)

    def _refused_for_window(self, session: Any, delivery: Delivery, now: datetime, error: str) -> Verdict:
        """45015/45047: a status notice waits (for 08:00 and its template, or for the worker); the rest is stale."""
        if not delivery.key.startswith(STATUS_KEY_PREFIX):
            mark_final(session, delivery.id, OutboxStatus.undeliverable, error)
            return Verdict.undeliverable
        if delivery.has_template and delivery.channel == "text":  # a text at night: the template goes at 08:00
            mark_retry(session, delivery.id, quiet_until(now) or now, error, count_attempt=False)
            return Verdict.retry
        mark_held(session, delivery.id, now, error)
        return Verdict.window

    def release(self, deliveries: list[Delivery], reason: str, at: datetime | None = None) -> None:
        """Hand claimed but unsent messages back, to be tried at `at` or after their back-off (not counted)."""
        if not deliveries:
            return
        with self.db.transaction() as session:
            for delivery in deliveries:
                when = at or self.clock() + self.backoff(delivery.attempts)
                mark_retry(session, delivery.id, when, None, count_attempt=False)
        logger.warning("sender paused %d messages: %s", len(deliveries), reason)

    def run_batch(self) -> DrainReport:
        """Claim and process one batch; stop early (handing the rest back) when the API is unavailable."""
        report = DrainReport()
        batch = self.claim()
        for index, delivery in enumerate(batch):
            if delivery.channel in ("defer", "undeliverable"):
                self._settle_unsent(delivery, report)
                continue
            try:
                verdict, stop = self.deliver(delivery)
            except NothingSent:
                self._hand_back(batch[index:])
                raise
            except Exception:  # this one may have left (its outcome waits for the claim to lapse); not the rest
                self._hand_back(batch[index + 1:])
                raise
            report.count(verdict)
            if stop:
                rest = [d for d in batch[index + 1:] if d.channel in ("template", "text")]
                pausing = verdict in (Verdict.token, Verdict.pause)
                pause = self.clock() + self.pause(delivery.pauses) if pausing else None
                self.release(rest, stop, pause)
                report.stopped_by = stop
                return report
        return report

    def _hand_back(self, deliveries: list[Delivery]) -> None:
        """After a fault of the database mid-batch, let the unsent messages be claimed again at once, not after
        the claim lapses (CLAIM_SLACK); when the database cannot even take that, the claim's lapse does it."""
        try:
            self.release([d for d in deliveries if d.channel in ("template", "text")], "the database failed mid-batch",
                         at=self.clock())
        except SQLAlchemyError:
            logger.warning("could not hand back %d claimed messages; they are claimable again in %s",
                           len(deliveries), CLAIM_SLACK)

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
        """Return how many messages (of this sender's key prefix, if any) still wait to be sent, and when the next
        one is due."""
        with self.db.sessions() as session:
            waiting = OutboundMessage.status.in_([OutboxStatus.pending, OutboxStatus.sending])
            query = select(func.count(), func.min(OutboundMessage.next_attempt_at)).where(waiting)
            if self.key_prefix is not None:
                query = query.where(OutboundMessage.key.startswith(self.key_prefix, autoescape=True))
            count, due = session.execute(query).one()
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
            if batch.settled:
                continue
            count, due = self.pending()
            if count == 0 or not settle:
                break
            wait = 1.0 if due is None else (due - self.clock()).total_seconds()
            self.sleep(min(1.0, max(0.05, wait)))
        return report
