"""Engine and session factory for the configured database, with SQLite tuned for several processes.

Connections fail fast and heal. On PostgreSQL: connecting gives up after 3 s (CONNECT_TIMEOUT); TCP
keepalives probe an idle connection after 10 s and drop it after three unanswered probes; data
left unacknowledged for TCP_USER_TIMEOUT drops it too; a statement runs at most
`statement_timeout` on the server, and every client-side wait ends at the request's deadline or
at the engine's wait limit (bot/deadline.py), whichever comes first. A connection that timed out
is closed, never reused; pooled connections are replaced after POOL_RECYCLE, and one idle for
more than PING_AFTER_IDLE is pinged before use. So after a stall or a failover the next request
gets a fresh connection, without a restart.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bot.deadline import CONNECT_TIMEOUT, DatabaseTimeout, Outage, connection_class, install_wait_callback
from bot.write_gate import SQLITE_LOCK_TIMEOUT, WriteGate, WriteLockTimeout

__all__ = ["Database", "ReadOnly", "WriteGate", "WriteLockTimeout", "WriteNeeded", "make_engine"]

#: A pooled connection idle longer than this is pinged before use (a database restart or a firewall
#: may have cut it). One used moments ago is not: under load that saves a round trip per message.
PING_AFTER_IDLE = 1.0
#: Milliseconds sent data may stay unacknowledged before the kernel drops the connection.
TCP_USER_TIMEOUT_MS = 10_000
#: A pooled connection older than this many seconds is replaced (a failover may have moved the server).
POOL_RECYCLE = 300
#: How long a caller waits for a free pooled connection, at most (less within a request's deadline).
POOL_TIMEOUT = 10.0


#: `Connection.info` key while the connection serves `Database.reading`: holds that read's `ReadOnly` guard.
READING = "bot.database.reading"


class WriteNeeded(Exception):
    """A statement that writes was attempted inside `Database.reading`; it never reached the database."""


class ReadOnly:
    """What `Database.reading` yields besides the session: whether a write was attempted (and refused),
    even if the code that attempted it caught the error."""

    refused: str | None = None


def _tune_sqlite(engine: Engine, busy_timeout: float) -> None:
    """Use WAL, a busy timeout and foreign keys; take the write lock at BEGIN.

    BEGIN IMMEDIATE makes two processes handling the same message queue up instead of
    both reading "not seen yet" and then colliding halfway through.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN itself
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # persistent: set once per file
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # straight to sqlite3: once per message; a read takes no lock (WAL: a snapshot, no writer waits)
        try:
            conn.connection.driver_connection.execute("BEGIN" if READING in conn.info else "BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # "database is locked": as any other statement's would say it
            raise sa_exc.OperationalError("BEGIN", None, exc) from exc


def _refuse_writes_while_reading(engine: Engine) -> None:
    """Inside `Database.reading`, refuse any statement but a SELECT before it is sent (WriteNeeded)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        guard = conn.info.get(READING)
        if guard is not None and statement.lstrip()[:6].upper() != "SELECT":
            guard.refused = statement
            raise WriteNeeded(statement.split(None, 3)[:3])


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection that sat idle before handing it out; a dead one is replaced.

    Like `pool_pre_ping`, but without its round trip on every checkout of a busy pool.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # whatever the driver raises for a dead connection
            raise DisconnectionError("pooled connection is dead") from exc  # the pool connects anew


def _give_up_timed_out_connections(engine: Engine) -> None:
    """A connection whose wait hit the deadline is in an unknown state: the pool closes it, never reuses it."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        if isinstance(context.original_exception, DatabaseTimeout):
            context.is_disconnect = True


def postgres_connect_args(statement_timeout: float | None) -> dict[str, Any]:
    """libpq settings: connect and TCP timeouts, keepalives, the server-side statement timeout, the wait limit."""
    args: dict[str, Any] = {
        "connect_timeout": int(CONNECT_TIMEOUT), "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 3,
        "keepalives_count": 3, "tcp_user_timeout": TCP_USER_TIMEOUT_MS, "application_name": "wuxiao-bot",
        # each client-side wait: the server's statement timeout and a margin for its answer to arrive
        "connection_factory": connection_class(None if statement_timeout is None else statement_timeout + 2.0),
    }
    if statement_timeout is not None:
        args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return args


def make_engine(url: str, statement_timeout: float | None = None) -> Engine:
    """Create the engine for a database URL; `statement_timeout` bounds every statement (None: no bound)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_LOCK_TIMEOUT, "check_same_thread": False})
        _tune_sqlite(engine, SQLITE_LOCK_TIMEOUT if statement_timeout is None else statement_timeout)
        _refuse_writes_while_reading(engine)
        return engine
    install_wait_callback()
    engine = create_engine(url, pool_size=5, max_overflow=5, pool_recycle=POOL_RECYCLE,
                           pool_timeout=POOL_TIMEOUT if statement_timeout is None else statement_timeout,
                           connect_args=postgres_connect_args(statement_timeout))
    _ping_when_idle(engine)
    _give_up_timed_out_connections(engine)
    _refuse_writes_while_reading(engine)
    return engine


def _write_gate(url: str) -> WriteGate | None:
    """The gate for a SQLite database (its lock file lies beside the database file); None for others."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    path = parsed.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return WriteGate(None)
    return WriteGate(Path(path + ".writelock"))


class Database:
    """An engine and its session factory, owned by one application object, and what it knows of outages."""

    def __init__(self, url: str, statement_timeout: float | None = None) -> None:
        """Create the engine (lazily connecting) for the URL; `statement_timeout` in seconds bounds each statement."""
        self.url = url
        self.engine = make_engine(url, statement_timeout)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_gate = _write_gate(url)
        self.outage = Outage()

    @property
    def is_postgres(self) -> bool:
        """Whether the database is PostgreSQL (row locks, SKIP LOCKED)."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside one transaction: committed on success, rolled back on error.

        The transaction is the connection's and the session joins it, so Core statements on that
        connection (`models.base.connection_of`) need none of the ORM's bookkeeping, and a
        session nobody asks anything costs nothing.
        """
        with self.write_gate.held() if self.write_gate else nullcontext(), self.engine.begin() as connection, \
                self.sessions(bind=connection) as session:
            yield session
            session.flush()  # the session never commits a transaction it joined: write its changes first

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One pooled connection, for a `reading` and then a `writing` on it without a second checkout."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def writing(self, connection: Connection) -> Iterator[Connection]:
        """One short write transaction on the connection, without a session (for Core statements built
        once): committed on success, rolled back on error, under SQLite's write gate."""
        with self.write_gate.held() if self.write_gate else nullcontext(), connection.begin():
            yield connection

    @contextmanager
    def alone(self, connection: Connection) -> Iterator[Connection]:
        """PostgreSQL: run one statement that is atomic by itself without a transaction around it
        (autocommit: no BEGIN and COMMIT round trips); on SQLite the same as `writing`."""
        if not self.is_postgres:
            with self.writing(connection):
                yield connection
            return
        driver = connection.connection.driver_connection
        driver.autocommit = True  # type: ignore[union-attr]
        try:
            with connection.begin():  # sends nothing in autocommit; keeps SQLAlchemy's view of the connection
                yield connection
        finally:
            if not driver.closed:  # type: ignore[union-attr]
                driver.autocommit = False  # type: ignore[union-attr]

    @contextmanager
    def reading(self, connection: Connection) -> Iterator[tuple[Session, ReadOnly]]:
        """Yield a session in a transaction on the connection that only reads, always rolled back, and its guard.

        No write gate and no lock: on SQLite a deferred BEGIN (a WAL snapshot that no writer waits
        for); on PostgreSQL autocommit, each SELECT on its own, as in a READ COMMITTED transaction
        but without the BEGIN and ROLLBACK round trips (two of the message's seven). A statement that
        would write raises WriteNeeded before it is sent, and the guard keeps it in `refused` even if
        the caller swallowed the error.
        """
        guard = ReadOnly()
        connection.info[READING] = guard
        driver = connection.connection.driver_connection if self.is_postgres else None
        if driver is not None:
            driver.autocommit = True  # psycopg2: an attribute, no round trip
        try:
            with self.sessions(bind=connection) as session:
                try:
                    yield session, guard
                    session.flush()  # pending ORM changes are writes too: refused like the rest
                finally:
                    connection.rollback()
        finally:
            connection.info.pop(READING, None)
            if driver is not None and not driver.closed:
                driver.autocommit = False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
