"""Reminder rules: the right people, the right numbers, once, never at night, on working days."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.database import Database
from simulator.sandbox import SandboxHandle
from bot.sender import Sender
from models.reminders import remind
from models.outbox import OutboundMessage, enqueue
from models.project import Project, ProjectEvent
from models.reminders import due_reminders, planned_day
from models.round import Round
from models.rounds import move_deadline
from models.clock import SHANGHAI
from models.seed import seed_demo
from models.worker import Worker
from tests.models.test_targets import add_projects, unit

#: Submission deadline Friday 2026-12-04 17:00 Shanghai; 3 days before is Tuesday 12-01.
DEADLINE = datetime(2026, 12, 4, 17, 0, tzinfo=SHANGHAI)
COORDINATOR = "o_coordinator_mine1"


def shanghai(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, object], sandbox: SandboxHandle) -> dict[str, object]:
    """The test configuration pointed at the sandbox."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url, "OUTBOX_RATE_PER_SECOND": "50"}


@pytest.fixture
def round_(db: Database) -> Round:
    """The demo tree with projects, a coordinator of 一矿 who chatted recently, and the deadline above."""
    with db.transaction() as session:
        round_ = seed_demo(session, shanghai("2026-11-24 09:00"))
        move_deadline(session, round_.id, "submission", DEADLINE)
        add_projects(session, round_, unit(session, "甲班"), "submitted", "submitted", "unit_approved")
        add_projects(session, round_, unit(session, "综采二队"), "awarded")
        session.add(Worker(openid=COORDINATOR, role="coordinator", unit_id=unit(session, "一矿").id,
                           last_message_at=shanghai("2026-11-30 20:00")))
    return round_


def deliver(settings: Settings, db: Database, at: datetime) -> None:
    """Run the sender as if it were `at`."""
    Sender(settings, db, clock=lambda: at).drain()


def received(sandbox: SandboxHandle, openid: str) -> list[str]:
    """Texts the follower received."""
    calls = requests.get(f"{sandbox.url}/_sandbox/calls", params={"openid": openid}, timeout=5).json()["calls"]
    return [c["body"]["text"]["content"] for c in calls if c["path"].endswith("/custom/send")]


def test_coordinator_gets_one_reminder_with_the_right_numbers(settings: Settings, db: Database, round_: Round,
                                                             sandbox: SandboxHandle) -> None:
    """Three days before: one message with 4 of 36, the lagging teams and 2 waiting; again: nothing new."""
    at = shanghai("2026-12-01 09:00")
    for _ in range(2):
        with db.transaction() as session:
            remind(session, at)
        deliver(settings, db, at)
    (text,) = received(sandbox, COORDINATOR)
    assert "还有3天" in text and "已申报4项，目标36" in text and "待初审2项" in text
    assert "综采一队：3/8" in text and "综采二队：1/6" in text and "掘进一队：0/6" in text


def test_moving_the_deadline_replans_the_reminders(db: Database, round_: Round) -> None:
    """Deadline moved a week later: nothing on 12-01; the 7-day reminder comes on 12-04 instead."""
    with db.transaction() as session:
        move_deadline(session, round_.id, "submission", DEADLINE + timedelta(days=7))
        assert [r.rule for r in due_reminders(session, shanghai("2026-12-01 09:00"))] == []
        due = due_reminders(session, shanghai("2026-12-04 09:00"))
    assert [(r.rule, r.recipient, r.date) for r in due] == [("submission_7d", COORDINATOR, date(2026, 12, 4))]


def test_quiet_hours_hold_a_reminder_until_eight(settings: Settings, db: Database, round_: Round,
                                                 sandbox: SandboxHandle) -> None:
    """Evaluated at 22:30: queued for 08:00; nothing at night, delivered in the morning."""
    with db.transaction() as session:
        (push,) = remind(session, shanghai("2026-12-01 22:30"))
    assert push.not_before == shanghai("2026-12-02 08:00")
    deliver(settings, db, shanghai("2026-12-01 23:59"))
    assert received(sandbox, COORDINATOR) == []
    deliver(settings, db, shanghai("2026-12-02 08:00"))
    assert len(received(sandbox, COORDINATOR)) == 1


