"""The terminal chat: a simulated follower typing to our server, seeing replies and pushes.

Each typed line becomes a signed (and in safe mode encrypted) WeChat message posted to
`/wechat`; the passive reply is printed, and so is every customer-service or template
message the WeChat API sandbox received for this follower.
"""
from __future__ import annotations

import json
import logging
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlencode
from xml.etree.ElementTree import Element, ParseError

import click
import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.exceptions import WeChatException

from simulator.follower import SimulatedFollower

logger = logging.getLogger(__name__)

HELP = """\
Type a message and press Enter. Commands:
  /image PATH          send a photo (uploaded to the sandbox first)
  /voice [TEXT]        send a voice message whose speech recognition is TEXT
  /click KEY           press a menu button (CLICK event)
  /view URL            open a menu link (VIEW event); prints where to open it in a browser as this follower
  /subscribe [SCENE]   follow the account (optionally from a QR scene)
  /unsubscribe         unfollow the account
  /scan SCENE          scan a QR code while following (SCAN event)
  /location LAT LNG    report a location (LOCATION event)
  /as OPENID           continue as another follower (e.g. a coordinator); pushes to all stay visible
  //TEXT               send TEXT starting with a slash
  /help                this help;  /quit  leave (or Ctrl-D)"""


class ChatCommandError(ValueError):
    """A typed command could not be turned into a message; the text says why."""


def random_openid() -> str:
    """Return a fresh openid shaped like WeChat's (28 characters starting with 'o')."""
    return "o" + secrets.token_urlsafe(20)[:27]


def _item_text(item: Element, tag: str) -> str:
    """Return a child element's text, or "" when it is missing."""
    return (item.findtext(tag) or "").strip()


def render_reply(xml: str) -> list[str]:
    """Turn a passive reply's XML into lines to show; `success` or an empty body shows nothing."""
    text = xml.strip()
    if not text or text == "success":
        return []
    try:
        root = fromstring(text)
    except (ParseError, DefusedXmlException) as exc:
        return [f"[unreadable reply: {exc}]"]
    kind = _item_text(root, "MsgType")
    if kind == "text":
        return [root.findtext("Content") or ""]
    if kind == "news":
        return [_render_article(_item_text(i, "Title"), _item_text(i, "Description"), _item_text(i, "Url"))
                for i in root.iter("item")]
    if kind in ("image", "voice", "video"):
        return [f"[{kind} {_item_text(root, 'MediaId') or root.findtext('.//MediaId') or ''}]"]
    if kind == "music":
        return [f"[music {root.findtext('.//Title') or ''} {root.findtext('.//MusicUrl') or ''}]"]
    if kind == "transfer_customer_service":
        return ["[handed over to customer service]"]
    return [f"[{kind or 'unknown'} reply] {text[:300]}"]


def _render_article(title: str, description: str, url: str) -> str:
    """Render one news article as a title with its description and link below."""
    return "\n".join([f"[news] {title}", *(f"  {part}" for part in (description, url) if part)])


def _field_value(value: Any) -> str:
    """Return a template data field's value ({"value": ...} or plain)."""
    return str(value.get("value", "")) if isinstance(value, dict) else str(value)


def render_push(call: dict[str, Any]) -> str:
    """Render a customer-service or template message the sandbox received as the follower sees it."""
    body = call.get("body") or {}
    if call.get("path", "").endswith("/template/send"):
        lines = [f"[template {body.get('template_id', '')}]"]
        lines += [f"  {key}: {_field_value(value)}" for key, value in (body.get("data") or {}).items()]
        return "\n".join(lines + ([f"  {body['url']}"] if body.get("url") else []))
    msgtype = body.get("msgtype", "")
    content = body.get(msgtype) or {}
    if msgtype == "text":
        return f"[push] {content.get('content', '')}"
    if msgtype == "news":
        return "\n".join(_render_article(a.get("title", ""), a.get("description", ""), a.get("url", ""))
                         .replace("[news]", "[push news]", 1) for a in content.get("articles", []))
    if msgtype == "msgmenu":
        options = [f"  ({m.get('id', '')}) {m.get('content', '')}" for m in content.get("list", [])]
        head, tail = content.get("head_content", ""), content.get("tail_content", "")
        return "\n".join([f"[push] {head}", *options, f"  {tail}"])
    if msgtype in ("image", "voice", "video", "mpnews"):
        return f"[push {msgtype}] {content.get('media_id', '')}"
    return f"[push {msgtype}] {json.dumps(content, ensure_ascii=False)}"


def _delivered(call: dict[str, Any]) -> bool:
    """Whether a recorded send reached the follower (WeChat answered errcode 0)."""
    response = call.get("response")
    return call.get("status") == 200 and isinstance(response, dict) and response.get("errcode") == 0


