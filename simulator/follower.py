"""What the WeChat server sends us on a follower's behalf: message XML, signed and optionally encrypted.

Used by the terminal chat, the tests and the benchmark so all three speak the same protocol
as the real WeChat server (plain, compatible and safe mode).
"""
from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import xmltodict
from wechatpy.crypto import WeChatCrypto

#: Fields of each message kind, in the order WeChat documents them.
_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("Content",),
    "image": ("PicUrl", "MediaId"),
    "voice": ("MediaId", "Format", "Recognition"),
    "video": ("MediaId", "ThumbMediaId"),
    "shortvideo": ("MediaId", "ThumbMediaId"),
    "location": ("Location_X", "Location_Y", "Scale", "Label"),
    "link": ("Title", "Description", "Url"),
    "file": ("Title", "Description", "FileKey", "FileMd5", "FileTotalLen"),
}


def signature(token: str, *parts: str) -> str:
    """Return WeChat's SHA1 signature over the token and the given parts, sorted."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode("utf-8")).hexdigest()


def _element(name: str, value: Any) -> str:
    """Render one XML element the way WeChat does: numbers bare, text in CDATA."""
    if isinstance(value, (int, float)):
        return f"<{name}>{value}</{name}>"
    text = str(value).replace("]]>", "]]]]><![CDATA[>")
    return f"<{name}><![CDATA[{text}]]></{name}>"


def message_xml(fields: dict[str, Any]) -> str:
    """Render a dict of top-level fields as the XML body WeChat posts."""
    return "<xml>" + "".join(_element(k, v) for k, v in fields.items() if v is not None) + "</xml>"


@dataclass
class SignedRequest:
    """A ready-to-post request: query parameters and the XML body."""

    params: dict[str, str]
    body: str

    def query_string(self) -> str:
        """Return the query string for the request URL."""
        return urlencode(self.params)


@dataclass
class SimulatedFollower:
    """A follower as WeChat's server presents them: builds, signs and encrypts their messages."""

    token: str
    openid: str
    account: str = "gh_5xiao_demo"
    app_id: str = ""
    aes_key: str | None = None
    mode: str = "plain"  # plain | compatible | safe
    _ids: itertools.count = field(default_factory=lambda: itertools.count(secrets.randbits(60)))

    def next_msg_id(self) -> int:
        """Return a fresh MsgId (random start, like WeChat's globally unique 64-bit ids)."""
        return next(self._ids)

    def fields(self, kind: str, *, msg_id: int | None = None, create_time: int | None = None,
               **values: Any) -> dict[str, Any]:
        """Return the top-level fields of a message of the given kind (or an event)."""
        base: dict[str, Any] = {
            "ToUserName": self.account,
            "FromUserName": self.openid,
            "CreateTime": create_time if create_time is not None else int(time.time()),
            "MsgType": kind,
        }
        if kind == "event":
            base.update(values)
            return base
        for name in _KIND_FIELDS.get(kind, ()):
            if name in values:
                base[name] = values.pop(name)
        base.update(values)
        base["MsgId"] = msg_id if msg_id is not None else self.next_msg_id()
        return base

    def text(self, content: str, **kw: Any) -> dict[str, Any]:
        """Fields of a text message."""
        return self.fields("text", Content=content, **kw)

    def voice(self, recognition: str | None, media_id: str = "voice-media", **kw: Any) -> dict[str, Any]:
        """Fields of a voice message with WeChat's speech recognition text (or none)."""
        return self.fields("voice", MediaId=media_id, Format="amr", Recognition=recognition, **kw)

    def image(self, media_id: str, pic_url: str = "http://mmbiz.qpic.cn/demo.jpg", **kw: Any) -> dict[str, Any]:
        """Fields of an image message."""
        return self.fields("image", PicUrl=pic_url, MediaId=media_id, **kw)

    def event(self, event: str, create_time: int | None = None, **values: Any) -> dict[str, Any]:
        """Fields of an event (subscribe, CLICK, ...)."""
        return self.fields("event", create_time=create_time, Event=event, **values)

    def sign(self, body_fields: dict[str, Any] | str, *, timestamp: int | None = None) -> SignedRequest:
        """Sign (and in safe/compatible mode, encrypt) a message as WeChat's server does."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = secrets.token_hex(5)
        plain = body_fields if isinstance(body_fields, str) else message_xml(body_fields)
        params = {"timestamp": ts, "nonce": nonce, "signature": signature(self.token, ts, nonce),
                  "openid": self.openid}
        if self.mode == "plain" or not self.aes_key:
            return SignedRequest(params, plain)
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        envelope = crypto.encrypt_message(plain, nonce, ts)
        encrypt = envelope.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
        params["encrypt_type"] = "aes"
        params["msg_signature"] = signature(self.token, ts, nonce, encrypt)
        if self.mode == "compatible":
            # Compatible mode carries both the plain fields and the ciphertext.
            body = plain.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        else:
            body = (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        return SignedRequest(params, body)

    def decrypt_reply(self, body: str, params: dict[str, str]) -> str:
        """Return the plain reply XML, decrypting it when the exchange was in safe mode."""
        if "<Encrypt>" not in body or not self.aes_key:
            return body
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        envelope = xmltodict.parse(body)["xml"]
        return crypto.decrypt_message(body, envelope["MsgSignature"], envelope["TimeStamp"],
                                      envelope["Nonce"])
