"""A database outage in the middle of chats: nothing dropped, answered within 5 s, replayed once and in order.

On PostgreSQL the outage is a silent network loss: the test puts a TCP proxy between the app and
the database and stalls it (bytes stop, connections stay open). On SQLite it is another process
holding the write lock. Either way the app cannot answer from the database within WeChat's wait.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import func, make_url, select, update

from bot.database import Database, WriteGate
from bot.deadline import within
from bot.replay import Replayer
from simulator.sandbox import SandboxHandle
from handlers import texts
from models.outbox import OutboundMessage
from models.project import Project
from models.round import Round
from models.sending import REPLY_KEY_PREFIX
from tests.bot.tcp_proxy import StallingProxy
from tests.chat import LONG_MESSAGE, bind_worker
from tests.wechat_driver import WeChatDriver
from bot.extensions import gateway_of

NUMBER = re.compile(r"\d{4}-\d{4}")
REDIS_URL = "redis://127.0.0.1:6379/1"


@dataclass
class Outage:
    """Makes the app's database unreachable and reachable again."""

    proxy: StallingProxy | None
    lock_path: str | None
    _held: AbstractContextManager[None] | None = None

    def start(self) -> None:
        """The database stops answering."""
        if self.proxy is not None:
            self.proxy.stall()
        else:
            self._held = WriteGate(self.lock_path).held()  # type: ignore[arg-type]
            self._held.__enter__()

    def end(self) -> None:
        """The database answers again."""
        if self.proxy is not None:
            self.proxy.resume()
        elif self._held is not None:
            self._held.__exit__(None, None, None)
            self._held = None


@pytest.fixture
def proxy(database_url: str) -> Iterator[StallingProxy | None]:
    """A stalling proxy in front of PostgreSQL (None on SQLite)."""
    if not database_url.startswith("postgresql"):
        yield None
        return
    url = make_url(database_url)
    handle = StallingProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    yield handle
    handle.close()


@pytest.fixture
def spool_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where messages are kept: the local file (default), or Redis (database 1, emptied before and after)."""
    if getattr(request, "param", "file") == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.ping()
        except redis.RedisError:
            pytest.skip("no Redis server on 127.0.0.1:6379")
        client.flushdb()
        yield "redis"
        client.flushdb()
        return
    yield "file"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, object], sandbox: SandboxHandle, proxy: StallingProxy | None,
                       spool_kind: str) -> dict[str, object]:
    """The app reaches PostgreSQL through the proxy, WeChat's API through the sandbox."""
    overrides = {**settings_overrides, "WECHAT_API_BASE": sandbox.url,
                 **({"REDIS_URL": REDIS_URL} if spool_kind == "redis" else {})}
    if proxy is not None:
        overrides["DATABASE_URL"] = make_url(str(overrides["DATABASE_URL"])).set(port=proxy.port).render_as_string(
            hide_password=False)
    return overrides


@pytest.fixture
def outage(db: Database, proxy: StallingProxy | None) -> Iterator[Outage]:
    """The switch; the database always answers again at the end."""
    handle = Outage(proxy, str(db.write_gate.lock_path) if db.write_gate else None)
    yield handle
    handle.end()


def timed(wechat: WeChatDriver, fields: dict) -> tuple[str, float]:
    """Post a message; its reply text and how long the answer took."""
    started = time.monotonic()
    answer = wechat.post(fields)
    assert answer.status == 200
    return answer.text, time.monotonic() - started


def replies(db: Database) -> dict[str, str]:
    """The answers queued for replayed messages, by follower (joined in order)."""
    with db.sessions() as session:
        rows = session.scalars(select(OutboundMessage).where(OutboundMessage.key.startswith(REPLY_KEY_PREFIX))
                               .order_by(OutboundMessage.id)).all()
    found: dict[str, str] = {}
    for row in rows:
        found[row.openid] = found.get(row.openid, "") + "|" + row.payload["text"]
    return found


@pytest.mark.parametrize("spool_kind", ["file", "redis"], indirect=True)
def test_messages_during_an_outage_are_kept_answered_later_once_and_in_order(
        app, wechat: WeChatDriver, demo, db: Database, outage: Outage, sandbox: SandboxHandle) -> None:
    """Mid-form the database goes away: "确认" and "查询" are kept, then handled in that order, once."""
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    assert "请核对" in wechat.send_text("对")
    other = wechat.as_follower("o_other_worker")
    confirm = wechat.follower.text("确认")
    outage.start()
    text, seconds = timed(wechat, confirm)
    assert text == texts.SPOOLED and seconds < 5  # inside WeChat's wait
    assert timed(wechat, confirm)[0] == texts.SPOOLED  # WeChat's retry: kept once
    assert timed(wechat, wechat.follower.text("查询"))[0] == texts.SPOOLED
    assert timed(other, other.follower.text("你好"))[0] == texts.SPOOLED
    gateway = gateway_of(app)
    assert gateway.spool.count() == 3
    outage.end()
    db.outage.probe_every = 0.0  # the next message probes at once instead of within a second
    assert timed(wechat, wechat.follower.text("帮助"))[0] == texts.SPOOLED  # behind his kept ones
    assert Replayer(gateway).run_once() == 4
    with db.sessions() as session:
        (project,) = session.scalars(select(Project)).all()
    assert project.status == "submitted" and project.number
    answers = replies(db)
    confirmed, queried = answers[wechat.follower.openid].split("|")[1:3]
    assert project.number in confirmed and project.number in queried  # the query ran after the confirm
    assert "申报" in answers["o_other_worker"]
    delivered = requests.get(f"{sandbox.url}/_sandbox/calls", params={"path": "/cgi-bin/message/custom/send"},
                             timeout=5).json()["calls"]
    assert sorted(c["openid"] for c in delivered) == sorted([wechat.follower.openid] * 3 + ["o_other_worker"])
    assert timed(wechat, confirm)[0] == texts.SPOOLED  # a late retry hears what it heard; nothing happens twice
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Project)) == 1
    assert len(replies(db)[wechat.follower.openid].split("|")) == 4
    assert NUMBER.search(wechat.send_text("查询"))  # and the chat goes on as before


