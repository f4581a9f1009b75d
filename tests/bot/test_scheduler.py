"""Two scheduler processes: one runs, one stands by and takes over; every reminder arrives once."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from bot.config import Settings
from bot.database import Database
from bot.sandbox import SandboxHandle, start_sandbox_thread
from bot.sender import Sender
from bot.scheduler import LEASE_NAME, SchedulerOptions, SchedulerProcess
from models.lease import lease_holder
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
