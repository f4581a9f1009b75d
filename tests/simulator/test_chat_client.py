"""The terminal chat signs what a follower types, shows the replies and the pushes the sandbox saw."""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import xmltodict
from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, make_server
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from simulator.chat_client import TerminalChat, random_openid, render_push, render_reply, run_chat
from simulator.follower import message_xml
from simulator.sandbox import SandboxHandle, start_sandbox_thread
from simulator.sandbox_state import tiny_png

TOKEN = "chat-test-token"
APP_ID = "wxchattest000001"
SECRET = "chat-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _sandbox_token(sandbox_url: str) -> str:
    """Fetch an access token from the sandbox."""
    return requests.get(f"{sandbox_url}/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}, timeout=5).json()["access_token"]


def _push(sandbox_url: str, openid: str, text: str) -> None:
    """Send a customer-service text and a template message, as background work would."""
    token = {"access_token": _sandbox_token(sandbox_url)}
    requests.post(f"{sandbox_url}/cgi-bin/message/custom/send", params=token, timeout=5,
                  json={"touser": openid, "msgtype": "text", "text": {"content": text}})
    requests.post(f"{sandbox_url}/cgi-bin/message/template/send", params=token, timeout=5,
                  json={"touser": openid, "template_id": "tpl-status", "url": "http://example.org/p/7",
                        "data": {"first": {"value": "项目已退回"}, "remark": {"value": "请补充照片"}}})


def _answer(message: dict[str, Any], sandbox_url: str) -> str:
    """What the echo server replies to one message."""
    kind, content = message["MsgType"], message.get("Content") or ""
    if content == "silent":
        return "success"
    if content == "slow":
        time.sleep(1.0)
    if content == "news":
        items = "".join(f"<item><Title><![CDATA[{t}]]></Title><Description><![CDATA[说明]]></Description>"
                        f"<Url><![CDATA[http://example.org/{n}]]></Url></item>" for n, t in enumerate(["一", "二"]))
        return f"<xml><MsgType><![CDATA[news]]></MsgType><ArticleCount>2</ArticleCount><Articles>{items}</Articles></xml>"
    if content.startswith("push:"):
        threading.Thread(target=_push, args=(sandbox_url, message["FromUserName"], content[5:])).start()
        text = "queued"
    elif kind == "image":
        photo = requests.get(f"{sandbox_url}/cgi-bin/media/get", timeout=5, params={
            "access_token": _sandbox_token(sandbox_url), "media_id": message["MediaId"]})
        pic = requests.get(message["PicUrl"], timeout=5)
        text = f"image {len(photo.content)} bytes, picurl {pic.content == photo.content}"
    elif kind == "voice":
        text = f"heard: {message.get('Recognition') or ''}"
    elif kind == "event":
        extra = [message.get(k) for k in ("EventKey", "Latitude", "Longitude") if message.get(k)]
        text = " ".join(["event", message["Event"], *extra])
    else:
        text = f"echo: {content}"
    return message_xml({"ToUserName": message["FromUserName"], "FromUserName": message["ToUserName"],
                        "CreateTime": int(time.time()), "MsgType": "text", "Content": text})


@dataclass
class EchoServer:
    """A tiny stand-in for our server: checks signatures, decrypts, answers, counts messages."""

    sandbox_url: str
    aes_key: str | None = None
    received: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Flask:
        """Build the Flask app serving /wechat."""
        app = Flask(__name__)
        crypto = WeChatCrypto(TOKEN, self.aes_key, APP_ID) if self.aes_key else None

        @app.post("/wechat")
        def wechat() -> Response:
            args = request.args
            try:
                check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
                body = request.get_data(as_text=True)
                if crypto:
                    body = crypto.decrypt_message(body, args["msg_signature"], args["timestamp"], args["nonce"])
            except (KeyError, InvalidSignatureException):
                return Response("forbidden", status=403)
            message = xmltodict.parse(body)["xml"]
            self.received.append(message)
            if message.get("Content") == "boom":
                return Response("internal error", status=500)
            reply = _answer(message, self.sandbox_url)
            if crypto and reply != "success":
                reply = crypto.encrypt_message(reply, args["nonce"], args["timestamp"])
            return Response(reply, mimetype="application/xml")

        return app


def _serve(app: Flask) -> tuple[str, BaseWSGIServer, threading.Thread]:
    """Serve an app on a free loopback port in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server, thread


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxHandle]:
    """The WeChat API sandbox on a free port."""
    handle = start_sandbox_thread("127.0.0.1", 0, APP_ID, SECRET)
    yield handle
    handle.stop()


@pytest.fixture(scope="module", params=["plain", "safe"])
def server(request: pytest.FixtureRequest, sandbox: SandboxHandle) -> Iterator[tuple[str, EchoServer]]:
    """The echo server, in plain mode and in safe (AES) mode."""
    echo = EchoServer(sandbox.url, AES_KEY if request.param == "safe" else None)
    url, http, thread = _serve(echo.app())
    yield url, echo
    http.shutdown()
    http.server_close()
    thread.join(timeout=5)


@pytest.fixture()
def chat(server: tuple[str, EchoServer], sandbox: SandboxHandle) -> Iterator[TerminalChat]:
    """A chat as a brand-new follower, collecting what it prints."""
    url, echo = server
    printed: list[str] = []
    chat = TerminalChat(url, sandbox.url, TOKEN, random_openid(), APP_ID, echo.aes_key,
                        mode="safe" if echo.aes_key else "plain", timeout=0.5, push_wait=1.5,
                        echo=printed.append)
    chat.printed = printed  # type: ignore[attr-defined]
    yield chat
    chat.close()


def test_text_round_trip(chat: TerminalChat, server: tuple[str, EchoServer]) -> None:
    """A typed line arrives as a signed text message and the reply text comes back."""
    assert chat.send("我有一个小革新") == ["echo: 我有一个小革新"]
    message = server[1].received[-1]
    assert message["MsgType"] == "text" and message["FromUserName"] == chat.openid and message["MsgId"]


def test_commands_send_the_other_kinds(chat: TerminalChat, sandbox: SandboxHandle) -> None:
    """Voice, click, location, view, scan and subscription commands become WeChat events and messages."""
    assert chat.send("/voice 皮带机跑偏") == ["heard: 皮带机跑偏"]
    assert chat.send("/voice") == ["heard: "]
    assert chat.send("/click SUBMIT") == ["event CLICK SUBMIT"]
    link = f"{sandbox.url}/_sandbox/open?openid={chat.openid}&url=http%3A%2F%2Fexample.org%2Fmy"
    assert chat.send("/view http://example.org/my") == [
        "event VIEW http://example.org/my", f"[open in a browser, as this follower inside WeChat: {link}]"]
    assert chat.send("/location 36.65 117.12") == ["event LOCATION 36.650000 117.120000"]
    assert chat.send("/scan unit-42") == ["event SCAN unit-42"]
    assert chat.send("//start with a slash") == ["echo: /start with a slash"]
    assert chat.send("/unsubscribe") == ["event unsubscribe"]
    assert not sandbox.state.is_subscribed(chat.openid)
    assert chat.send("/subscribe invite-7") == ["event subscribe qrscene_invite-7"]
    assert sandbox.state.is_subscribed(chat.openid)


def test_image_is_uploaded_to_the_sandbox(chat: TerminalChat, tmp_path: Path) -> None:
    """/image uploads the file; the server can download it by MediaId and via PicUrl."""
    photo = tmp_path / "retrofit.png"
    photo.write_bytes(tiny_png(size=16))
    assert chat.send(f"/image {photo}") == [f"image {len(tiny_png(size=16))} bytes, picurl True"]


def test_bad_commands_are_explained_locally(chat: TerminalChat, server: tuple[str, EchoServer],
                                            tmp_path: Path) -> None:
    """Mistyped commands say what is wrong and send nothing."""
    before = len(server[1].received)
    assert "unknown command /fly" in chat.send("/fly")[0]
    assert "usage: /click KEY" in chat.send("/click")[0]
    assert "usage: /location" in chat.send("/location north")[0]
    assert "cannot read" in chat.send(f"/image {tmp_path / 'missing.jpg'}")[0]
    assert "/image PATH" in chat.send("/help")[0]
    assert chat.send("   ") == []
    assert len(server[1].received) == before


def test_reply_kinds(chat: TerminalChat) -> None:
    """News replies show titles and links; `success` shows nothing."""
    assert chat.send("news") == ["[news] 一\n  说明\n  http://example.org/0", "[news] 二\n  说明\n  http://example.org/1"]
    assert chat.send("silent") == []


def test_server_failures_are_shown(chat: TerminalChat) -> None:
    """HTTP errors, a reply slower than the timeout and an unreachable server are reported."""
    assert chat.send("boom") == ["[server answered HTTP 500] internal error"]
    assert "WeChat would retry" in chat.send("slow")[0]
    wrong = TerminalChat(chat.server_url, None, "wrong-token", chat.openid, APP_ID, chat.aes_key, chat.mode)
    assert wrong.send("hi")[0].startswith("[server answered HTTP 403]")
    gone = TerminalChat("http://127.0.0.1:9", None, TOKEN, chat.openid, APP_ID)
    assert gone.send("hi")[0].startswith("[cannot reach http://127.0.0.1:9")
    wrong.close()
    gone.close()


def test_pushes_for_this_follower_only(chat: TerminalChat, sandbox: SandboxHandle) -> None:
    """Customer-service and template messages to this follower are shown once; others' are not."""
    _push(sandbox.url, random_openid(), "not for you")
    assert chat.send("push:审核通过") == ["queued"]
    pushes: list[str] = []
    deadline = time.monotonic() + 3
    while len(pushes) < 2 and time.monotonic() < deadline:
        pushes += chat.wait_for_pushes(0.5)
    assert pushes == ["[push] 审核通过",
                      "[template tpl-status]\n  first: 项目已退回\n  remark: 请补充照片\n  http://example.org/p/7"]
    assert chat.new_pushes() == []


def test_undelivered_pushes_are_not_shown(chat: TerminalChat, sandbox: SandboxHandle) -> None:
    """A send the sandbox refused (here 45009) never reached the follower's phone."""
    requests.post(f"{sandbox.url}/_sandbox/fail", json={"count": 1, "errcode": 45009,
                                                        "path": "/cgi-bin/message/custom/send"}, timeout=5)
    _push(sandbox.url, chat.openid, "lost")
    pushes = chat.new_pushes()
    assert len(pushes) == 1 and pushes[0].startswith("[template tpl-status]")


def test_say_mode_prints_a_transcript(chat: TerminalChat) -> None:
    """run(say=...) sends each line and prints replies, then the pushes background work made."""
    chat.run(["你好", "push:已收到"])
    printed = chat.printed  # type: ignore[attr-defined]
    assert printed[:4] == ["> 你好", "echo: 你好", "> push:已收到", "queued"]
    assert "[push] 已收到" in printed


def test_interactive_mode_stops_at_quit(chat: TerminalChat, server: tuple[str, EchoServer]) -> None:
    """The loop sends typed lines until /quit and sends nothing after it."""
    before = len(server[1].received)
    chat.run(stdin=io.StringIO("第一句\n/quit\nnever sent\n"))
    printed = chat.printed  # type: ignore[attr-defined]
    assert "echo: 第一句" in printed and len(server[1].received) == before + 1


def test_run_chat_prints_with_click(server: tuple[str, EchoServer], sandbox: SandboxHandle,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """run_chat is what the CLI calls: it prints the transcript to stdout."""
    url, echo = server
    run_chat(url, sandbox.url, TOKEN, random_openid(), APP_ID, echo.aes_key, ["silent", "你好"])
    assert capsys.readouterr().out.splitlines() == ["> silent", "> 你好", "echo: 你好"]


def test_render_reply_refuses_entities() -> None:
    """A reply with an entity declaration is not expanded."""
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgType>text</MsgType><Content>&a;</Content></xml>'
    assert render_reply(bomb)[0].startswith("[unreadable reply")
    assert render_reply("<xml><MsgType>transfer_customer_service</MsgType></xml>") == [
        "[handed over to customer service]"]


def test_render_push_kinds() -> None:
    """News, menus and media pushes render readably."""
    news = {"path": "/cgi-bin/message/custom/send", "body": {"msgtype": "news", "news": {"articles": [
        {"title": "获奖公示", "description": "", "url": "http://example.org/a"}]}}}
    assert render_push(news) == "[push news] 获奖公示\n  http://example.org/a"
    menu = {"path": "/cgi-bin/message/custom/send", "body": {"msgtype": "msgmenu", "msgmenu": {
        "head_content": "请选择", "list": [{"id": "1", "content": "小发明"}], "tail_content": "谢谢"}}}
    assert render_push(menu) == "[push] 请选择\n  (1) 小发明\n  谢谢"
    image = {"path": "/cgi-bin/message/custom/send", "body": {"msgtype": "image", "image": {"media_id": "m1"}}}
    assert render_push(image) == "[push image] m1"
