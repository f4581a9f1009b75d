"""A follower talking to the conversation itself: Incoming values in, reply texts out, no HTTP or XML.

Handler tests use it (`chat` fixture); the gateway and end-to-end suites post signed XML instead
(`wechat` fixture, tests/wechat_driver.py). Time comes from a `Clock` the test moves on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from bot.database import Database
from handlers import Context, Event, Incoming, Kind, dispatch
from models.similar import SimilarProjects
from models.clock import utcnow


@dataclass
class Clock:
    """The time the conversation sees; a test moves it on instead of changing rows."""

    current: datetime = field(default_factory=utcnow)

    def now(self) -> datetime:
        """The current time."""
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move on (days=2, hours=1, …) and return the new time."""
        self.current += timedelta(**delta)
        return self.current


@dataclass(frozen=True)
class Follower:
    """Who is writing (the attribute the chat helpers read)."""

    openid: str


@dataclass
class Conversation:
    """One follower's side of the chat, handled as the gateway would hand each message over."""

    db: Database
    clock: Clock
    follower: Follower
    similar: SimilarProjects | None = None
    _ids: count = field(default_factory=lambda: count(1))

    def send(self, kind: Kind, **values: Any) -> str:
        """Hand one message to the conversation in its own transaction and return the reply text."""
        now = self.clock.now()
        incoming = Incoming(openid=self.follower.openid, kind=kind, created_at=now,
                            msg_id=str(next(self._ids)), **values)
        with self.db.transaction() as session:
            reply = dispatch(session, incoming, Context(now=now, similar=self.similar))
        return reply.text or ""

    def send_text(self, content: str) -> str:
        """A typed message."""
        return self.send(Kind.text, text=content)

    def send_voice(self, recognition: str | None) -> str:
        """A voice message with WeChat's recognition text (None: it heard nothing)."""
        return self.send(Kind.voice, text=recognition, media_id="voice-media")

    def send_image(self, media_id: str) -> str:
        """A photo."""
        return self.send(Kind.image, media_id=media_id, pic_url=f"http://mmbiz.example/{media_id}")

    def send_event(self, event: str, key: str | None = None) -> str:
        """An event: "subscribe", "unsubscribe", "CLICK" with a menu key…"""
        return self.send(Kind.event, event=Event(event.lower()), event_key=key)

    def as_follower(self, openid: str) -> Conversation:
        """Another follower in the same conversation service."""
        return Conversation(self.db, self.clock, Follower(openid), self.similar)
