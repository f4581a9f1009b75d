"""The outbox's policy per WeChat error (bot/send_policy.py), each answer injected by the sandbox."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.config import Settings
from bot.database import Database
from bot.send_policy import Verdict, verdict_for
from simulator.sandbox import SandboxHandle
from bot.sender import Sender
from models.outbox import OutboundMessage, enqueue
from tests.bot.test_sender import (add_followers, add_worker, control, daytime, queue_texts,  # noqa: F401
                                   sends, settings_overrides, statuses, tonight)
from tests.wechat_driver import WeChatDriver

SEND = "/cgi-bin/message/custom/send"


def row(db: Database, key: str) -> OutboundMessage:
    """One outbox row by key."""
    with db.sessions() as session:
        return session.scalars(select(OutboundMessage).where(OutboundMessage.key == key)).one()


def token_requests(sandbox: SandboxHandle) -> int:  # noqa: F811
    """How many access tokens were asked for."""
    return sandbox.state.stats()["paths"].get("/cgi-bin/token", 0)


@pytest.mark.parametrize("errcode,status", [(43101, "undeliverable"), (40003, "undeliverable"),
                                            (43004, "undeliverable"), (47001, "failed"), (45002, "failed"),
                                            (48001, "failed"), (40008, "failed")])
def test_final_errors_stop_after_one_attempt(settings: Settings, db: Database, sandbox: SandboxHandle,  # noqa: F811
                                             errcode: int, status: str) -> None:
    openid = add_followers(db, 1)[0]
    queue_texts(db, [openid])
    control(sandbox, "fail", count=5, errcode=errcode, path=SEND)
    Sender(settings, db).drain(settle=True, max_seconds=3)
    assert len(sends(sandbox, openid)) == 1
    message = row(db, f"t:{openid}")
    assert (message.status, message.attempts) == (status, 1) and message.last_error.startswith(str(errcode))


def test_a_transient_error_backs_off_with_jitter_and_then_delivers_once(settings: Settings, db: Database,  # noqa: F811
                                                                        sandbox: SandboxHandle) -> None:  # noqa: F811
    openid = add_followers(db, 1)[0]
    queue_texts(db, [openid])
    control(sandbox, "fail", count=1, errcode=-1, path=SEND)
    now = datetime.now(timezone.utc)
    Sender(settings, db, clock=lambda: now, jitter=lambda: 0.25).drain()
    message = row(db, f"t:{openid}")
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == now + timedelta(seconds=settings.outbox_retry_base_seconds * 0.625)
    Sender(settings, db).drain(settle=True, max_seconds=5)
    assert statuses(db) == {f"t:{openid}": "sent"}
    assert [c["response"]["errcode"] for c in sends(sandbox, openid)] == [-1, 0]


def test_jitter_spreads_the_backoff_between_half_and_all_of_it(settings: Settings, db: Database) -> None:  # noqa: F811
    low, high = (Sender(settings, db, client=object(), jitter=lambda j=j: j) for j in (0.0, 1.0))  # type: ignore[arg-type]
    base = settings.outbox_retry_base_seconds
    assert low.backoff(3) == timedelta(seconds=base * 8 / 2) and high.backoff(3) == timedelta(seconds=base * 8)
    assert high.backoff(40) == timedelta(hours=1) and high.pause(2) == timedelta(seconds=base * 4)


def test_a_persistent_token_error_refreshes_once_then_pauses_without_using_attempts(
        settings: Settings, db: Database, sandbox: SandboxHandle) -> None:  # noqa: F811
    """40001 on every send: one refresh, two sends, then the whole batch waits; nothing is failed."""
    openids = add_followers(db, 5)
    queue_texts(db, openids)
    control(sandbox, "fail", count=1000, errcode=40001, path=SEND)
    now = datetime.now(timezone.utc)
    report = Sender(settings, db, clock=lambda: now).drain()
    assert report.stopped_by and token_requests(sandbox) == 2  # the first token and one refresh
    assert len(sends(sandbox)) == 2
    rows = [row(db, f"t:{o}") for o in openids]
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}
    assert [r.pauses for r in rows].count(1) == 1 and min(r.next_attempt_at for r in rows) > now
    assert Sender(settings, db, clock=lambda: now).drain().settled == 0  # paused: a drain meanwhile sends nothing
    control(sandbox, "reset")  # WeChat is well again: after the pause everything goes, once
    Sender(settings, db).drain(settle=True, max_seconds=10)
    assert sorted(c["openid"] for c in sends(sandbox) if c["response"].get("errcode") == 0) == openids


@pytest.mark.parametrize("errcode", [45015, 45047])
def test_a_status_notice_refused_for_the_window_waits_for_the_worker_to_write(
        settings: Settings, db: Database, sandbox: SandboxHandle, wechat: WeChatDriver,  # noqa: F811
        errcode: int) -> None:
    """No template configured for it: held; the worker's next message makes it go, as a text, once."""
    openid = add_worker(db, wechat.follower.openid, datetime.now(timezone.utc) - timedelta(minutes=5))
    with db.transaction() as session:
        enqueue(session, "status:7", openid, "notice", {"template": "not_configured", "text": "您的项目已通过初审"})
    control(sandbox, "fail", count=1, errcode=errcode, path=SEND)
    assert Sender(settings, db).drain(settle=True, max_seconds=2).held == 1
    held = row(db, "status:7")
    assert held.status == "held" and held.attempts == 1
    assert Sender(settings, db).drain().settled == 0  # still held: he has not written since
    wechat.send_text("查询")
    Sender(settings, db).drain()
    assert [c["response"]["errcode"] for c in sends(sandbox, openid)] == [errcode, 0]
    assert row(db, "status:7").status == "sent"


