"""The outbox sender against the WeChat sandbox: once, not lost, at the configured rate."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from bot.database import Database
from simulator.sandbox import SandboxHandle
from bot.sender import NothingSent, Sender
from handlers import Context, Incoming, Kind, dispatch
from models.outbox import OutboundMessage, enqueue
from models.token import reserve_slots
from models.clock import SHANGHAI
from models.sending import quiet_until, record_template_finished
from models.worker import Worker

TEMPLATES = '{"status_change": {"id": "tpl-status", "fields": {"first": "title", "keyword1": "project"}}}'


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, object], sandbox: SandboxHandle) -> dict[str, object]:
    """The test configuration pointed at the sandbox, fast retries, a template for status notices."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url, "OUTBOX_RATE_PER_SECOND": "20",
            "OUTBOX_RETRY_BASE_SECONDS": "0.2", "WECHAT_HTTP_TIMEOUT": "0.5", "WECHAT_TEMPLATES": TEMPLATES}


def control(sandbox: SandboxHandle, name: str, **body: Any) -> None:
    """Steer the sandbox through its control API."""
    requests.post(f"{sandbox.url}/_sandbox/{name}", json=body, timeout=5).raise_for_status()


def sends(sandbox: SandboxHandle, openid: str | None = None) -> list[dict[str, Any]]:
    """Message sends the sandbox answered (text and template), optionally to one follower."""
    params: dict[str, str] = {"path": "/cgi-bin/message/"}
    if openid:
        params["openid"] = openid
    return requests.get(f"{sandbox.url}/_sandbox/calls", params=params, timeout=5).json()["calls"]


def add_followers(db: Database, count: int, wrote_ago: timedelta = timedelta(hours=1)) -> list[str]:
    """Create followers who last wrote `wrote_ago`; return their openids."""
    openids = [f"o_follower_{i:04d}" for i in range(count)]
    with db.transaction() as session:
        now = datetime.now(timezone.utc)
        session.add_all(Worker(openid=o, last_message_at=now - wrote_ago) for o in openids)
    return openids


def queue_texts(db: Database, openids: list[str], prefix: str = "t") -> None:
    """Queue one customer-service text per follower."""
    with db.transaction() as session:
        for openid in openids:
            enqueue(session, f"{prefix}:{openid}", openid, "text", {"text": f"您好 {openid}"})


def statuses(db: Database) -> dict[str, str]:
    """The outbox status by key."""
    with db.sessions() as session:
        return {m.key: m.status for m in session.scalars(select(OutboundMessage))}


def daytime() -> datetime:
    """The current time, moved forward to 08:30 Asia/Shanghai when it falls in quiet hours."""
    now = datetime.now(timezone.utc)
    wake = quiet_until(now)
    return now if wake is None else wake + timedelta(minutes=30) + (now - now.replace(second=0, microsecond=0))


def tonight() -> datetime:
    """The next 22:00 Asia/Shanghai after now (queued rows are due by then; a fixed date would age)."""
    now = datetime.now(SHANGHAI)
    night = now.replace(hour=22, minute=0, second=0, microsecond=0)
    return (night if night > now else night + timedelta(days=1)).astimezone(timezone.utc)


def test_text_is_delivered_once_even_when_drained_twice(settings: Settings, db: Database,
                                                        sandbox: SandboxHandle) -> None:
    """A follower who wrote an hour ago gets the text exactly once."""
    openid = add_followers(db, 1)[0]
    queue_texts(db, [openid])
    queue_texts(db, [openid])  # the same key again: nothing new
    Sender(settings, db).drain()
    Sender(settings, db).drain()
    received = sends(sandbox, openid)
    assert [c["body"]["text"]["content"] for c in received] == [f"您好 {openid}"]
    assert statuses(db) == {f"t:{openid}": "sent"}


