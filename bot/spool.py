"""The inbound spool: messages kept while the database cannot be reached, replayed in order once it can.

A message that cannot be handled in time because the database does not answer is written here
(with its dedup key, so WeChat's retry of it is kept once) and the worker is told so (texts.SPOOLED).
While a follower has messages here, his new ones join them, so they are handled in the order he
sent them. bot/replay.py takes them out, oldest first, once the database answers again.

Two stores, one interface:
- `FileSpool`: an SQLite file of its own (SPOOL_PATH, default instance/spool.sqlite3), WAL and
  `synchronous=FULL`, so a kept message survives a crash and a power cut. Every web worker of the
  host shares it. A marker file beside it exists while it holds anything, so the check on every
  message is one `stat` while the spool is empty. With several hosts, use Redis.
- `RedisSpool` (when REDIS_URL is set): a list in arrival order, one key per message, a count per
  follower; shared by every host. It is as durable as the Redis server is configured to be
  (`appendonly yes` keeps it across a restart).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spooled:
    """One kept message: its dedup key, its sender, when we received it, and its plain XML."""

    key: str
    openid: str
    received_at: datetime
    xml: str


class Spool(Protocol):
    """What the gateway and the replayer need of a spool."""

    def add(self, item: Spooled) -> bool:
        """Keep a message; False when its key is kept already (WeChat's retry)."""

    def has_pending(self, openid: str) -> bool:
        """Whether the follower has messages waiting here."""

    def oldest(self, limit: int) -> list[Spooled]:
        """The first `limit` messages in the order they came."""

    def remove(self, key: str) -> None:
        """Forget a message once it was handled."""

    def count(self) -> int:
        """How many messages wait."""

    def draining(self) -> AbstractContextManager[bool]:
        """A context: True inside when this process is the one replaying (one at a time)."""


_SCHEMA = ("CREATE TABLE IF NOT EXISTS spooled (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, "
           "openid TEXT NOT NULL, received_at REAL NOT NULL, xml TEXT NOT NULL)",
           "CREATE INDEX IF NOT EXISTS spooled_openid ON spooled (openid)")


class FileSpool:
    """The spool in a local SQLite file, shared by the processes of one host."""

    def __init__(self, path: Path) -> None:
        """Use (and create) the spool file at `path`."""
        self.path = path
        self.marker = path.with_name(path.name + ".pending")
        self.lock_path = path.with_name(path.name + ".lock")
        self._local = threading.local()
        self._prepare()

    def _prepare(self, seconds: float = 10.0) -> None:
        """Create the file in WAL mode with its table, once, when the process starts (not in an outage's burst).

        Switching the journal mode needs the file to itself, and SQLite answers "database is locked"
        at once instead of waiting when another process holds it; so it is tried again for a while.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + seconds
        with closing(sqlite3.connect(self.path, timeout=seconds, isolation_level=None)) as conn:
            while True:
                try:
                    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        conn.execute("PRAGMA journal_mode=WAL")
                    for statement in _SCHEMA:
                        conn.execute(statement)
                    if conn.execute("SELECT 1 FROM spooled LIMIT 1").fetchone() is not None:
                        self.marker.touch()  # kept by a process that died between its row and the marker
                    return
                except sqlite3.OperationalError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (the file is in WAL mode and has its table)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA synchronous=FULL")  # a kept message is on disk before texts.SPOOLED goes out
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def add(self, item: Spooled) -> bool:
        """Keep a message (then mark the spool non-empty); False when its key is kept already."""
        added = self._db().execute(
            "INSERT OR IGNORE INTO spooled (key, openid, received_at, xml) VALUES (?, ?, ?, ?)",
            (item.key, item.openid, item.received_at.timestamp(), item.xml)).rowcount == 1
        self.marker.touch()  # after the row: a reader that sees no marker finds no row it missed
        return added

    def has_pending(self, openid: str) -> bool:
        """Whether the follower has messages here: one stat while the spool is empty."""
        if not self.marker.exists():
            return False
        return self._db().execute("SELECT 1 FROM spooled WHERE openid = ? LIMIT 1", (openid,)).fetchone() is not None

    def oldest(self, limit: int) -> list[Spooled]:
        """The first `limit` messages in arrival order."""
        rows = self._db().execute("SELECT key, openid, received_at, xml FROM spooled ORDER BY seq LIMIT ?", (limit,))
        return [Spooled(k, o, datetime.fromtimestamp(t, timezone.utc), x) for k, o, t, x in rows]

    def remove(self, key: str) -> None:
        """Forget a handled message; the marker goes with the last one."""
        self._db().execute("DELETE FROM spooled WHERE key = ?", (key,))
        if self._rows() == 0:
            self.marker.unlink(missing_ok=True)
            if self._rows():  # one came in meanwhile: its writer may have marked before we unmarked
                self.marker.touch()

    def count(self) -> int:
        """How many messages wait (0 without opening the file while no marker says otherwise)."""
        if not self.marker.exists():  # every add marks, and a row left unmarked by a crash is marked at start
            return 0
        return self._rows()

    def _rows(self) -> int:
        """How many messages the file holds, marker or not."""
        return int(self._db().execute("SELECT count(*) FROM spooled").fetchone()[0])

    @contextmanager
    def draining(self) -> Iterator[bool]:
        """Try to become this host's replayer for a while (an flock on the lock file, not waited for)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing releases the lock


class RedisSpool:
    """The spool in Redis, shared by every host."""

    _ADD = ("if redis.call('set', KEYS[1], ARGV[1], 'NX') then redis.call('rpush', KEYS[2], ARGV[2]) "
            "redis.call('hincrby', KEYS[3], ARGV[3], 1) return 1 end return 0")
    _REMOVE = ("local item = redis.call('get', KEYS[1]) if not item then return 0 end "
               "redis.call('del', KEYS[1]) redis.call('lrem', KEYS[2], 1, ARGV[1]) "
               "local openid = cjson.decode(item)['openid'] "
               "if redis.call('hincrby', KEYS[3], openid, -1) <= 0 then redis.call('hdel', KEYS[3], openid) end "
               "return 1")

    def __init__(self, url: str, prefix: str = "wuxiao:spool") -> None:
        """Connect lazily to the Redis at `url`."""
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.queue, self.pending, self.lock_key = f"{prefix}:queue", f"{prefix}:pending", f"{prefix}:lock"

    def _item_key(self, key: str) -> str:
        return f"{self.prefix}:item:{key}"

    def add(self, item: Spooled) -> bool:
        """Keep a message (atomically: the item, its place in the queue, the follower's count)."""
        data = json.dumps({"key": item.key, "openid": item.openid, "received_at": item.received_at.timestamp(),
                           "xml": item.xml}, ensure_ascii=False)
        return bool(self.redis.eval(self._ADD, 3, self._item_key(item.key), self.queue, self.pending,
                                    data, item.key, item.openid))

    def has_pending(self, openid: str) -> bool:
        """Whether the follower has messages here (one round trip)."""
        return bool(self.redis.hexists(self.pending, openid))

    def oldest(self, limit: int) -> list[Spooled]:
        """The first `limit` messages in arrival order."""
        keys = [k.decode() for k in self.redis.lrange(self.queue, 0, limit - 1)]
        items = []
        for raw in self.redis.mget([self._item_key(k) for k in keys]) if keys else []:
            if raw is not None:
                d = json.loads(raw)
                items.append(Spooled(d["key"], d["openid"], datetime.fromtimestamp(d["received_at"], timezone.utc),
                                     d["xml"]))
        return items

    def remove(self, key: str) -> None:
        """Forget a handled message."""
        self.redis.eval(self._REMOVE, 3, self._item_key(key), self.queue, self.pending, key)

    def count(self) -> int:
        """How many messages wait."""
        return int(self.redis.llen(self.queue))

    @contextmanager
    def draining(self) -> Iterator[bool]:
        """Try to become the replayer of all hosts for up to a minute (a Redis lock, not waited for)."""
        token = secrets.token_hex(8)
        mine = bool(self.redis.set(self.lock_key, token, nx=True, px=60_000))
        try:
            yield mine
        finally:
            if mine:
                self.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
                                "end return 0", 1, self.lock_key, token)


def make_spool(settings: Settings) -> FileSpool | RedisSpool:
    """The spool for this deployment: Redis when REDIS_URL is set, else the local file."""
    if settings.redis_url:
        return RedisSpool(settings.redis_url)
    assert settings.spool_path is not None
    return FileSpool(settings.spool_path)
