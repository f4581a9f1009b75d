"""WeChat XML in and out: safe parsing into Incoming values and rendering Replies.

Parsing refuses DTDs and entities before anything is expanded; rendering never produces
invalid XML whatever characters a reply contains, and keeps to WeChat's size limit.
"""
from __future__ import annotations

import hashlib
import math
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


#: The longest value each field may have. WeChat's own are far shorter (an openid has 28
#: characters, a MsgId at most 20 digits, a MediaId 64); the limits keep every value inside the
#: column it may be stored in (worker.openid 64, attachment.media_id 200 and pic_url 500,
#: inbound_message.kind 40) and a worker's words within what a reply and the NLP can handle.
FIELD_LIMITS = {
    "ToUserName": 64, "FromUserName": 64, "MsgType": 40, "Event": 40, "MsgId": 64, "MsgID": 64,
    "EventKey": 128, "MediaId": 200, "ThumbMediaId": 200, "PicUrl": 500, "Format": 20, "Content": 10_000,
    "Recognition": 10_000, "Label": 500, "Title": 500, "Description": 4_000, "Url": 2_000, "Status": 200,
}
#: Any other field (kept in Incoming.fields) may be this long.
MAX_FIELD = 2_000
#: CreateTime is a Unix time in seconds that fits WeChat's 32 bits.
MAX_CREATE_TIME = 2**32 - 1
#: Coordinates: field name and the largest absolute value it may have.
COORDINATES = {"Location_X": 90.0, "Latitude": 90.0, "Location_Y": 180.0, "Longitude": 180.0}


def _text(fields: dict[str, str | Element], name: str) -> str | None:
    """Return a top-level field as stripped text (None when absent or blank); BadXml when over its limit."""
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if len(value) > FIELD_LIMITS.get(name, MAX_FIELD):
        raise BadXml(f"{name} is {len(value)} characters long")
    return value


def _created(fields: dict[str, str | Element]) -> datetime:
    """The message's CreateTime (now when absent); BadXml unless it is whole seconds within 32 bits."""
    value = _text(fields, "CreateTime")
    if value is None:
        return datetime.fromtimestamp(int(time.time()), timezone.utc)
    if not value.isascii() or not value.isdigit() or int(value) > MAX_CREATE_TIME:
        raise BadXml(f"CreateTime {value[:40]!r} is not a Unix time")
    return datetime.fromtimestamp(int(value), timezone.utc)


def _coordinate(fields: dict[str, str | Element], name: str) -> float | None:
    """A latitude or longitude (None when absent); BadXml when it is not a number within range."""
    value = _text(fields, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadXml(f"{name} {value[:40]!r} is not a number") from None
    if not math.isfinite(number) or abs(number) > COORDINATES[name]:
        raise BadXml(f"{name} {value[:40]!r} is out of range")
    return number


def _subscriptions(fields: dict[str, str | Element]) -> tuple[tuple[str, str], ...]:
    """Read the template choices of a subscribe_msg_popup_event."""
    popup = fields.get("SubscribeMsgPopupEvent")
    if not isinstance(popup, Element):
        return ()
    choices = tuple((item.findtext("TemplateId", "").strip(), item.findtext("SubscribeStatusString", "").strip())
                    for item in popup.iter("List"))
    if len(choices) > 50 or any(len(a) > 128 or len(b) > 40 for a, b in choices):
        raise BadXml("SubscribeMsgPopupEvent has too many or too long entries")
    return choices


def _other_fields(fields: dict[str, str | Element]) -> dict[str, str]:
    """Every other text field, each within its limit (BadXml otherwise)."""
    for name, value in fields.items():
        if isinstance(value, str) and len(value.strip()) > FIELD_LIMITS.get(name, MAX_FIELD):
            raise BadXml(f"{name} is {len(value.strip())} characters long")
    return {k: v for k, v in fields.items() if isinstance(v, str)}


def to_incoming(fields: dict[str, str | Element]) -> Incoming:
    """Turn parsed fields into an Incoming value; unknown types become Kind.unknown.

    Every field is checked against its limit and range here, so what reaches the handlers and the
    database fits: an out-of-range value raises BadXml, which the gateway answers with 400.
    """
    openid = _text(fields, "FromUserName")
    if not openid:
        raise BadXml("no FromUserName")
    try:
        kind = Kind(_text(fields, "MsgType") or "")
    except ValueError:
        kind = Kind.unknown
    event = (_text(fields, "Event") or "").lower() or None
    is_location_event = event == "location"
    return Incoming(
        openid=openid, kind=kind, account=_text(fields, "ToUserName") or "", created_at=_created(fields),
        msg_id=_text(fields, "MsgId") or _text(fields, "MsgID"),
        text=_text(fields, "Content") if kind == Kind.text else _text(fields, "Recognition"),
        event=event, event_key=_text(fields, "EventKey"),
        media_id=_text(fields, "MediaId"), pic_url=_text(fields, "PicUrl"),
        latitude=_coordinate(fields, "Latitude" if is_location_event else "Location_X"),
        longitude=_coordinate(fields, "Longitude" if is_location_event else "Location_Y"),
        label=_text(fields, "Label"), title=_text(fields, "Title"),
        description=_text(fields, "Description"), url=_text(fields, "Url"),
        subscriptions=_subscriptions(fields), fields=_other_fields(fields),
    )


#: inbound_message.dedup_key holds this many characters.
MAX_DEDUP_KEY = 200


def dedup_key(incoming: Incoming) -> str:
    """Key that is the same for WeChat's retries of one message or event, and differs otherwise."""
    if incoming.kind != Kind.event and incoming.msg_id:
        return f"msg:{incoming.msg_id}"
    stamp = int(incoming.created_at.timestamp())
    key = f"evt:{incoming.openid}:{stamp}:{incoming.event or incoming.kind}:{incoming.event_key or ''}"
    if len(key) <= MAX_DEDUP_KEY:
        return key
    return "evt:" + hashlib.sha256(key.encode("utf-8")).hexdigest()  # a cut key could match another event's


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
        content = _cdata(clean_text(reply.text))
        return f"<xml>{head}<MsgType><![CDATA[text]]></MsgType><Content>{content}</Content></xml>"
    return ""
