"""Two scheduler processes: one runs, one stands by and takes over; every reminder arrives once, that day."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.config import Settings, load_settings
from bot.database import Database
from simulator.sandbox import SandboxHandle
from bot.sender import Sender
from bot.scheduler import LEASE_NAME, REMIND_JOB, SchedulerOptions, SchedulerProcess, catch_up_due
from models.reminders import remind
from models.lease import acquire_lease, lease_holder
from models.outbox import OutboundMessage
from models.project import Attachment, Project
from models.round import Round
from models.clock import SHANGHAI
from models.worker import Worker
from tests.models.test_reminders import COORDINATOR, round_, shanghai  # noqa: F401 - round_ is a fixture
from tests.models.test_targets import unit
from bot.extensions import settings_of

SECOND_COORDINATOR = "o_coordinator_mine2"
LATE_COORDINATOR = "o_coordinator_team"


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
    settings: Settings = settings_of(app)
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
    settings: Settings = settings_of(app)
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


@contextmanager
def scheduler_at(settings: Settings, config: dict[str, object], at: datetime, holder: str = "s0",
                 release: bool = True) -> Iterator[SchedulerProcess]:
    """A scheduler process with the daily 09:00 reminders, started as if it were `at`; stopped on leaving."""
    shift = round((at - datetime.now(timezone.utc)).total_seconds())  # whole seconds: 09:00 falls on the second
    database = Database(settings.database_url)
    process = SchedulerProcess(settings, database, SchedulerOptions(send_interval_seconds=0.3,
                                                                    time_shift_seconds=shift),
                               config=config, holder=holder)
    stop = threading.Event()
    thread = threading.Thread(target=process.run, args=(stop,), kwargs={"release": release})
    thread.start()
    try:
        yield process
    finally:
        stop.set()
        thread.join()
        database.dispose()


def outbox_keys(db: Database) -> dict[str, datetime]:
    """Every queued or sent message's key, with when it may go out (Shanghai time)."""
    with db.sessions() as session:
        rows = session.execute(select(OutboundMessage.key, OutboundMessage.next_attempt_at))
        return {key: at.astimezone(SHANGHAI) for key, at in rows}


def next_reminder_run(process: SchedulerProcess) -> datetime:
    """When the running scheduler will evaluate the reminders next, on the clock its jobs see (Shanghai)."""
    assert process.scheduler is not None
    job = process.scheduler.get_job(REMIND_JOB)
    return (job.next_run_time + timedelta(seconds=process.options.time_shift_seconds)).astimezone(SHANGHAI)


@pytest.mark.parametrize(("stored", "now", "due"), [
    (None, "2026-12-01 11:00", True),  # never ran (a new installation)
    ("2026-12-01 09:00", "2026-12-01 11:00", True),  # down since before 09:00
    ("2026-11-28 09:00", "2026-12-01 22:30", True),  # down for days: one catch-up, held till 08:00 by remind()
    ("2026-12-02 09:00", "2026-12-01 11:00", False),  # today's run happened: tomorrow's is stored
    ("2026-11-30 09:00", "2026-12-01 08:30", False),  # yesterday's was missed: today's 09:00 run will do
    (None, "2026-12-01 00:30", False),
])
def test_catch_up_only_when_todays_run_is_overdue(stored: str | None, now: str, due: bool) -> None:
    """The catch-up rule, on the clock a coordinator reads."""
    assert catch_up_due(None if stored is None else shanghai(stored), shanghai(now), 9) is due