def test_late_catch_up_and_the_next_mornings_run_remind_once(settings: Settings, db: Database, round_: Round,
                                                             sandbox: SandboxHandle) -> None:
    """Rules run late (22:30, a scheduler's catch-up) and again at 09:00 next day: one reminder, at 08:00."""
    with db.transaction() as session:
        (late,) = remind(session, shanghai("2026-12-01 22:30"))
    deliver(settings, db, shanghai("2026-12-02 08:00"))
    with db.transaction() as session:
        morning = remind(session, shanghai("2026-12-02 09:00"))
    deliver(settings, db, shanghai("2026-12-02 09:00"))
    assert late.new and [(p.key, p.new) for p in morning] == [(late.key, False)]  # the key holds the planned day
    assert len(received(sandbox, COORDINATOR)) == 1


def test_reminder_due_on_a_holiday_goes_out_the_working_day_before() -> None:
    """7 days before Friday 2026-10-09 is the National Day holiday: the reminder moves to 09-30."""
    assert planned_day(date(2026, 10, 9), 7) == date(2026, 9, 30)
    assert planned_day(date(2026, 10, 12), 2) == date(2026, 10, 10)  # an adjusted working Saturday
    assert planned_day(date(2026, 12, 7), 1) == date(2026, 12, 4)  # Sunday → Friday


def _event(session: Session, project: Project, to: str, at: datetime, reason: str | None = None) -> ProjectEvent:
    """Record a status change of a project."""
    event = ProjectEvent(project_id=project.id, from_status=project.status, to_status=to, at=at, reason=reason)
    project.status = to
    session.add(event)
    session.flush()
    return event


def test_digest_only_when_something_changed(db: Database, round_: Round) -> None:
    """On a day without deadline reminders the coordinator gets a digest only after a change."""
    quiet_day, busy_day = shanghai("2026-11-20 09:00"), shanghai("2026-11-23 09:00")
    with db.transaction() as session:
        assert due_reminders(session, quiet_day) == []
        project = session.scalars(select(Project).where(Project.status == "submitted")).first()
        _event(session, project, "unit_approved", busy_day - timedelta(hours=3))
        (digest,) = [r for r in due_reminders(session, busy_day) if r.rule == "digest"]
    assert digest.recipient == COORDINATOR and digest.data["changes"] == {"unit_approved": 1}


def test_worker_hears_of_a_return_with_the_reason_once(settings: Settings, db: Database, round_: Round,
                                                       sandbox: SandboxHandle) -> None:
    """A returned project: the worker's notice has the reason; the chat's own notice is not repeated."""
    at = shanghai("2026-11-25 10:00")
    with db.transaction() as session:
        project = session.scalars(select(Project).where(Project.status == "submitted")).first()
        project.worker.last_message_at = at - timedelta(hours=2)
        openid = project.worker.openid
        returned = _event(session, project, "returned", at - timedelta(minutes=5), reason="缺少现场照片")
        approved = _event(session, project, "unit_approved", at - timedelta(minutes=1))
        enqueue(session, f"status:{approved.id}", openid, "text", {"text": "chat notice"}, at)
    for _ in range(2):
        with db.transaction() as session:
            remind(session, at)
        deliver(settings, db, at)
    texts = received(sandbox, openid)
    assert len(texts) == 2 and "chat notice" in texts
    assert any("被退回" in t and "缺少现场照片" in t for t in texts)
    with db.sessions() as session:
        keys = set(session.scalars(select(OutboundMessage.key).where(OutboundMessage.openid == openid)))
    assert keys == {f"status:{returned.id}", f"status:{approved.id}"}


def test_worker_with_a_draft_is_reminded(db: Database, round_: Round) -> None:
    """A draft three days before the deadline; none after it is submitted."""
    with db.transaction() as session:
        add_projects(session, round_, unit(session, "运输队"), "draft")
        (draft,) = [r for r in due_reminders(session, shanghai("2026-12-01 09:00")) if r.rule.startswith("draft")]
        assert draft.rule == "draft_3d" and draft.data["drafts"] == 1
        session.scalars(select(Project).where(Project.status == "draft")).one().status = "submitted"
        assert not [r for r in due_reminders(session, shanghai("2026-12-01 09:00")) if r.rule.startswith("draft")]