def test_notice_goes_as_template_and_records_the_delivery_report(settings: Settings, db: Database,
                                                                 sandbox: SandboxHandle) -> None:
    """A configured template is used with the mapped fields; TEMPLATESENDJOBFINISH marks it delivered."""
    openid = add_followers(db, 1, wrote_ago=timedelta(days=10))[0]
    with db.transaction() as session:
        enqueue(session, "status:1", openid, "notice", {"template": "status_change", "text": "项目已通过",
                                                        "data": {"title": "项目已通过", "project": "皮带机防跑偏"}})
    Sender(settings, db, clock=daytime).drain()
    (call,) = sends(sandbox, openid)
    assert call["body"]["template_id"] == "tpl-status"
    assert call["body"]["data"] == {"first": {"value": "项目已通过"}, "keyword1": {"value": "皮带机防跑偏"}}
    with db.transaction() as session:
        assert record_template_finished(session, str(call["response"]["msgid"]), "success") is not None
    assert statuses(db) == {"status:1": "delivered"}


def test_without_template_or_recent_message_nothing_is_sent(settings: Settings, db: Database,
                                                            sandbox: SandboxHandle) -> None:
    """No template and no message within 48 hours: marked undeliverable, WeChat is not called."""
    openid = add_followers(db, 1, wrote_ago=timedelta(hours=49))[0]
    with db.transaction() as session:
        enqueue(session, "n:1", openid, "notice", {"template": "unknown", "text": "提醒", "data": {}})
    Sender(settings, db, clock=daytime).drain()
    assert sends(sandbox) == []
    assert statuses(db) == {"n:1": "undeliverable"}


def test_invalid_token_is_refreshed_once_and_the_message_delivered_once(settings: Settings, db: Database,
                                                                        sandbox: SandboxHandle) -> None:
    """40001 on the first send: one token refresh, then the text arrives once."""
    openids = add_followers(db, 3)
    queue_texts(db, openids)
    control(sandbox, "fail", count=1, errcode=40001, path="/cgi-bin/message/custom/send")
    Sender(settings, db).drain(settle=True, max_seconds=10)
    ok = [c for c in sends(sandbox) if c["response"].get("errcode") == 0]
    assert sorted(c["openid"] for c in ok) == openids
    assert sandbox.state.stats()["paths"]["/cgi-bin/token"] == 2  # first fetch + one refresh
    assert set(statuses(db).values()) == {"sent"}


def test_unsubscribed_follower_is_marked_and_not_retried(settings: Settings, db: Database,
                                                         sandbox: SandboxHandle) -> None:
    """43004: one attempt, the row is undeliverable and the worker is marked as gone."""
    openid = add_followers(db, 1)[0]
    control(sandbox, "unsubscribe", openid=openid)
    queue_texts(db, [openid])
    Sender(settings, db).drain(settle=True, max_seconds=3)
    assert len(sends(sandbox, openid)) == 1
    assert statuses(db) == {f"t:{openid}": "undeliverable"}
    with db.sessions() as session:
        assert session.scalars(select(Worker.subscribed).where(Worker.openid == openid)).one() is False


def test_api_down_then_back_delivers_everything_once(settings: Settings, db: Database,
                                                     sandbox: SandboxHandle) -> None:
    """The API answers 503 for two seconds; afterwards every message arrives exactly once."""
    openids = add_followers(db, 8)
    queue_texts(db, openids)
    control(sandbox, "down", seconds=2)
    report = Sender(settings, db).drain(settle=True, max_seconds=20)
    ok = [c["openid"] for c in sends(sandbox) if c["status"] == 200 and c["response"].get("errcode") == 0]
    assert sorted(ok) == openids
    assert set(statuses(db).values()) == {"sent"} and report.sent == 8


def test_a_quota_error_pauses_and_everything_is_delivered_once(settings: Settings, db: Database,
                                                                sandbox: SandboxHandle) -> None:
    """A 45009 pauses the batch without using an attempt; afterwards every message arrives once."""
    openids = add_followers(db, 4)
    queue_texts(db, openids)
    control(sandbox, "fail", count=1, errcode=45009, path="/cgi-bin/message/custom/send")
    Sender(settings, db).drain(settle=True, max_seconds=15)
    assert set(statuses(db).values()) == {"sent"}
    delivered = [c["openid"] for c in sends(sandbox) if c["response"].get("errcode") == 0]
    assert sorted(delivered) == openids


