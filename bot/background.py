"""Work done outside the reply path: draining the outbox, fetching photos and replaying the spool, in a loop.

In production the scheduler process (bot/scheduler.py) runs the first two and every gunicorn
worker replays the spool (bot/gunicorn.conf.py); the demo runs all three here, in a thread, so
pushes, photos and answers to messages kept during an outage arrive while you chat.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

from bot.config import Settings
from bot.database import Database
from bot.media import fetch_pending_attachments
from bot.replay import Replayer
from bot.sender import Sender
from bot.wechat_api import make_wechat_client
from bot.extensions import database_of, gateway_of, settings_of

log = logging.getLogger(__name__)


def fetch_photos(settings: Settings, db: Database, client: object) -> int:
    """Download photos workers sent into the instance folder's media/; return how many were stored."""
    return fetch_pending_attachments(db, client, settings.media_dir)


class BackgroundWork:
    """One process's share of the background jobs for one application."""

    def __init__(self, app: Flask) -> None:
        """Prepare a sender and an API client for the app's settings and database."""
        self.settings = settings_of(app)
        self.db = database_of(app)
        self.sender = Sender(self.settings, self.db)
        self.client = make_wechat_client(self.settings, self.db)
        self.replayer = Replayer(gateway_of(app))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        """Send what is due and fetch pending photos; faults are logged, never raised."""
        for job in (self._replay, self._send, self._fetch):
            try:
                job()
            except Exception:  # one failing job must not stop the loop; it is retried next time
                log.exception("background job %s failed", job.__name__)

    def _send(self) -> None:
        """Drain the outbox for at most a few seconds."""
        self.sender.drain(max_seconds=5)

    def _replay(self) -> None:
        """Handle the messages kept while the database did not answer."""
        self.replayer.run_once()

    def _fetch(self) -> None:
        """Download photos sent during submissions."""
        fetch_photos(self.settings, self.db, self.client)

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
