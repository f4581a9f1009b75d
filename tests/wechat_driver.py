"""A small driver that posts signed WeChat XML to the app and reads the replies, like WeChat's server."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import xmltodict

from simulator.follower import SimulatedFollower


@dataclass
class Answer:
    """One HTTP answer from /wechat, with the reply parsed."""

    status: int
    body: str
    fields: dict[str, Any]

    @property
    def text(self) -> str:
        """The reply's text content ("" when there is none)."""
        return str(self.fields.get("Content") or "")


@dataclass
class WeChatDriver:
    """Drives the app as WeChat's server would, for one follower."""

    client: Any
    follower: SimulatedFollower

    def post(self, fields: dict[str, Any] | str, **sign_kw: Any) -> Answer:
        """Sign and post a message; return the answer with the reply decrypted and parsed."""
        signed = self.follower.sign(fields, **sign_kw)
        response = self.client.post(f"/wechat?{signed.query_string()}", data=signed.body.encode("utf-8"),
                                    content_type="text/xml")
        body = response.get_data(as_text=True)
        parsed: dict[str, Any] = {}
        if response.status_code == 200 and body.startswith("<xml>"):
            parsed = xmltodict.parse(self.follower.decrypt_reply(body, signed.params))["xml"]
        return Answer(response.status_code, body, parsed)

    def send_text(self, content: str) -> str:
        """Send a text message and return the reply text."""
        return self.post(self.follower.text(content)).text

    def send_voice(self, recognition: str | None) -> str:
        """Send a voice message with WeChat's recognition text and return the reply text."""
        return self.post(self.follower.voice(recognition)).text

    def send_event(self, event: str, **values: Any) -> str:
        """Send an event and return the reply text."""
        return self.post(self.follower.event(event, **values)).text

    def as_follower(self, openid: str) -> WeChatDriver:
        """Return a driver for another follower on the same app."""
        other = SimulatedFollower(token=self.follower.token, openid=openid, app_id=self.follower.app_id,
                                  aes_key=self.follower.aes_key, mode=self.follower.mode)
        return WeChatDriver(self.client, other)