def test_an_answer_too_late_for_wechat_reaches_the_worker_when_the_retry_was_kept(
        app, wechat: WeChatDriver, demo, db: Database, outage: Outage, sandbox: SandboxHandle) -> None:
    """The confirm is handled, but its answer misses WeChat's 5 s; the retry finds the database away and is kept:
    the worker heard only "收到", so the number goes out as a customer-service text, once, and nothing is redone."""
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    assert "请核对" in wechat.send_text("对")
    confirm = wechat.follower.text("确认")
    first = wechat.post(confirm).text  # WeChat gave up waiting on this one: the worker never saw it
    assert NUMBER.search(first)
    outage.start()
    assert timed(wechat, confirm)[0] == texts.SPOOLED  # the retry
    outage.end()
    db.outage.probe_every = 0.0
    assert Replayer(gateway_of(app)).run_once() == 1
    with db.sessions() as session:
        (project,) = session.scalars(select(Project)).all()
    assert replies(db)[wechat.follower.openid] == "|" + first
    delivered = requests.get(f"{sandbox.url}/_sandbox/calls", params={"path": "/cgi-bin/message/custom/send"},
                             timeout=5).json()["calls"]
    assert [c["body"]["text"]["content"] for c in delivered] == [first] and project.number in first
    assert Replayer(gateway_of(app)).run_once() == 0  # and never again


def test_a_confirm_kept_before_the_deadline_is_submitted_after_it(app, wechat: WeChatDriver, demo, db: Database,
                                                                   outage: Outage) -> None:
    """16:59:58, the database is away, the worker confirms; 17:00:01 it is back: his project counts as on time."""
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    wechat.send_text("对")
    deadline = datetime.now(timezone.utc) + timedelta(seconds=1)
    with db.transaction() as session:
        session.execute(update(Round).values(submission_deadline=deadline))
    outage.start()
    assert wechat.send_text("确认") == texts.SPOOLED
    outage.end()
    while datetime.now(timezone.utc) <= deadline:
        time.sleep(0.1)
    db.outage.probe_every = 0.0
    assert Replayer(gateway_of(app)).run_once() == 1
    with db.sessions() as session:
        (project,) = session.scalars(select(Project)).all()
    assert project.status == "submitted" and project.submitted_at < deadline
    assert project.number in replies(db)[wechat.follower.openid]


def test_a_confirm_handled_minutes_late_submits_nothing_and_asks_again(wechat: WeChatDriver, demo,
                                                                       db: Database) -> None:
    bind_worker(wechat, demo)
    wechat.send_text(LONG_MESSAGE)
    wechat.send_text("对")
    sent = int(time.time()) - 600  # typed ten minutes ago: a backlog, or a replay after an outage
    answer = wechat.post(wechat.follower.text("确认", create_time=sent)).text
    assert answer.startswith(texts.LATE_ANSWER) and "请核对" in answer
    with db.sessions() as session:
        assert session.scalars(select(Project.status)).all() == ["draft"]
    assert NUMBER.search(wechat.send_text("确认"))  # a fresh yes submits


def test_a_stalled_database_path_fails_fast_and_heals_without_a_restart(database_url: str) -> None:
    """Connections opened before the stall: a query gives up at the deadline; after it, the same pool works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a network path exists only to a database server")
    url = make_url(database_url)
    proxy = StallingProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    db = Database(url.set(port=proxy.port).render_as_string(hide_password=False), statement_timeout=1.0)
    try:
        connections = [db.engine.connect() for _ in range(3)]  # pooled before the stall
        for connection in connections:
            connection.exec_driver_sql("SELECT 1")
            connection.close()
        proxy.stall()
        started = time.monotonic()
        with pytest.raises(Exception) as failure, within(2.0):
            with db.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        assert time.monotonic() - started < 5 and "OperationalError" in type(failure.value).__name__
        proxy.resume()
        for _ in range(3):  # every pooled connection works again or is replaced: none hangs
            with within(3.0), db.engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT 42").scalar() == 42
    finally:
        proxy.resume()
        db.dispose()
        proxy.close()


def test_a_statement_that_runs_too_long_is_cancelled_by_the_server(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no statement timeout")
    db = Database(database_url, statement_timeout=0.5)
    try:
        with pytest.raises(Exception, match="statement timeout"):
            with db.engine.connect() as connection:
                connection.exec_driver_sql("SELECT pg_sleep(3)")
        with db.engine.connect() as connection:  # the connection was fine: only the statement went
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        db.dispose()