def test_quiet_hours_hold_notices_until_eight(settings: Settings, db: Database, sandbox: SandboxHandle) -> None:
    """At 22:00 Asia/Shanghai a notice waits until 08:00; a reply text to the worker goes at once."""
    openid = add_followers(db, 1)[0]
    with db.transaction() as session:
        enqueue(session, "status:9", openid, "notice", {"template": "status_change", "data": {}, "text": "x"})
    queue_texts(db, [openid])
    night = tonight()
    Sender(settings, db, clock=lambda: night).drain()
    assert [c["path"] for c in sends(sandbox, openid)] == ["/cgi-bin/message/custom/send"]
    with db.sessions() as session:
        notice = session.scalars(select(OutboundMessage).where(OutboundMessage.key == "status:9")).one()
    assert notice.status == "pending"
    assert notice.next_attempt_at == night + timedelta(hours=10)  # 08:00 the next morning


def test_two_senders_share_the_rate_and_send_each_message_once(settings: Settings, db: Database,
                                                               sandbox: SandboxHandle) -> None:
    """Two senders (separate connections, as two processes) drain 60 messages: once each, ≤ 20/s."""
    openids = add_followers(db, 60)
    queue_texts(db, openids)
    databases = [Database(settings.database_url) for _ in range(2)]
    threads = [threading.Thread(target=Sender(settings, d).drain, kwargs={"settle": True, "max_seconds": 20})
               for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for d in databases:
        d.dispose()
    assert sorted(c["openid"] for c in sends(sandbox)) == openids
    assert 0 < sandbox.state.stats()["max_sends_per_second"] <= 20


def add_worker(db: Database, openid: str, wrote_at: datetime, role: str = "worker") -> str:
    """A worker (or coordinator) who last wrote at `wrote_at`."""
    with db.transaction() as session:
        session.add(Worker(openid=openid, role=role, last_message_at=wrote_at))
    return openid


def test_at_night_a_status_notice_reaches_a_worker_who_is_chatting_at_once(settings: Settings, db: Database,
                                                                           sandbox: SandboxHandle) -> None:
    """23:00: the miner wrote 3 minutes ago, his project is approved: he reads it now, in the chat."""
    night = tonight() + timedelta(hours=1)
    openid = add_worker(db, "o_night_shift", night - timedelta(minutes=3))
    with db.transaction() as session:
        enqueue(session, "status:41", openid, "notice", {"template": "status_change", "text": "您的项目已通过初审",
                                                         "data": {"title": "项目已通过"}}, night)
    report = Sender(settings, db, clock=lambda: night).drain()
    (call,) = sends(sandbox, openid)
    assert call["path"] == "/cgi-bin/message/custom/send" and call["body"]["text"]["content"] == "您的项目已通过初审"
    assert report.sent == 1 and statuses(db) == {"status:41": "sent"}


def test_at_night_quiet_hours_hold_the_rest_until_eight(settings: Settings, db: Database,
                                                        sandbox: SandboxHandle) -> None:
    """23:00: a worker who wrote 30 minutes ago, and a coordinator chatting now, both wait for 08:00."""
    night = tonight() + timedelta(hours=1)
    worker = add_worker(db, "o_asleep", night - timedelta(minutes=30))
    coordinator = add_worker(db, "o_coordinator_awake", night - timedelta(minutes=1), role="coordinator")
    with db.transaction() as session:
        enqueue(session, "status:42", worker, "notice", {"template": "status_change", "text": "已通过", "data": {}},
                night)
        enqueue(session, f"submission_3d:1:{coordinator}:2026-12-01", coordinator, "notice",
                {"template": "deadline_reminder", "text": "申报截止还有3天", "data": {}}, night)
    report = Sender(settings, db, clock=lambda: night).drain()
    assert sends(sandbox) == [] and report.deferred == 2
    morning = night + timedelta(hours=9)
    with db.sessions() as session:
        assert set(session.scalars(select(OutboundMessage.next_attempt_at))) == {morning}
    Sender(settings, db, clock=lambda: morning).drain()
    assert sorted(c["openid"] for c in sends(sandbox)) == sorted([worker, coordinator])


def test_send_outbox_at_rehearses_the_morning_and_leaves_tonight_unblocked(
        settings_overrides: dict[str, object], db: Database, sandbox: SandboxHandle) -> None:
    """`send-outbox` says when held pushes go; `--at` that time sends them; a real-time run after it does not wait."""
    from click.testing import CliRunner

    from bot.cli import main
    from bot.ops_cli import local

    group = main
    env = {k: str(v) for k, v in settings_overrides.items()}
    morning = tonight() + timedelta(hours=10)
    coordinator = add_worker(db, "o_coordinator_mine1", datetime.now(timezone.utc) - timedelta(hours=1), "coordinator")
    with db.transaction() as session:
        enqueue(session, f"submission_3d:1:{coordinator}:x", coordinator, "notice", {"text": "申报截止还有3天"}, morning)
    waiting = CliRunner().invoke(group, ["send-outbox"], env=env)
    assert "sent 0" in waiting.output
    assert f'1 still waiting, the next at {local(morning)} (`python -m bot send-outbox --at "{local(morning)}"`' \
        in waiting.output
    rehearsed = CliRunner().invoke(group, ["send-outbox", "--at", local(morning)], env=env)
    assert "sent 1" in rehearsed.output and [c["openid"] for c in sends(sandbox)] == [coordinator]
    queue_texts(db, add_followers(db, 3))
    started = time.monotonic()
    assert "sent 3" in CliRunner().invoke(group, ["send-outbox"], env=env).output
    assert time.monotonic() - started < 5  # rate slots follow the real clock, not the rehearsal's


def test_a_rate_slot_far_ahead_comes_from_a_wrong_clock_and_is_ignored(db: Database) -> None:
    """A free time an hour ahead (another host's clock) does not make this sender wait an hour."""
    now = datetime.now(timezone.utc)
    step = timedelta(milliseconds=50)
    with db.transaction() as session:
        reserve_slots(session, "test", 1, step, now + timedelta(hours=1))
        assert reserve_slots(session, "test", 2, step, now) == [now, now + step]
        assert reserve_slots(session, "test", 1, step, now) == [now + 2 * step]  # a real queue is kept


def test_a_notice_held_overnight_goes_when_the_worker_writes_again_that_night(
        settings: Settings, db: Database, sandbox: SandboxHandle) -> None:
    """22:00: approved while he sleeps, held for 08:00. 01:00: he writes on his night shift and hears it then."""
    night = tonight()
    openid = add_worker(db, "o_back_at_night", night - timedelta(hours=2))
    with db.transaction() as session:
        enqueue(session, "status:43", openid, "notice", {"template": "status_change", "text": "您的项目已通过初审",
                                                         "data": {}}, night)
    assert Sender(settings, db, clock=lambda: night).drain().deferred == 1
    later = night + timedelta(hours=3)
    with db.transaction() as session:
        dispatch(session, Incoming(openid=openid, kind=Kind.text, text="你好", created_at=later), Context(now=later))
    report = Sender(settings, db, clock=lambda: later + timedelta(seconds=15)).drain()
    (call,) = sends(sandbox, openid)
    assert call["path"] == "/cgi-bin/message/custom/send" and call["body"]["text"]["content"] == "您的项目已通过初审"
    assert report.sent == 1 and statuses(db) == {"status:43": "sent"}


@pytest.mark.parametrize("failing_read", [0, 1], ids=["before the send", "inside the call"])
def test_a_database_fault_before_a_send_hands_the_batch_back_for_the_next_drain(
        settings: Settings, db: Database, sandbox: SandboxHandle, failing_read: int) -> None:
    """A token read fails (the database is locked for a moment): nothing is lost or waits for the claim to lapse;
    the next drain sends every message, once."""
    openids = add_followers(db, 3)
    queue_texts(db, openids)
    sender = Sender(settings, db)
    assert sender.client is not None
    storage = sender.client.storage
    real_get = storage.get
    faults = iter([None] * failing_read + [OperationalError("SELECT token", {}, Exception("database is locked"))])

    def get_failing_once(key: str) -> str | None:
        fault = next(faults, None)
        if fault is not None:
            raise fault
        return real_get(key)

    storage.get = get_failing_once  # type: ignore[method-assign]
    with pytest.raises(NothingSent):
        sender.drain()
    assert sends(sandbox) == []
    sender.drain()
    assert sorted(c["body"]["touser"] for c in sends(sandbox)) == openids
    assert set(statuses(db).values()) == {"sent"}
