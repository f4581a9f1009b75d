"""The plain values that cross between the gateway and the conversation: Incoming and Reply.

No wechatpy or Flask type ever appears here, so handlers can be tested without HTTP.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What WeChat delivered: a message type, or an event."""

    text = "text"
    image = "image"
    voice = "voice"
    video = "video"
    shortvideo = "shortvideo"
    location = "location"
    link = "link"
    file = "file"
    event = "event"
    unknown = "unknown"


class Event(StrEnum):
    """Events we understand (lower-cased from WeChat's spelling)."""

    subscribe = "subscribe"
    unsubscribe = "unsubscribe"
    scan = "scan"
    location = "location"
    click = "click"
    view = "view"
    template_finished = "templatesendjobfinish"
    subscribe_popup = "subscribe_msg_popup_event"


@dataclass(frozen=True)
class Incoming:
    """One message or event from a follower, as plain values."""

    openid: str
    kind: Kind
    created_at: datetime
    account: str = ""
    msg_id: str | None = None
    text: str | None = None
    event: str | None = None
    event_key: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None
    title: str | None = None
    description: str | None = None
    url: str | None = None
    subscriptions: tuple[tuple[str, str], ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_voice_without_text(self) -> bool:
        """A voice message WeChat could not transcribe."""
        return self.kind == Kind.voice and not (self.text or "").strip()


@dataclass(frozen=True)
class Article:
    """One entry of a news (图文) reply."""

    title: str
    description: str
    url: str
    image: str = ""


@dataclass(frozen=True)
class Reply:
    """What to answer passively: a text, some articles, or nothing ("success")."""

    text: str | None = None
    articles: tuple[Article, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to say (WeChat then gets "success")."""
        return not self.text and not self.articles