def test_started_after_nine_reminds_that_same_day_once(app: Any, settings_overrides: dict[str, object], db: Database,
                                                        round_: Round, sandbox: SandboxHandle) -> None:  # noqa: F811
    """Down at 09:00, started at 11:00: the 3-days-before reminder goes out now; started again: no second run."""
    settings: Settings = settings_of(app)
    with scheduler_at(settings, settings_overrides, shanghai("2026-12-01 11:00")) as process:
        assert wait_for(lambda: recipients(sandbox) == [COORDINATOR], 10)
        assert next_reminder_run(process) == shanghai("2026-12-02 09:00")
    add_coordinator(db, LATE_COORDINATOR, "综采一队")  # bound after the day's run: reminded tomorrow, not now
    with scheduler_at(settings, settings_overrides, shanghai("2026-12-01 11:30")) as process:
        assert wait_for(lambda: process.leading, 5)
        time.sleep(1.0)  # a catch-up would run at once, and the sender goes every 0.3 s
        assert next_reminder_run(process) == shanghai("2026-12-02 09:00")
    assert recipients(sandbox) == [COORDINATOR]
    assert list(outbox_keys(db)) == [f"submission_3d:{round_.id}:{COORDINATOR}:2026-12-01"]


def test_started_before_nine_waits_for_the_nine_oclock_run(app: Any, settings_overrides: dict[str, object],
                                                           db: Database, round_: Round,  # noqa: F811
                                                           sandbox: SandboxHandle) -> None:
    """Started at 08:59:57: nothing early; at 09:00 the reminder is queued and sent, once."""
    settings: Settings = settings_of(app)
    with scheduler_at(settings, settings_overrides, shanghai("2026-12-01 08:59:57")) as process:
        assert wait_for(lambda: process.leading, 2)
        assert next_reminder_run(process) == shanghai("2026-12-01 09:00") and outbox_keys(db) == {}
        assert wait_for(lambda: recipients(sandbox) == [COORDINATOR], 10)
        assert next_reminder_run(process) == shanghai("2026-12-02 09:00")
    ((key, queued),) = outbox_keys(db).items()
    assert key == f"submission_3d:{round_.id}:{COORDINATOR}:2026-12-01"
    assert shanghai("2026-12-01 09:00") <= queued < shanghai("2026-12-01 09:00:05")


def test_standby_taking_over_after_nine_runs_the_missed_reminders(app: Any, settings_overrides: dict[str, object],
                                                                   db: Database, round_: Round,  # noqa: F811
                                                                   sandbox: SandboxHandle) -> None:
    """The leader dies at 08:59:56 holding the lease; the standby takes over after 09:00 and reminds, once."""
    settings: Settings = settings_of(app)
    with scheduler_at(settings, settings_overrides, shanghai("2026-12-01 08:59:56"), release=False) as leader:
        assert wait_for(lambda: leader.leading, 2)
        shift = timedelta(seconds=leader.options.time_shift_seconds)
    expires = shanghai("2026-12-01 09:00:01") - shift - datetime.now(timezone.utc)  # its last renewal, in real time
    with db.transaction() as session:
        assert acquire_lease(session, LEASE_NAME, "s0", datetime.now(timezone.utc), expires.total_seconds())
    with scheduler_at(settings, settings_overrides, datetime.now(timezone.utc) + shift, holder="s1") as standby:
        time.sleep(0.5)
        assert not standby.leading and outbox_keys(db) == {}
        assert wait_for(lambda: recipients(sandbox) == [COORDINATOR], 10)
        assert datetime.now(timezone.utc) + shift > shanghai("2026-12-01 09:00")
        time.sleep(0.5)
    assert recipients(sandbox) == [COORDINATOR] and len(outbox_keys(db)) == 1


def test_catch_up_in_quiet_hours_waits_for_eight(app: Any, settings_overrides: dict[str, object], db: Database,
                                                 round_: Round, sandbox: SandboxHandle) -> None:  # noqa: F811
    """Started at 22:30 with no run that day: the reminder is queued for 08:00 and nothing goes out at night."""
    settings: Settings = settings_of(app)
    with scheduler_at(settings, settings_overrides, shanghai("2026-12-01 22:30")):
        assert wait_for(lambda: outbox_keys(db) != {}, 10)
        time.sleep(1.0)  # several sender rounds
    assert outbox_keys(db) == {f"submission_3d:{round_.id}:{COORDINATOR}:2026-12-01": shanghai("2026-12-02 08:00")}
    assert recipients(sandbox) == []
