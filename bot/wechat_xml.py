"""WeChat XML in and out: safe parsing into Incoming values and rendering Replies.

Parsing refuses DTDs and entities before anything is expanded; rendering never produces
invalid XML whatever characters a reply contains, and keeps to WeChat's size limit.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from handlers.messages import Incoming, Kind, Reply

#: WeChat cuts a passive text reply at about 2,048 bytes.
MAX_REPLY_BYTES = 2048
_ELLIPSIS = "…"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


class BadXml(ValueError):
    """The body is not a WeChat message we can read."""


def parse_xml(body: bytes) -> dict[str, str | Element]:
    """Parse a message body into its top-level fields, refusing DTDs and entity declarations."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXml(str(exc)) from exc
    if root.tag != "xml":
        raise BadXml("root element is not <xml>")
    return {child.tag: (child if len(child) else (child.text or "")) for child in root}


def _text(fields: dict[str, str | Element], name: str) -> str | None:
    """Return a top-level field as text, or None."""
    value = fields.get(name)
    return value.strip() if isinstance(value, str) and value.strip() != "" else None


def _float(fields: dict[str, str | Element], name: str) -> float | None:
    """Return a top-level field as a number, or None if absent or not a number."""
    try:
        return float(_text(fields, name) or "")
    except ValueError:
        return None


def _subscriptions(fields: dict[str, str | Element]) -> tuple[tuple[str, str], ...]:
    """Read the template choices of a subscribe_msg_popup_event."""
    popup = fields.get("SubscribeMsgPopupEvent")
    if not isinstance(popup, Element):
        return ()
    return tuple((item.findtext("TemplateId", ""), item.findtext("SubscribeStatusString", ""))
                 for item in popup.iter("List"))


def to_incoming(fields: dict[str, str | Element]) -> Incoming:
    """Turn parsed fields into an Incoming value; unknown types become Kind.unknown."""
    openid = _text(fields, "FromUserName")
    if not openid:
        raise BadXml("no FromUserName")
    try:
        kind = Kind(_text(fields, "MsgType") or "")
    except ValueError:
        kind = Kind.unknown
    created = int(_float(fields, "CreateTime") or time.time())
    event = (_text(fields, "Event") or "").lower() or None
    is_location_event = event == "location"
    return Incoming(
        openid=openid, kind=kind, account=_text(fields, "ToUserName") or "",
        created_at=datetime.fromtimestamp(created, timezone.utc),
        msg_id=_text(fields, "MsgId") or _text(fields, "MsgID"),
        text=_text(fields, "Content") if kind == Kind.text else _text(fields, "Recognition"),
        event=event, event_key=_text(fields, "EventKey"),
        media_id=_text(fields, "MediaId"), pic_url=_text(fields, "PicUrl"),
        latitude=_float(fields, "Latitude" if is_location_event else "Location_X"),
        longitude=_float(fields, "Longitude" if is_location_event else "Location_Y"),
        label=_text(fields, "Label"), title=_text(fields, "Title"),
        description=_text(fields, "Description"), url=_text(fields, "Url"),
        subscriptions=_subscriptions(fields),
        fields={k: v for k, v in fields.items() if isinstance(v, str)},
    )


def dedup_key(incoming: Incoming) -> str:
    """Key that is the same for WeChat's retries of one message or event, and differs otherwise."""
    if incoming.kind != Kind.event and incoming.msg_id:
        return f"msg:{incoming.msg_id}"
    stamp = int(incoming.created_at.timestamp())
    return f"evt:{incoming.openid}:{stamp}:{incoming.event or incoming.kind}:{incoming.event_key or ''}"[:200]


def clean_text(text: str, limit: int = MAX_REPLY_BYTES) -> str:
    """Drop characters XML cannot carry and cut to the byte limit on a character boundary."""
    text = _ILLEGAL_XML.sub("", text)
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(_ELLIPSIS.encode("utf-8"))
    return data[:room].decode("utf-8", "ignore") + _ELLIPSIS


def _cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any "]]>" so it cannot close the section early."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_reply(reply: Reply, incoming: Incoming, now: float) -> str:
    """Render a Reply as passive-reply XML (WeChat shows one article at most; "" for nothing)."""
    head = (f"<ToUserName>{_cdata(incoming.openid)}</ToUserName>"
            f"<FromUserName>{_cdata(incoming.account)}</FromUserName><CreateTime>{int(now)}</CreateTime>")
    if reply.articles:
        items = "".join(
            f"<item><Title>{_cdata(clean_text(a.title, 256))}</Title>"
            f"<Description>{_cdata(clean_text(a.description, 512))}</Description>"
            f"<PicUrl>{_cdata(clean_text(a.image, 512))}</PicUrl><Url>{_cdata(clean_text(a.url, 1024))}</Url></item>"
            for a in reply.articles[:1])
        return (f"<xml>{head}<MsgType><![CDATA[news]]></MsgType>"
                f"<ArticleCount>1</ArticleCount><Articles>{items}</Articles></xml>")
    if reply.text:
        return f"<xml>{head}<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(clean_text(reply.text))}</Content></xml>"
    return ""
