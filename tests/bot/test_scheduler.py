"""Two scheduler processes: one runs, one stands by and takes over; every reminder arrives once."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.config import Settings, load_settings
from bot.database import Database
from bot.sandbox import SandboxHandle, start_sandbox_thread
from bot.sender import Sender
from bot.scheduler import LEASE_NAME, SchedulerOptions, SchedulerProcess
from handlers.reminders import remind
from models.lease import lease_holder
from models.outbox import OutboundMessage
from models.project import Attachment, Project
from models.round import Round
from models.worker import Worker
from tests.conftest import APP_ID
from tests.models.test_reminders import COORDINATOR, round_, shanghai  # noqa: F401 - round_ is a fixture
from tests.models.test_targets import unit

SECOND_COORDINATOR = "o_coordinator_mine2"
LATE_COORDINATOR = "o_coordinator_team"


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[SandboxHandle]:
    """One sandbox for the module."""
    handle = start_sandbox_thread("127.0.0.1", 0, APP_ID, "test-secret")
    yield handle
    handle.stop()


@pytest.fixture
def sandbox(running_sandbox: SandboxHandle) -> SandboxHandle:
    """The sandbox, reset."""
    running_sandbox.state.reset()
    return running_sandbox


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, object], sandbox: SandboxHandle) -> dict[str, object]:
    """Sandbox, a fast lease and fast retries."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url, "SCHEDULER_LEASE_SECONDS": "1.5",
            "OUTBOX_RATE_PER_SECOND": "50", "OUTBOX_RETRY_BASE_SECONDS": "0.2"}


def add_coordinator(db: Database, openid: str, unit_name: str) -> None:
    """A coordinator of the named unit who wrote the evening before."""
    with db.transaction() as session:
        session.add(Worker(openid=openid, role="coordinator", unit_id=unit(session, unit_name).id,
                           last_message_at=shanghai("2026-11-30 20:00")))


def recipients(sandbox: SandboxHandle) -> list[str]:
    """Followers who received a message, once per message."""
    calls = requests.get(f"{sandbox.url}/_sandbox/calls", params={"path": "/cgi-bin/message/"}, timeout=5).json()
    return sorted(c["openid"] for c in calls["calls"] if c["response"].get("errcode") == 0)


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll until the condition holds or time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_standby_takes_over_and_nothing_is_sent_twice(app: Any, settings_overrides: dict[str, object],
                                                      db: Database, round_: Round,  # noqa: F811
                                                      sandbox: SandboxHandle) -> None:
    """Leader sends the 3-days-before reminders, dies; the standby takes over and sends only what is new."""
    settings: Settings = app.extensions["settings"]
    add_coordinator(db, SECOND_COORDINATOR, "二矿")
    shift = (shanghai("2026-12-01 09:00") - datetime.now(timezone.utc)).total_seconds()
    options = SchedulerOptions(remind_interval_seconds=0.4, send_interval_seconds=0.3, time_shift_seconds=shift)
    databases = [Database(settings.database_url) for _ in range(2)]
    processes = [SchedulerProcess(settings, d, options, config=settings_overrides, holder=f"s{i}")
                 for i, d in enumerate(databases)]
    stops = [threading.Event(), threading.Event()]
    threads = [threading.Thread(target=p.run, args=(s,), kwargs={"release": False}) for p, s in zip(processes, stops)]
    extra_db = Database(settings.database_url)  # a separate `send-outbox` process racing the scheduler's sender
    clock = lambda: datetime.now(timezone.utc) + timedelta(seconds=shift)  # noqa: E731
    extra = threading.Thread(target=Sender(settings, extra_db, clock=clock).drain,
                             kwargs={"settle": True, "max_seconds": 6})
    databases.append(extra_db)
    try:
        extra.start()
        for thread in threads:
            thread.start()
        assert wait_for(lambda: recipients(sandbox) == [COORDINATOR, SECOND_COORDINATOR], 10)
        assert sum(p.leading for p in processes) == 1
        leader = 0 if processes[0].leading else 1
        stops[leader].set()  # dies without giving the lease back
        threads[leader].join()
        add_coordinator(db, LATE_COORDINATOR, "综采一队")
        died = time.monotonic()
        assert wait_for(lambda: LATE_COORDINATOR in recipients(sandbox), 10)
        assert time.monotonic() - died < 6
        with db.sessions() as session:
            assert lease_holder(session, LEASE_NAME, datetime.now(timezone.utc)) == f"s{1 - leader}"
        time.sleep(1.0)  # a few more reminder runs by the new leader: still nothing twice
        assert recipients(sandbox) == sorted([COORDINATOR, SECOND_COORDINATOR, LATE_COORDINATOR])
    finally:
        for stop in stops:
            stop.set()
        for thread in [*threads, extra]:
            thread.join()
        for d in databases:
            d.dispose()