@dataclass
class TerminalChat:
    """One simulated follower chatting with our server, watching the sandbox for pushes."""

    server_url: str
    sandbox_url: str | None
    token: str
    openid: str
    app_id: str = ""
    aes_key: str | None = None
    mode: str = "plain"
    timeout: float = 5.0  # WeChat gives up on a passive reply after 5 seconds
    push_wait: float = 1.5
    echo: Callable[..., None] = field(default=click.echo, repr=False)

    def __post_init__(self) -> None:
        self.server_url = self.server_url.rstrip("/")
        self.sandbox_url = self.sandbox_url.rstrip("/") if self.sandbox_url else None
        mode = self.mode if self.aes_key else "plain"
        self.follower = SimulatedFollower(token=self.token, openid=self.openid, app_id=self.app_id,
                                          aes_key=self.aes_key, mode=mode)
        self.identities = [self.openid]
        self._http = requests.Session()
        self._poll_lock = threading.Lock()
        self._last_seq = self._current_seq()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._http.close()

    # --- sending -------------------------------------------------------------------

    def send(self, line: str) -> list[str]:
        """Send one typed line as a message and return the lines of the passive reply."""
        if not line.strip():
            return []
        if line.strip() == "/help":
            return [HELP]
        try:
            fields = self.message_for(line)
        except ChatCommandError as exc:
            return [f"[{exc}]"]
        lines = self._post(fields)
        if fields.get("Event") == "VIEW" and self.sandbox_url:
            link = self.browser_link(fields["EventKey"])
            lines.append(f"[open in a browser, as this follower inside WeChat: {link}]")
        return lines

    def browser_link(self, url: str) -> str:
        """The sandbox address that opens `url` as this follower would inside WeChat (for OAuth pages like /my)."""
        query = urlencode({"openid": self.openid, "url": url})
        return f"{self.sandbox_url}/_sandbox/open?{query}"

    def message_for(self, line: str) -> dict[str, Any]:
        """Return the message fields for a typed line (text, or a /command)."""
        if not line.startswith("/") or line.startswith("//"):
            return self.follower.text(line[1:] if line.startswith("//") else line)
        name, _, argument = line[1:].partition(" ")
        command = self._commands().get(name)
        if command is None:
            raise ChatCommandError(f"unknown command /{name}; /help lists them")
        return command(argument.strip())

    def _commands(self) -> dict[str, Callable[[str], dict[str, Any]]]:
        """Map each slash command to the function building its message."""
        f = self.follower
        return {
            "image": self._image,
            "voice": lambda text: f.voice(text),
            "click": lambda key: f.event("CLICK", EventKey=_required(key, "/click KEY")),
            "view": lambda url: f.event("VIEW", EventKey=_required(url, "/view URL")),
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "scan": lambda scene: f.event("SCAN", EventKey=_required(scene, "/scan SCENE"), Ticket="sandbox"),
            "location": _location(f),
            "as": self._become,
        }

    def _become(self, openid: str) -> dict[str, Any]:
        """Switch to another follower (e.g. the unit's coordinator); pushes to all of them stay visible."""
        openid = _required(openid, "/as OPENID")
        self.follower = SimulatedFollower(token=self.token, openid=openid, app_id=self.app_id,
                                          aes_key=self.aes_key, mode=self.follower.mode)
        self.openid = openid
        if openid not in self.identities:
            self.identities.append(openid)
        raise ChatCommandError(f"now chatting as {openid}")

    def _image(self, path: str) -> dict[str, Any]:
        """Upload a photo to the sandbox and build an image message carrying its media_id."""
        if not self.sandbox_url:
            raise ChatCommandError("/image needs the WeChat API sandbox (--sandbox URL)")
        try:
            with open(_required(path, "/image PATH"), "rb") as photo:
                data = photo.read()
        except OSError as exc:
            raise ChatCommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            answer = self._http.post(f"{self.sandbox_url}/_sandbox/media", data=data, timeout=5)
            media_id = str(answer.json()["media_id"])
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise ChatCommandError(f"cannot upload to the sandbox: {exc}") from exc
        return self.follower.image(media_id, pic_url=f"{self.sandbox_url}/_sandbox/media/{media_id}")

    def _subscribe(self, scene: str) -> dict[str, Any]:
        """Follow the account (the sandbox learns it too), optionally from a QR scene."""
        self._tell_sandbox("subscribe")
        if scene:
            return self.follower.event("subscribe", EventKey=f"qrscene_{scene}", Ticket="sandbox")
        return self.follower.event("subscribe")

    def _unsubscribe(self, _: str) -> dict[str, Any]:
        """Unfollow the account; the sandbox then refuses messages to this follower (43004)."""
        self._tell_sandbox("unsubscribe")
        return self.follower.event("unsubscribe")

    def _tell_sandbox(self, action: str) -> None:
        """Keep the sandbox's follower flag in step with what the follower did."""
        if self.sandbox_url:
            try:
                self._http.post(f"{self.sandbox_url}/_sandbox/{action}", json={"openid": self.openid}, timeout=5)
            except requests.RequestException as exc:
                logger.warning("could not tell the sandbox about %s: %s", action, exc)

    def _post(self, fields: dict[str, Any]) -> list[str]:
        """Post a signed message to /wechat and return the rendered passive reply."""
        signed = self.follower.sign(fields)
        try:
            response = self._http.post(f"{self.server_url}/wechat?{signed.query_string()}",
                                       data=signed.body.encode("utf-8"),
                                       headers={"Content-Type": "text/xml"}, timeout=self.timeout)
        except requests.Timeout:
            return [f"[no reply within {self.timeout:g} s: WeChat would retry the same message]"]
        except requests.RequestException as exc:
            return [f"[cannot reach {self.server_url}: {exc}]"]
        body = response.content.decode("utf-8", errors="replace")
        if response.status_code != 200:
            return [f"[server answered HTTP {response.status_code}] {body[:300]}".rstrip()]
        try:
            return render_reply(self.follower.decrypt_reply(body, signed.params))
        except (WeChatException, ValueError, KeyError) as exc:
            return [f"[reply could not be decrypted: {exc!r}]"]

    # --- pushes --------------------------------------------------------------------

    def _calls(self, **params: Any) -> dict[str, Any] | None:
        """Ask the sandbox for recorded calls; None when it cannot be reached."""
        try:
            answer = requests.get(f"{self.sandbox_url}/_sandbox/calls", params=params, timeout=2)
            answer.raise_for_status()
            return answer.json()
        except (requests.RequestException, ValueError) as exc:
            logger.debug("sandbox not reachable: %s", exc)
            return None

    def _current_seq(self) -> int:
        """Return the sandbox's latest call number so only later pushes are shown."""
        answer = self._calls(limit=0) if self.sandbox_url else None
        return int(answer["last_seq"]) if answer else 0

    def new_pushes(self) -> list[str]:
        """Return the messages pushed to this follower since the last poll, rendered."""
        if not self.sandbox_url:
            return []
        with self._poll_lock:
            answer = self._calls(path="/cgi-bin/message/", since=self._last_seq)
            if answer is None:
                return []
            self._last_seq = int(answer["next_since"])
        calls = [c for c in answer["calls"] if _delivered(c) and c.get("openid") in self.identities]
        if len(self.identities) == 1:
            return [render_push(call) for call in calls]
        return [f"[to {call.get('openid')}] {render_push(call)}" for call in calls]

    def wait_for_pushes(self, seconds: float) -> list[str]:
        """Poll for pushes for up to `seconds`, returning early once some arrived and then none."""
        pushes: list[str] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            fresh = self.new_pushes()
            if pushes and not fresh:
                break
            pushes += fresh
            time.sleep(0.1 if not fresh else 0.3)
        return pushes + self.new_pushes()

    # --- the loop ------------------------------------------------------------------

    def run(self, say: list[str] | None = None, stdin: TextIO | None = None) -> None:
        """Send the `say` lines and show replies and pushes; without them, chat interactively."""
        if say:
            for line in say:
                self.echo(f"> {line}")
                self._show(self.send(line) + self.new_pushes())
            self._show(self.wait_for_pushes(self.push_wait))
            return
        self._interactive(stdin or sys.stdin)

    def _show(self, lines: Iterable[str]) -> None:
        """Print lines to the terminal."""
        for line in lines:
            self.echo(line)

    def _interactive(self, stream: TextIO) -> None:
        """Read lines until EOF or /quit while a background thread prints pushes as they arrive."""
        stop = threading.Event()
        poller = threading.Thread(target=self._print_pushes, args=(stop,), name="chat-pushes", daemon=True)
        poller.start()
        self.echo(f"Chatting as {self.openid} with {self.server_url}. /help lists commands, /quit leaves.")
        try:
            while True:
                if stream.isatty():
                    self.echo("> ", nl=False)
                line = stream.readline()
                if not line or line.strip() == "/quit":
                    break
                self._show(self.send(line.rstrip("\r\n")))
        except KeyboardInterrupt:
            self.echo("")
        finally:
            stop.set()
            poller.join(timeout=2)
        self._show(self.new_pushes())

    def _print_pushes(self, stop: threading.Event) -> None:
        """Print pushes every half second until told to stop."""
        while not stop.wait(0.5):
            self._show(self.new_pushes())


def _required(argument: str, usage: str) -> str:
    """Return the command's argument, or explain its usage when it is missing."""
    if not argument:
        raise ChatCommandError(f"usage: {usage}")
    return argument


def _location(follower: SimulatedFollower) -> Callable[[str], dict[str, Any]]:
    """Return the builder of a LOCATION event from "LAT LNG"."""
    def build(argument: str) -> dict[str, Any]:
        try:
            latitude, longitude = (float(part) for part in argument.split())
        except ValueError as exc:
            raise ChatCommandError("usage: /location LAT LNG (decimal degrees)") from exc
        return follower.event("LOCATION", Latitude=f"{latitude:.6f}", Longitude=f"{longitude:.6f}",
                              Precision="30.000000")
    return build


def run_chat(server_url: str, sandbox_url: str | None, token: str, openid: str, app_id: str,
             aes_key: str | None, say: Iterable[str] | None = None) -> None:
    """Open the terminal chat (safe mode when an AES key is given); the CLI's `chat` command calls this."""
    chat = TerminalChat(server_url, sandbox_url, token, openid, app_id, aes_key,
                        mode="safe" if aes_key else "plain")
    try:
        chat.run(list(say) if say else None)
    finally:
        chat.close()