def test_remind_cli_dry_run_then_real(settings_overrides: dict[str, object], db: Database, round_: Round) -> None:
    """`remind --at … --dry-run` prints the text and queues nothing; without it, it queues once."""
    from bot.cli import main

    group = main
    env = {k: str(v) for k, v in settings_overrides.items()}
    runner = CliRunner()
    dry = runner.invoke(group, ["remind", "--at", "2026-12-01 09:00", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "would queue" in dry.output and "已申报4项，目标36" in dry.output
    first = runner.invoke(group, ["remind", "--at", "2026-12-01 09:00"], env=env)
    again = runner.invoke(group, ["remind", "--at", "2026-12-01 09:00"], env=env)
    assert "1 due, 1 new" in first.output and "1 due, 0 new" in again.output
    shown = runner.invoke(group, ["outbox"], env=env)
    assert "pending: 1" in shown.output and COORDINATOR in shown.output


def test_round_move_cli_replans_queued_and_future_reminders(settings_overrides: dict[str, object], db: Database,
                                                             round_: Round, settings: Settings,
                                                             sandbox: SandboxHandle) -> None:
    """A reminder held overnight is dropped when the deadline moves a week; the new 7-day one comes on 12-04."""
    from bot.cli import main

    group = main
    env = {k: str(v) for k, v in settings_overrides.items()}
    runner = CliRunner()
    held = runner.invoke(group, ["remind", "--at", "2026-11-30 22:30"], env=env)  # the 7-day one, held till 08:00
    assert "1 due, 1 new" in held.output and "at 2026-12-01 08:00" in held.output
    moved = runner.invoke(group, ["round", "move", str(round_.id), "submission", "2026-12-11 17:00"], env=env)
    assert moved.exit_code == 0, moved.output
    assert "submission now 2026-12-11 17:00" in moved.output and "1 queued reminders" in moved.output
    deliver(settings, db, shanghai("2026-12-01 09:00"))
    assert received(sandbox, COORDINATOR) == []
    assert "0 due" in runner.invoke(group, ["remind", "--at", "2026-12-01 09:00"], env=env).output
    replanned = runner.invoke(group, ["remind", "--at", "2026-12-04 09:00"], env=env)
    assert f"submission_7d:{round_.id}:{COORDINATOR}:2026-12-04" in replanned.output
    with db.transaction() as session:  # the coordinator wrote the day before, so a text may go out
        session.scalars(select(Worker).where(Worker.openid == COORDINATOR)).one().last_message_at = \
            shanghai("2026-12-03 10:00")
    deliver(settings, db, shanghai("2026-12-04 09:00"))
    (text,) = received(sandbox, COORDINATOR)
    assert "2026-12-11 17:00" in text and "还有7天" in text


def test_unit_review_reminder_lists_what_waits(db: Database, round_: Round) -> None:
    """Three days before the unit-review deadline (12-14): 一矿's coordinator gets the pending list; 二矿's nothing."""
    from handlers.notices import compose

    with db.transaction() as session:
        session.add(Worker(openid="o_coordinator_mine2", role="coordinator", unit_id=unit(session, "二矿").id))
        session.flush()
        due = due_reminders(session, shanghai("2026-12-11 09:00"))
    assert [(r.rule, r.recipient) for r in due] == [("review_3d", COORDINATOR)]
    text = compose(due[0].notice.payload)["text"]
    assert "初审截止还有3天" in text and "一矿还有2个项目等待初审" in text and text.count("submitted") == 2


def test_status_notice_at_night_goes_at_once_only_to_a_worker_in_the_chat(settings: Settings, db: Database,
                                                                          round_: Round,
                                                                          sandbox: SandboxHandle) -> None:
    """23:00: returned while the worker chats → he reads the reason now; his idle colleague and the coordinator wait."""
    at = shanghai("2026-11-25 23:00")
    with db.transaction() as session:
        chatting, idle = session.scalars(select(Project).where(Project.status == "submitted")).all()
        chatting.worker = Worker(openid="o_night_shift", last_message_at=at - timedelta(minutes=2))
        idle.worker = Worker(openid="o_asleep", last_message_at=at - timedelta(hours=2))
        _event(session, chatting, "returned", at - timedelta(minutes=1), reason="缺少现场照片")
        _event(session, idle, "returned", at - timedelta(minutes=1), reason="缺少效益测算")
    with db.transaction() as session:
        pushes = {p.openid: p.not_before for p in remind(session, at)}
    morning = shanghai("2026-11-26 08:00")
    assert pushes == {"o_night_shift": at, "o_asleep": at, COORDINATOR: morning}  # the digest always waits
    deliver(settings, db, at)
    (text,) = received(sandbox, "o_night_shift")
    assert "缺少现场照片" in text and received(sandbox, "o_asleep") == []
    deliver(settings, db, at + timedelta(hours=1))
    assert received(sandbox, "o_asleep") == [] and received(sandbox, COORDINATOR) == []
    deliver(settings, db, morning)
    assert len(received(sandbox, "o_asleep")) == 1 and len(received(sandbox, "o_night_shift")) == 1