#: Units with one name in the demo tree, to spread coordinators over.
UNIT_NAMES = ("一矿", "二矿", "综采一队", "综采二队", "掘进一队", "运输队", "通风队", "掘进队", "选煤厂", "甲班", "乙班")


def keep_draining(sender: Sender, stop: threading.Event) -> None:
    """Drain the outbox again and again, as `python -m bot send-outbox` run from cron would."""
    while not stop.is_set():
        sender.drain()
        stop.wait(0.05)


def remind_once(url: str, at: datetime) -> None:
    """Evaluate the rules on a connection of its own, as `python -m bot remind` would."""
    database = Database(url)
    try:
        with database.transaction() as session:
            remind(session, at)
    finally:
        database.dispose()


def test_two_schedulers_and_two_senders_deliver_every_reminder_exactly_once(
        settings_overrides: dict[str, object], db: Database, round_: Round,  # noqa: F811
        sandbox: SandboxHandle) -> None:
    """Two schedulers, two extra senders and two `remind` runs at once: 60 coordinators, one message each."""
    openids = [COORDINATOR] + [f"o_coordinator_{i:02d}" for i in range(59)]
    for i, openid in enumerate(openids[1:]):
        add_coordinator(db, openid, UNIT_NAMES[i % len(UNIT_NAMES)])
    config = {**settings_overrides, "OUTBOX_RATE_PER_SECOND": "20"}  # batches of 20: the senders must share
    settings = load_settings(config)
    at = shanghai("2026-12-01 09:00")
    shift = (at - datetime.now(timezone.utc)).total_seconds()
    clock = lambda: datetime.now(timezone.utc) + timedelta(seconds=shift)  # noqa: E731
    options = SchedulerOptions(remind_interval_seconds=0.3, send_interval_seconds=0.3, time_shift_seconds=shift)
    databases = [Database(settings.database_url) for _ in range(4)]
    stop = threading.Event()
    processes = [SchedulerProcess(settings, d, options, config=config, holder=f"s{i}")
                 for i, d in enumerate(databases[:2])]
    threads = [threading.Thread(target=p.run, args=(stop,)) for p in processes]
    threads += [threading.Thread(target=keep_draining, args=(Sender(settings, d, clock=clock), stop))
                for d in databases[2:]]
    threads += [threading.Thread(target=remind_once, args=(settings.database_url, at)) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        assert wait_for(lambda: len(recipients(sandbox)) >= len(openids), 20)
        time.sleep(1.0)  # more reminder runs and drains: still nothing twice
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for d in databases:
            d.dispose()
    assert recipients(sandbox) == sorted(openids)
    with db.sessions() as session:
        outbox = {key: status for key, status in session.execute(select(OutboundMessage.key, OutboundMessage.status))}
    assert outbox == {f"submission_3d:{round_.id}:{openid}:2026-12-01": "sent" for openid in openids}
    assert sandbox.state.stats()["max_sends_per_second"] <= 20


def test_scheduler_fetches_the_photos_workers_send(app: Any, settings_overrides: dict[str, object], db: Database,
                                                   round_: Round, sandbox: SandboxHandle) -> None:  # noqa: F811
    """The scheduler is the only background process in production: it downloads a pending photo."""
    media_id = requests.post(f"{sandbox.url}/_sandbox/media", data=b"", timeout=5).json()["media_id"]
    with db.transaction() as session:
        project_id = session.scalars(select(Project.id)).first()
        session.add(Attachment(project_id=project_id, media_id=media_id))
    settings: Settings = app.extensions["settings"]
    database = Database(settings.database_url)
    process = SchedulerProcess(settings, database, SchedulerOptions(fetch_interval_seconds=0.2),
                               config=settings_overrides)
    stop = threading.Event()
    thread = threading.Thread(target=process.run, args=(stop,))
    thread.start()

    def fetched() -> bool:
        with db.sessions() as session:
            return session.scalars(select(Attachment.status)).one() == "fetched"

    try:
        assert wait_for(fetched, 10)
    finally:
        stop.set()
        thread.join()
        database.dispose()
    with db.sessions() as session:
        stored = session.scalars(select(Attachment.stored_path)).one()
    assert stored.startswith(str(settings.instance_path / "media"))
