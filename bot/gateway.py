"""The `/wechat` endpoint: signature, decryption, parsing, exactly-once handling, reply.

A thin adapter: everything WeChat-specific ends here and the handlers see only Incoming/Reply.
It is a plain WSGI application placed in front of Flask's: WeChat's requests need no session
cookie, template or URL map, and skipping Flask's request machinery for them is a third of the
cost of the bare echo the benchmark compares with (bench/README.md).
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.wrappers import Request, Response
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from bot.config import Settings
from bot.database import Database
from bot.deadline import unavailable, within
from bot.inbox import Handler, HandlerFailed, handle_once
from bot.signature import fresh_timestamp, valid_signature
from bot.spool import Spool, Spooled
from bot.wechat_xml import BadXml, dedup_key, parse_xml, render_reply, to_incoming
from handlers import texts
from handlers.messages import Incoming, Reply
from models.base import utcnow

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
PATH = "/wechat"


@dataclass
class Gateway:
    """What the endpoint needs: settings, the database, the message handler and the spool for outages."""

    settings: Settings
    db: Database
    handler: Handler
    spool: Spool

    def crypto(self) -> WeChatCrypto:
        """Return the safe-mode cipher for this account."""
        return WeChatCrypto(self.settings.wechat_token, self.settings.wechat_aes_key, self.settings.wechat_app_id)


class WechatEndpoint:
    """WSGI middleware: answers `/wechat` itself and hands every other path to the web application."""

    def __init__(self, gateway: Gateway, web: WSGIApplication) -> None:
        """Serve WeChat through `gateway`, everything else through `web`."""
        self.gateway = gateway
        self.web = web

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Route one request."""
        if environ.get("PATH_INFO") != PATH:
            return self.web(environ, start_response)
        request = Request(environ)
        if request.method in ("GET", "HEAD"):
            response = handshake(self.gateway, request)
        elif request.method == "POST":
            response = receive(self.gateway, request)
        else:
            response = Response("method not allowed", status=405, mimetype="text/plain",
                                headers={"Allow": "GET, HEAD, POST"})
        return response(environ, start_response)


def _plain(body: str, status: int = 200) -> Response:
    """Return a plain-text response."""
    return Response(body, status=status, mimetype="text/plain")


def _authentic(gw: Gateway, request: Request) -> bool:
    """Check the request's signature and timestamp."""
    args = request.args
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    return (fresh_timestamp(timestamp, time.time(), gw.settings.max_clock_skew_seconds)
            and valid_signature(gw.settings.wechat_token, args.get("signature", ""), timestamp, nonce))


def handshake(gw: Gateway, request: Request) -> Response:
    """Answer WeChat's URL verification by echoing echostr when the signature is right."""
    if not _authentic(gw, request):
        return _plain("forbidden", 403)
    return _plain(request.args.get("echostr", ""))


def _read_body(gw: Gateway, request: Request) -> bytes | None:
    """Read the body, or None when it is over the size cap."""
    limit = gw.settings.max_body_bytes
    if (request.content_length or 0) > limit:
        return None
    body = request.stream.read(limit + 1)
    return None if len(body) > limit else body


def _safe_mode(request: Request) -> bool:
    """Whether the request came encrypted (WeChat's safe mode)."""
    return request.args.get("encrypt_type", "raw") == "aes"


def _decrypt(gw: Gateway, request: Request, body: bytes) -> bytes:
    """Return the plain message XML, decrypting safe-mode bodies (signature checked on the ciphertext)."""
    if not _safe_mode(request):
        return body
    if not gw.settings.safe_mode:
        raise BadXml("encrypted message but no WECHAT_AES_KEY configured")
    parse_xml(body)  # refuse entities before wechatpy's own parser sees the envelope
    args = request.args
    plain = gw.crypto().decrypt_message(body, args.get("msg_signature", ""), args.get("timestamp", ""),
                                        args.get("nonce", ""))
    return plain.encode("utf-8") if isinstance(plain, str) else plain


def _encrypt(gw: Gateway, request: Request, xml: str) -> str:
    """Encrypt a reply when the request came in safe mode."""
    if not xml or not _safe_mode(request):
        return xml
    return gw.crypto().encrypt_message(xml, secrets.token_hex(8), str(int(time.time())))


def receive(gw: Gateway, request: Request) -> Response:
    """Receive one message: verify, parse, handle exactly once, reply within WeChat's 5 seconds."""
    arrived = utcnow()
    if not _authentic(gw, request):
        return _plain("forbidden", 403)
    body = _read_body(gw, request)
    if body is None:
        return _plain("too large", 413)
    try:
        plain = _decrypt(gw, request, body)
        incoming = to_incoming(parse_xml(plain))
    except InvalidSignatureException:
        return _plain("forbidden", 403)
    except (BadXml, ValueError, KeyError) as exc:
        log.info("bad message body: %s", exc)
        return _plain("bad request", 400)
    return _plain(_encrypt(gw, request, _answer(gw, incoming, plain, arrived)) or "success")


def _answer(gw: Gateway, incoming: Incoming, plain: bytes, arrived: datetime) -> str:
    """Handle the message and return the reply XML.

    While the database cannot answer in time (or the follower has messages kept from an outage,
    which must go first), the message is kept in the spool and the worker hears texts.SPOOLED;
    any other fault becomes a short "try again".
    """
    def render(reply: Reply) -> str:
        return render_reply(reply, incoming, time.time())

    if _waiting_in_spool(gw, incoming.openid) or not gw.db.outage.may_try():
        return _keep(gw, incoming, plain, arrived, render)
    try:
        with within(gw.settings.database_timeout):
            reply = handle_once(gw.db, incoming, gw.handler, render)
    except Exception as exc:  # database down, lock timeout, a handler fault...: never a 500 for WeChat
        if unavailable(exc):
            gw.db.outage.failed()
            return _keep(gw, incoming, plain, arrived, render)
        if not isinstance(exc, HandlerFailed):
            log.exception("could not handle message from %s", incoming.openid)
        return render(Reply(texts.TRY_AGAIN))
    gw.db.outage.passed()
    return reply


def _waiting_in_spool(gw: Gateway, openid: str) -> bool:
    """Whether the follower's earlier messages wait in the spool (a spool that fails to answer counts as no)."""
    try:
        return gw.spool.has_pending(openid)
    except Exception:  # noqa: BLE001 - Redis down: the database path is still the right one
        log.exception("could not read the spool")
        return False


def _keep(gw: Gateway, incoming: Incoming, plain: bytes, arrived: datetime, render: Callable[[Reply], str]) -> str:
    """Keep the message for later (once per dedup key, with the time it arrived) and tell the worker it did."""
    try:
        gw.spool.add(Spooled(dedup_key(incoming), incoming.openid, arrived, plain.decode("utf-8")))
    except Exception:  # noqa: BLE001 - neither database nor spool: the last resort is "try again"
        log.exception("could not keep the message from %s in the spool", incoming.openid)
        return render(Reply(texts.TRY_AGAIN))
    return render(Reply(texts.SPOOLED))


def init_app(app: Flask, gateway: Gateway) -> None:
    """Put the endpoint in front of the application (bot.extensions keeps the gateway on it)."""
    app.wsgi_app = WechatEndpoint(gateway, app.wsgi_app)  # type: ignore[method-assign]
