"""Replaying the spool: kept messages handled in the order they came, their answers sent as customer-service texts.

Each kept message goes through the same exactly-once path as a live one (bot/inbox.py, with its
dedup key): the handler's effects, the record of the message and the answer queued in the outbox
(key `reply:<dedup key>`) commit together. The record keeps texts.SPOOLED ("we got it") as the passive reply,
so a late WeChat retry of the message hears what it heard the first time, and the real answer
goes out once, as a customer-service text, within WeChat's 48-hour window. A kept message that
turns out to have been handled already (its live answer came after WeChat's 5 s, so WeChat
retried, and the retry was kept) has its recorded answer sent the same way: the worker heard
only texts.SPOOLED. The message is handled
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


def answer_text(recorded: str) -> str:
    """The words of a recorded passive reply (its XML) as one customer-service text; "" for none."""
    if not recorded:
        return ""
    try:
        fields = parse_xml(recorded.encode("utf-8"))
    except BadXml:  # never expected of our own reply; the kept message must not be retried for it forever
        log.error("unreadable recorded reply: %.80s", recorded)
        return ""
    content = fields.get("Content")
    if isinstance(content, str):
        return content
    articles = fields.get("Articles")
    if articles is None or isinstance(articles, str):
        return ""
    return "\n".join(f"{item.findtext('Title', '')}\n{item.findtext('Url', '')}" for item in articles)


@dataclass
class Replayer:
    """Replays one gateway's spool into its database and sends the answers."""

    gateway: Gateway
    batch: int = 50
    _answers_left: bool = False
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
                recorded = handle_once(self.gateway.db, incoming, self._handler(item), self._render_ack(incoming))
                self._send_answer_given_too_late(incoming, recorded)
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

    def _send_answer_given_too_late(self, incoming: Incoming, recorded: str) -> None:
        """A message first handled live, its answer too late for WeChat's 5 s, then retried into the spool.

        The worker heard only texts.SPOOLED, so the recorded answer goes out as a customer-service
        text (once, by its key).
        """
        text = answer_text(recorded)
        if text and text != texts.SPOOLED:
            with self.gateway.db.transaction() as session:
                enqueue(session, REPLY_KEY_PREFIX + dedup_key(incoming), incoming.openid, "text", {"text": text})

    @staticmethod
    def _render_ack(incoming: Incoming):  # noqa: ANN205 - a Renderer
        """What a retry of the message is answered from now on: the texts.SPOOLED it was given."""
        return lambda _reply: render_reply(Reply(texts.SPOOLED), incoming, time.time())

    def _tell_try_again(self, incoming: Incoming) -> None:
        """The message itself could not be handled (a bug, logged): ask the worker to send it again."""
        with self.gateway.db.transaction() as session:
            enqueue(session, REPLY_KEY_PREFIX + dedup_key(incoming), incoming.openid, "text",
                    {"text": texts.TRY_AGAIN})

    def run_once(self) -> int:
        """Replay what the spool holds while the database answers; send the answers; return how many replayed.

        Answers that could not all go out (the database failed while sending, WeChat paused the sender,
        or there were more than ten seconds' worth) are sent on the next rounds until none is due, even
        when the spool is empty by then.
        """
        replayed = self._replay_kept()
        if replayed:
            log.info("replayed %d spooled messages", replayed)
        if replayed or (self._answers_left and self.gateway.db.outage.may_try()):
            self._answers_left = True  # until this drain has gone through
            sender = Sender(self.gateway.settings, self.gateway.db, key_prefix=REPLY_KEY_PREFIX)
            report = sender.drain(max_seconds=10)
            count, due = sender.pending()
            self._answers_left = report.stopped_by is not None or (count > 0 and due is not None
                                                                   and due <= sender.clock())
        return replayed

    def _replay_kept(self) -> int:
        """Handle the kept messages, oldest first, until the spool is empty or the database fails again."""
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

