"""The scheduler process (`python -m bot scheduler`): reminders at 09:00, outbox and photos all day.

A scheduler that starts, or takes the lease over, after 09:00 on a day whose 09:00 run never
happened evaluates the reminders at once, so coordinators still hear that day (in quiet hours the
reminders wait for 08:00 as always). APScheduler alone would not: each new leader re-adds its
jobs, which plans the next run from now, and a missed run is dropped after an hour's grace anyway.
The job store's next run time tells whether the day's run happened; were the rules run twice,
the outbox keys (one per rule, round, recipient and day) would still queue nothing twice.

It is the only background process in production, so it also downloads the photos workers send
(the same job the demo's BackgroundWork runs).

APScheduler runs with its SQLAlchemy job store on the project's database, in its own process,
never inside web workers. Only the daily reminder job lives in that store (its next run time is
how a new leader knows whether the day's run happened); the frequent jobs (outbox, photos, the
status sweep) run from memory with the process's own database handle, so the process keeps one
engine. The stored job is found by name, so it reaches the same engine through `job_database`.
Several may be started: one holds a lease (in the database, or in
Redis when configured) and runs the jobs; the others stand by and take over once the lease
expires, well within a minute of the first one dying.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.background import fetch_photos
from bot.config import Settings, load_settings
from bot.database import Database
from bot.sender import Sender, sender_name
from bot.wechat_api import make_wechat_client
from models.clock import SHANGHAI, utcnow
from models.lease import acquire_lease, next_run_time, release_lease
from models.reminders import ReminderRules, remind

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
#: The daily reminder job's id in the job store.
REMIND_JOB = "remind"


@dataclass(frozen=True)
class SchedulerOptions:
    """When the jobs run; tests and the demo may run reminders on an interval and shift the clock."""

    remind_hour: int = 9
    status_sweep_minutes: float = 10.0
    send_interval_seconds: float = 15.0
    fetch_interval_seconds: float = 5.0
    remind_interval_seconds: float | None = None
    time_shift_seconds: float = 0.0


def rules_from(settings: Settings, only_status: bool = False) -> ReminderRules:
    """The reminder rules configured in settings (only the status-change safety net, if asked)."""
    if only_status:
        return ReminderRules(submission_days=(), review_days=(), draft_days=(), digest=False)
    return ReminderRules(submission_days=settings.reminder_submission_days,
                         review_days=settings.reminder_review_days, draft_days=settings.reminder_draft_days)


#: The scheduler process's database handles by URL. The daily job is looked up by name from the
#: job store and cannot be handed the process's objects, so `SchedulerProcess` leaves its handle
#: here and the job reuses it: one engine per process, not one per run. Nothing else keeps state here.
_PROCESS_DATABASES: dict[str, Database] = {}


def job_database(url: str) -> Database:
    """The process's database handle for a URL (made once, on a first run without a SchedulerProcess)."""
    if url not in _PROCESS_DATABASES:
        _PROCESS_DATABASES[url] = Database(url)
    return _PROCESS_DATABASES[url]


def run_reminders(settings: Settings, db: Database, shift: float, only_status: bool = False) -> int:
    """Evaluate the reminder rules now and queue what is due; return how many were new."""
    with db.transaction() as session:
        planned = remind(session, utcnow() + timedelta(seconds=shift), rules_from(settings, only_status))
    new = sum(p.new for p in planned)
    logger.info("reminders: %d due, %d new", len(planned), new)
    return new


def remind_job(config: Mapping[str, object] | None, shift: float, only_status: bool = False) -> int:
    """The daily reminder run, as the job store names it: the rules as of now, on the process's database."""
    settings = load_settings(config)
    return run_reminders(settings, job_database(settings.database_url), shift, only_status)


@dataclass
class Jobs:
    """The frequent jobs of one scheduler process, sharing its database handle, sender and API client."""

    settings: Settings
    db: Database
    shift: float

    def __post_init__(self) -> None:
        """Build the sender and the API client once."""
        self.sender = Sender(self.settings, self.db, clock=lambda: utcnow() + timedelta(seconds=self.shift))
        self.client = make_wechat_client(self.settings, self.db)

    def status_sweep(self) -> int:
        """Queue the notices of recent status changes that were not queued (the safety net)."""
        return run_reminders(self.settings, self.db, self.shift, only_status=True)

    def send(self, max_seconds: float) -> int:
        """Drain the outbox for a while; return how many messages were sent."""
        return self.sender.drain(max_seconds=max_seconds).sent

    def fetch(self) -> int:
        """Download the photos workers sent; return how many were stored."""
        return fetch_photos(self.settings, self.db, self.client)


def shifted_zone(shift: float) -> tzinfo:
    """Shanghai's clock as the jobs see it `shift` seconds ahead, so a daily trigger fires at their 09:00."""
    if not shift:
        return SHANGHAI
    offset = utcnow().astimezone(SHANGHAI).utcoffset()  # +08:00 all year: China keeps no summer time
    assert offset is not None
    return timezone(timedelta(seconds=(offset.total_seconds() + shift) % 86400))


def catch_up_due(next_run: datetime | None, now: datetime, hour: int) -> bool:
    """Whether a scheduler starting at `now` must evaluate the reminders at once.

    Only once today's `hour` o'clock has come, and only when the stored run (`next_run`) is
    overdue or missing: had the run happened, the job store would already show tomorrow's.
    A run missed yesterday is not caught up before today's own run.
    """
    local = now.astimezone(SHANGHAI)
    return local.time() >= time(hour) and (next_run is None or next_run <= now)


