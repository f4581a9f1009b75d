"""The baseline for bench/gateway.py: a bare Flask + wechatpy server that echoes text messages.

It does what any WeChat backend must do and nothing more: check the signature, parse the XML,
render a text reply. The full path is measured against this. The token comes from the
environment because gunicorn imports this module by name (`bench.echo_app:app`).
"""
import os

from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

app = Flask(__name__)
TOKEN = os.environ["WECHAT_TOKEN"]


def echo_reply() -> tuple[BaseMessage, str] | None:
    """Check the request's signature and parse its message; the message and its echo, or None if forged."""
    args = request.args
    try:
        check_signature(TOKEN, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        return None
    message = parse_message(request.get_data())
    content = getattr(message, "content", "") or "success"
    return message, TextReply(content=content, message=message).render()


def forbidden() -> Response:
    """The answer to a forged signature."""
    return Response("forbidden", status=403, mimetype="text/plain")


@app.post("/wechat")
def echo() -> Response:
    """Check the signature, parse the message and reply with its own text."""
    echoed = echo_reply()
    if echoed is None:
        return forbidden()
    return Response(echoed[1], mimetype="application/xml")


@app.get("/healthz")
def healthz() -> Response:
    """Answer 200 once a worker is serving, so the benchmark knows when to start."""
    return Response("ok", mimetype="text/plain")
