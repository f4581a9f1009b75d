"""The production server for tests: gunicorn with bot/gunicorn.conf.py, and WeChat posting to it over HTTP.

`LiveServer` starts gunicorn as the README's production setup does (2 workers, gthread, preload)
on a loopback port; `HttpWeChat` signs and posts a follower's messages to it as WeChat's server
does, waiting 5 seconds for each answer and delivering the same message again (same MsgId) up to
three times when none comes.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import xmltodict

from simulator.follower import SimulatedFollower

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
#: WeChat waits this long for an answer, then delivers the message again.
WECHAT_WAIT = 5.0


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """One gunicorn master and its workers serving the application."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Where the server listens."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> LiveServer:
        """Start gunicorn and wait until /healthz answers 200 (the NLP models load first)."""
        env = {**os.environ, **self.env, "BIND": f"127.0.0.1:{self.port}", "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([GUNICORN, "-c", "bot/gunicorn.conf.py", "bot.wsgi:app"], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log()}")
            if self.healthy():
                return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn not healthy within {timeout:g} s:\n{self.log()}")

    def healthy(self, timeout: float = 2.0) -> bool:
        """Whether GET /healthz answers 200."""
        try:
            return requests.get(f"{self.url}/healthz", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def log(self) -> str:
        """The server's log so far (its last 6,000 characters)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]

    def stop(self) -> None:
        """Stop gunicorn at once (SIGINT to the master: quick shutdown), killing it if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Delivery:
    """What WeChat got for one message: the reply text, how many deliveries it took, how long the last one took."""

    text: str
    deliveries: int
    seconds: float
    status: int


@dataclass
class HttpWeChat:
    """Posts one follower's messages to a live server as WeChat does (5-second wait, three retries)."""

    server_url: str
    follower: SimulatedFollower
    session: requests.Session = field(default_factory=requests.Session)

    def deliver(self, fields: dict[str, Any]) -> Delivery:
        """Post a message until an answer comes within WeChat's wait (at most four deliveries)."""
        signed = self.follower.sign(fields)
        url = f"{self.server_url}/wechat?{signed.query_string()}"
        status, started = 0, time.monotonic()
        for delivery in range(1, 5):
            started = time.monotonic()
            try:
                response = self.session.post(url, data=signed.body.encode("utf-8"), timeout=WECHAT_WAIT,
                                             headers={"Content-Type": "text/xml"})
            except requests.RequestException:
                continue
            status = response.status_code
            if status == 200:
                body = response.text
                text = xmltodict.parse(body)["xml"].get("Content") or "" if body.startswith("<xml>") else ""
                return Delivery(str(text), delivery, time.monotonic() - started, status)
        return Delivery("", 4, time.monotonic() - started, status)

    def send_text(self, content: str) -> Delivery:
        """Send one text message."""
        return self.deliver(self.follower.text(content))