def build_scheduler(db: Database, options: SchedulerOptions, config: Mapping[str, object] | None,
                    catch_up: bool = False) -> BackgroundScheduler:
    """An APScheduler with the project's jobs in the database job store (not started).

    With `catch_up` the daily reminder job runs once at start, then at its hour again.
    """
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=db.engine),
                                               "process": MemoryJobStore()},
                                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
                                    timezone=SHANGHAI)
    plain = dict(config) if config is not None else None
    shift = options.time_shift_seconds
    jobs = Jobs(load_settings(config), db, shift)
    remind_trigger: Any = (IntervalTrigger(seconds=options.remind_interval_seconds)
                           if options.remind_interval_seconds else CronTrigger(hour=options.remind_hour, minute=0,
                                                                                timezone=shifted_zone(shift)))
    first_run = {"next_run_time": utcnow()} if catch_up else {}
    scheduler.add_job("bot.scheduler:remind_job", remind_trigger, id=REMIND_JOB, replace_existing=True,
                      kwargs={"config": plain, "shift": shift}, **first_run)
    scheduler.add_job(jobs.status_sweep, IntervalTrigger(minutes=options.status_sweep_minutes), id="status_sweep",
                      jobstore="process")
    scheduler.add_job(jobs.send, IntervalTrigger(seconds=options.send_interval_seconds), id="send_outbox",
                      jobstore="process", kwargs={"max_seconds": options.send_interval_seconds * 4})
    scheduler.add_job(jobs.fetch, IntervalTrigger(seconds=options.fetch_interval_seconds), id="fetch_photos",
                      jobstore="process")
    return scheduler


class RedisLease:
    """The lease in Redis: SET NX with an expiry, renewed only by its holder."""

    RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
             "else return 0 end")

    def __init__(self, url: str, name: str) -> None:
        """Connect to Redis."""
        import redis

        self.redis = redis.Redis.from_url(url)
        self.key = f"wuxiao:lease:{name}"

    def acquire(self, holder: str, seconds: float) -> bool:
        """Take the free lease or renew our own."""
        ms = int(seconds * 1000)
        return bool(self.redis.set(self.key, holder, nx=True, px=ms) or self.redis.eval(self.RENEW, 1, self.key,
                                                                                      holder, ms))

    def release(self, holder: str) -> None:
        """Give our lease up."""
        self.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
                        "else return 0 end", 1, self.key, holder)


@dataclass
class SchedulerProcess:
    """One scheduler process: runs the jobs while it holds the lease, stands by otherwise."""

    settings: Settings
    db: Database
    options: SchedulerOptions = field(default_factory=SchedulerOptions)
    config: Mapping[str, object] | None = None
    holder: str = field(default_factory=sender_name)
    scheduler: BackgroundScheduler | None = None

    def __post_init__(self) -> None:
        """Choose the lease store (Redis when configured, else the database); the stored job shares our handle."""
        _PROCESS_DATABASES[self.db.url] = self.db
        self.redis_lease = RedisLease(self.settings.redis_url, LEASE_NAME) if self.settings.redis_url else None

    def try_lease(self, now: datetime) -> bool:
        """Take or renew the lease; False when another process holds it (or the store is unreachable)."""
        seconds = self.settings.scheduler_lease_seconds
        try:
            if self.redis_lease is not None:
                return self.redis_lease.acquire(self.holder, seconds)
            with self.db.transaction() as session:
                return acquire_lease(session, LEASE_NAME, self.holder, now, seconds)
        except Exception:  # noqa: BLE001 - a database or Redis outage means: do not run jobs
            logger.exception("could not renew the scheduler lease")
            return False

    @property
    def leading(self) -> bool:
        """Whether this process is running the jobs."""
        return self.scheduler is not None

    def step(self) -> None:
        """Renew or take the lease, and start or stop the jobs to match."""
        held = self.try_lease(utcnow())
        if held and self.scheduler is None:
            logger.info("scheduler %s holds the lease: running jobs", self.holder)
            catch_up = self.reminders_missed()
            if catch_up:
                logger.warning("today's %02d:00 reminders did not run: evaluating them now", self.options.remind_hour)
            self.scheduler = build_scheduler(self.db, self.options, self.config, catch_up)
            self.scheduler.start()
        elif not held and self.scheduler is not None:
            logger.warning("scheduler %s lost the lease: standing by", self.holder)
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    def reminders_missed(self) -> bool:
        """Whether today's daily reminder run is overdue (read before the new scheduler replaces the job)."""
        if self.options.remind_interval_seconds:
            return False
        shift = timedelta(seconds=self.options.time_shift_seconds)
        with self.db.sessions() as session:
            stored = next_run_time(session, REMIND_JOB)
        return catch_up_due(None if stored is None else stored + shift, utcnow() + shift, self.options.remind_hour)

    def run(self, stop: threading.Event, release: bool = True) -> None:
        """Run until `stop` is set; renew the lease three times per lease period."""
        try:
            while not stop.is_set():
                self.step()
                stop.wait(self.settings.scheduler_lease_seconds / 3)
        finally:
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=True)
                self.scheduler = None
            if release:
                self.release()
            if _PROCESS_DATABASES.get(self.db.url) is self.db:
                del _PROCESS_DATABASES[self.db.url]

    def release(self) -> None:
        """Give the lease up so a standby takes over at once."""
        if self.redis_lease is not None:
            self.redis_lease.release(self.holder)
            return
        with self.db.transaction() as session:
            release_lease(session, LEASE_NAME, self.holder)