def test_a_status_notice_refused_at_night_goes_as_a_template_at_eight(
        settings: Settings, db: Database, sandbox: SandboxHandle) -> None:  # noqa: F811
    """23:00, he wrote 3 minutes ago, yet WeChat says the window is closed: the template goes at 08:00."""
    night = tonight() + timedelta(hours=1)
    openid = add_worker(db, "o_night_shift", night - timedelta(minutes=3))
    with db.transaction() as session:
        enqueue(session, "status:8", openid, "notice", {"template": "status_change", "text": "已通过",
                                                        "data": {"title": "t"}}, night)
    control(sandbox, "fail", count=1, errcode=45015, path=SEND)
    Sender(settings, db, clock=lambda: night).drain()
    waiting = row(db, "status:8")
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    morning = waiting.next_attempt_at
    assert morning == night + timedelta(hours=9)
    Sender(settings, db, clock=lambda: morning).drain()
    assert [c["path"] for c in sends(sandbox, openid)] == [SEND, "/cgi-bin/message/template/send"]
    assert row(db, "status:8").status == "sent"


def test_a_reminder_refused_for_the_window_is_not_kept(settings: Settings, db: Database,  # noqa: F811
                                                       sandbox: SandboxHandle) -> None:  # noqa: F811
    openid = add_followers(db, 1)[0]
    with db.transaction() as session:
        enqueue(session, f"submission_3d:1:{openid}:x", openid, "notice", {"text": "申报截止还有3天"})
    control(sandbox, "fail", count=1, errcode=45015, path=SEND)
    Sender(settings, db, clock=daytime).drain(settle=True, max_seconds=2)
    assert statuses(db) == {f"submission_3d:1:{openid}:x": "undeliverable"}


def test_an_answer_after_the_timeout_is_unknown_not_sent_and_never_resent_by_itself(
        settings_overrides: dict[str, object], settings: Settings, db: Database,  # noqa: F811
        sandbox: SandboxHandle) -> None:  # noqa: F811
    """WeChat took the message and answered after the client gave up: one delivery, status unknown."""
    openids = add_followers(db, 3)
    queue_texts(db, openids)
    control(sandbox, "stall", count=1, seconds=1.0, after=True, path=SEND)
    report = Sender(settings, db).drain()
    assert report.unknown == 1 and report.stopped_by  # the API hangs: the rest wait
    first = next(o for o in openids if row(db, f"t:{o}").status == "unknown")
    Sender(settings, db).drain(settle=True, max_seconds=5)
    assert len(sends(sandbox, first)) == 1  # arrived once; not resent
    assert row(db, f"t:{first}").status == "unknown"
    assert {row(db, f"t:{o}").status for o in openids if o != first} == {"sent"}
    output = outbox_cli(settings_overrides, "outbox", "--status", "unknown")
    assert "unknown: 1" in output and "held: 0" in output and f"t:{first}" in output
    requeued = outbox_cli(settings_overrides, "outbox", "--requeue", str(row(db, f"t:{first}").id))
    assert "queued again" in requeued
    Sender(settings, db).drain()
    assert len(sends(sandbox, first)) == 2 and row(db, f"t:{first}").status == "sent"


def test_a_refused_connection_never_left_and_is_retried(settings_overrides: dict[str, object],  # noqa: F811
                                                        db: Database) -> None:
    from bot.config import load_settings
    closed = load_settings({**settings_overrides, "WECHAT_API_BASE": "http://127.0.0.1:9"})
    openid = add_followers(db, 1)[0]
    queue_texts(db, [openid])
    Sender(closed, db).drain()
    message = row(db, f"t:{openid}")
    assert (message.status, message.attempts) == ("pending", 1) and "ConnectionError" in message.last_error


def outbox_cli(overrides: dict[str, object], *args: str) -> str:
    """Run `python -m bot …` with the test configuration; return its output."""
    from bot.cli import main
    env = {k: str(v) for k, v in overrides.items()}
    result = CliRunner().invoke(main, ["--log-level", "WARNING", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_errcode_has_one_verdict() -> None:
    assert verdict_for(0) is Verdict.sent and verdict_for(42001) is Verdict.token
    assert verdict_for(45011) is Verdict.pause and verdict_for(45047) is Verdict.window
    assert verdict_for(99999) is Verdict.retry and verdict_for(None) is Verdict.retry


def _unused(_: Any) -> None:
    """Keep imported fixtures referenced."""
