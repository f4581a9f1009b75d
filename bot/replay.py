"""Replaying the spool: kept messages handled in the order they came, their answers sent as customer-service texts.

Each kept message goes through the same exactly-once path as a live one (bot/inbox.py, with its
dedup key): the handler's effects, the record of the message and the answer queued in the outbox
(key `reply:<dedup key>`) commit together. The record keeps texts.SPOOLED ("we got it") as the passive reply,
so a late WeChat retry of the message hears what it heard the first time, and the real answer
goes out once, as a customer-service text, within WeChat's 48-hour window. The message is handled
as of when it was received: a confirm kept at 16:59 meets a 17:00 deadline, and the follower's
last message (which opens the 48-hour window) is dated when he wrote it. A message replayed
minutes after it was written is stale all the same: it confirms, submits and deletes nothing by
itself (handlers/router.py), the worker is asked again.

One process replays at a time (the spool's drain lock); each web worker runs a `Replayer` thread
that tries every half second while the spool holds anything.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.deadline import unavailable, within
from bot.gateway import Gateway
from bot.inbox import HandlerFailed, handle_once
from bot.sender import Sender
from bot.spool import Spooled
from bot.wechat_xml import BadXml, dedup_key, parse_xml, render_reply, to_incoming
from handlers import texts
from handlers.messages import Incoming, Reply
from models.outbox import enqueue
from models.sending import REPLY_KEY_PREFIX

log = logging.getLogger(__name__)

def reply_text(reply: Reply) -> str:
    """The words of a reply as one customer-service text (an article becomes its title and link)."""
    if reply.text:
        return reply.text
    return "\n".join(f"{a.title}\n{a.url}" for a in reply.articles)


@dataclass
class Replayer:
    """Replays one gateway's spool into its database and sends the answers."""

    gateway: Gateway
    batch: int = 50
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def replay(self, item: Spooled) -> bool:
        """Handle one kept message exactly once; False when the database still does not answer."""
        try:
            incoming = to_incoming(parse_xml(item.xml.encode("utf-8")))
        except (BadXml, ValueError):
            log.error("dropping unreadable spooled message %s", item.key)
            return True
        try:
            with within(self.gateway.settings.database_timeout * 3):  # no WeChat waits on this one
                handle_once(self.gateway.db, incoming, self._handler(item), self._render_ack(incoming))
        except Exception as exc:  # a fault of the database, or of this message (logged by handle_once)
            if unavailable(exc):
                self.gateway.db.outage.failed()
                return False
            if isinstance(exc, HandlerFailed):
                self._tell_try_again(incoming)
                return True
            raise
        self.gateway.db.outage.passed()
        return True

    def _handler(self, item: Spooled):  # noqa: ANN202 - a Handler
        """The gateway's handler, plus the answer queued as a customer-service text, in its transaction."""
        def handle(session: Session, incoming: Incoming) -> Reply:
            reply = self.gateway.handler(session, incoming, received_at=item.received_at)
            text = reply_text(reply)
            if text:
                enqueue(session, REPLY_KEY_PREFIX + item.key, incoming.openid, "text", {"text": text})
            return reply
        return handle

    @staticmethod
    def _render_ack(incoming: Incoming):  # noqa: ANN205 - a Renderer
        """What a retry of the message is answered from now on: the "收到" it was given."""
        return lambda _reply: render_reply(Reply(texts.SPOOLED), incoming, time.time())

    def _tell_try_again(self, incoming: Incoming) -> None:
        """The message itself could not be handled (a bug, logged): ask the worker to send it again."""
        with self.gateway.db.transaction() as session:
            enqueue(session, REPLY_KEY_PREFIX + dedup_key(incoming), incoming.openid, "text",
                    {"text": texts.TRY_AGAIN})

    def run_once(self) -> int:
        """Replay what the spool holds while the database answers; send the answers; return how many."""
        spool = self.gateway.spool
        if spool.count() == 0 or not self.gateway.db.outage.may_try():
            return 0
        replayed = 0
        with spool.draining() as mine:
            if not mine:
                return 0
            for item in spool.oldest(self.batch):
                if not self.replay(item):
                    break
                spool.remove(item.key)
                replayed += 1
        if replayed:
            log.info("replayed %d spooled messages", replayed)
            Sender(self.gateway.settings, self.gateway.db, key_prefix=REPLY_KEY_PREFIX).drain(max_seconds=10)
        return replayed

    def start(self, interval: float = 0.5) -> Replayer:
        """Replay in a daemon thread every `interval` seconds."""
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.run_once()
                except Exception:  # noqa: BLE001 - the loop must survive a bad moment; tried again next time
                    log.exception("replaying the spool failed")

        self._thread = threading.Thread(target=loop, name="spool-replayer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread after its current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

