"""How long the database may keep a caller waiting, enforced on every wait, and what a process knows of an outage.

A silent network loss (a dropped route, a failover behind a virtual IP) leaves a PostgreSQL client
waiting for an answer that never comes: libpq blocks in poll() with no timeout of its own, and
TCP keepalives only probe idle connections. So every wait of psycopg2 goes through a wait
callback (`psycopg2.extensions.set_wait_callback`) that gives up at a deadline: the request's
(`within(seconds)`, set by the gateway so a WeChat message is answered inside 5 seconds), or the
connection's own limit. A connection that gave up is closed and the pool opens a fresh one.

`Outage` remembers, per process, that the database did not answer: for a second after a failure
the gateway does not try again (it spools the message at once), then one caller probes. A stall
costs one wait per second instead of one per message, and the first probe that passes ends it.
"""
from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import psycopg2
import psycopg2.extensions
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)

#: Seconds to establish a connection (within a request: less, as its deadline says).
CONNECT_TIMEOUT = 3.0
#: The monotonic time by which the current request's database work must be done (None: no deadline).
_DEADLINE: ContextVar[float | None] = ContextVar("database_deadline", default=None)


class DatabaseTimeout(psycopg2.OperationalError):
    """The database did not answer before the deadline; the connection is given up."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every database wait inside this block gives up once `seconds` have passed in all."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining(limit: float | None = None) -> float | None:
    """Seconds left before the current deadline, at most `limit` (None: no deadline and no limit)."""
    deadline = _DEADLINE.get()
    left = None if deadline is None else max(0.0, deadline - time.monotonic())
    if limit is None:
        return left
    return limit if left is None else min(left, limit)


class LimitedConnection(psycopg2.extensions.connection):
    """A psycopg2 connection whose every wait (connecting, each statement) lasts at most `wait_limit` seconds."""

    wait_limit: float | None = None


def connection_class(limit: float | None) -> type[LimitedConnection]:
    """A connection class for one engine's limit (psycopg2 calls the wait callback before __init__ returns)."""
    return type("LimitedConnection", (LimitedConnection,), {"wait_limit": limit})


def wait_with_deadline(conn: psycopg2.extensions.connection) -> None:
    """psycopg2's wait callback: poll the connection until its operation is done, or raise DatabaseTimeout.

    Connecting waits at most CONNECT_TIMEOUT (libpq's own connect_timeout does not apply to the
    asynchronous connections a wait callback makes); a statement at most the connection's limit.
    """
    connecting = conn.status == psycopg2.extensions.STATUS_SETUP
    seconds = remaining(CONNECT_TIMEOUT if connecting else getattr(conn, "wait_limit", None))
    deadline = None if seconds is None else time.monotonic() + seconds
    poller = select.poll()
    while True:
        state = conn.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise DatabaseTimeout(f"no answer from the database within {seconds:.1f} s")
        poller.register(conn.fileno(), select.POLLIN if state == psycopg2.extensions.POLL_READ else select.POLLOUT)
        poller.poll(None if left is None else max(1, int(left * 1000)))


_installed = threading.Lock()


def install_wait_callback() -> None:
    """Make every psycopg2 wait of this process go through `wait_with_deadline` (idempotent)."""
    with _installed:
        if psycopg2.extensions.get_wait_callback() is not wait_with_deadline:
            psycopg2.extensions.set_wait_callback(wait_with_deadline)


#: Errors that mean "the database cannot be reached or cannot answer in time", not "this message is bad".
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, sa_exc.DisconnectionError,
               psycopg2.OperationalError, psycopg2.InterfaceError, TimeoutError)


def unavailable(error: BaseException | None) -> bool:
    """Whether an error, or one it was raised from, says the database is unreachable or too slow."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, UNAVAILABLE) or getattr(error, "connection_invalidated", False):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class Outage:
    """One process's view of a database outage: after a failure, only one caller a second tries again."""

    def __init__(self, probe_every: float = 1.0) -> None:
        """Let one caller probe every `probe_every` seconds while the database is down."""
        self.probe_every = probe_every
        self._down_since: float | None = None
        self._last_try = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        """Whether the last attempt failed and none has passed since."""
        return self._down_since is not None

    def may_try(self) -> bool:
        """Whether this caller should use the database now (always when it is up; one probe a second when down)."""
        if self._down_since is None:
            return True
        with self._lock:
            now = time.monotonic()
            if now - self._last_try < self.probe_every:
                return False
            self._last_try = now
            return True

    def failed(self) -> None:
        """Note that the database did not answer."""
        with self._lock:
            now = time.monotonic()
            if self._down_since is None:
                self._down_since = now
                log.warning("the database does not answer: keeping messages in the spool")
            self._last_try = now

    def passed(self) -> None:
        """Note that the database answered."""
        if self._down_since is not None:
            with self._lock:
                if self._down_since is not None:
                    log.warning("the database answers again after %.1f s", time.monotonic() - self._down_since)
                    self._down_since = None
