"""Work done outside the reply path: draining the outbox and fetching photos, in a loop.

The scheduler process runs this in production; the demo runs it in a thread so pushes and
photos arrive while you chat.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

from bot.media import fetch_pending_attachments
from bot.sender import Sender
from bot.wechat_api import make_wechat_client

log = logging.getLogger(__name__)


class BackgroundWork:
    """One process's share of the background jobs for one application."""

    def __init__(self, app: Flask) -> None:
        """Prepare a sender and an API client for the app's settings and database."""
        self.settings = app.extensions["settings"]
        self.db = app.extensions["db"]
        self.sender = Sender(self.settings, self.db)
        self.client = make_wechat_client(self.settings, self.db)
        self.media_dir = self.settings.instance_path / "media"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        """Send what is due and fetch pending photos; faults are logged, never raised."""
        for job in (self._send, self._fetch):
            try:
                job()
            except Exception:  # one failing job must not stop the loop; it is retried next time
                log.exception("background job %s failed", job.__name__)

    def _send(self) -> None:
        """Drain the outbox for at most a few seconds."""
        self.sender.drain(max_seconds=5)

    def _fetch(self) -> None:
        """Download photos sent during submissions."""
        fetch_pending_attachments(self.db, self.client, self.media_dir)

    def start(self, interval: float = 1.0) -> BackgroundWork:
        """Run the jobs every `interval` seconds in a daemon thread."""
        def loop() -> None:
            while not self._stop.wait(interval):
                self.run_once()

        self._thread = threading.Thread(target=loop, name="background-work", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread after its current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
