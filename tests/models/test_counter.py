"""Project numbers from a counter row, and queueing a push twice: no collision, no gap, no spoiled transaction."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from bot.database import Database
from models.access import chat_actor
from models.base import utcnow
from models.outbox import OutboundMessage, enqueue
from models.project import Project, ProjectStatus
from models.round import Round
from models.unit import Unit
from models.worker import Worker
from models.workflow import submit


def add_drafts(db: Database, count: int) -> list[int]:
    """A round, a unit and `count` workers with a draft each; the drafts' ids."""
    now = utcnow()
    with db.transaction() as session:
        round_ = Round(name="r", year=2026, opens_at=now - timedelta(days=1), submission_deadline=now + timedelta(days=1),
                       unit_review_deadline=now + timedelta(days=2), city_review_deadline=now + timedelta(days=3))
        unit = Unit(name="运输队", kind="team")
        session.add_all([round_, unit])
        session.flush()
        ids = []
        for i in range(count):
            worker = Worker(openid=f"o_{i}", unit_id=unit.id)
            session.add(worker)
            session.flush()
            draft = Project(round_id=round_.id, worker_id=worker.id, unit_id=unit.id, title=f"t{i}")
            session.add(draft)
            session.flush()
            ids.append(draft.id)
        return ids


def submit_draft(db: Database, project_id: int, fail: bool = False) -> str | None:
    """Submit one draft in its own transaction; with `fail`, roll it back after numbering."""
    try:
        with db.transaction() as session:
            project = session.get_one(Project, project_id)
            submit(session, project, chat_actor(session, project.worker), utcnow())
            if fail:
                raise RuntimeError("fault after numbering")
            return project.number
    except RuntimeError:
        return None


def test_a_rolled_back_submission_gives_its_number_back(db: Database) -> None:
    first, second = add_drafts(db, 2)
    assert submit_draft(db, first, fail=True) is None
    assert submit_draft(db, second) == "2026-0001"
    assert submit_draft(db, first) == "2026-0002"


def test_a_round_numbered_before_the_counter_existed_continues_after_its_highest_number(db: Database) -> None:
    first, second = add_drafts(db, 2)
    with db.transaction() as session:  # as an older version left it: numbered, no counter row
        project = session.get_one(Project, first)
        project.number, project.status = "2026-0007", ProjectStatus.submitted
    assert submit_draft(db, second) == "2026-0008"


def test_concurrent_submissions_in_separate_handles_never_collide(db: Database) -> None:
    """Twelve submissions from four database handles (as four processes) at once: 0001…0012."""
    ids = add_drafts(db, 12)
    handles = [Database(db.url) for _ in range(4)]
    barrier = threading.Barrier(len(ids))
    numbers: list[str | None] = []

    def run(index: int, project_id: int) -> None:
        barrier.wait()
        numbers.append(submit_draft(handles[index % 4], project_id))

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for handle in handles:
        handle.dispose()
    assert sorted(n or "" for n in numbers) == [f"2026-{i:04d}" for i in range(1, 13)]


def test_the_same_push_queued_by_two_transactions_at_once_is_queued_once_and_both_commit(db: Database) -> None:
    """The second waits for the first (PostgreSQL's unique index, SQLite's write gate), then queues nothing."""
    ids: dict[str, int | None] = {}
    queued = threading.Event()

    def queue(name: str, hold: float) -> None:
        with db.transaction() as session:
            ids[name] = enqueue(session, "status:1", "o_1", "text", {"text": name})
            queued.set()
            time.sleep(hold)  # the first keeps its transaction open while the second tries
            session.add(Worker(openid=f"o_{name}"))  # the transaction goes on after the duplicate

    first = threading.Thread(target=queue, args=("first", 0.3))
    first.start()
    assert queued.wait(5)
    queue("second", 0.0)
    first.join()
    with db.sessions() as session:
        assert session.scalars(select(OutboundMessage.payload)).all() == [{"text": "first"}]
        assert session.scalar(select(func.count()).select_from(Worker)) == 2
    assert ids["first"] is not None and ids["second"] is None


def test_a_push_queued_twice_in_one_transaction_is_queued_once_and_the_transaction_goes_on(db: Database) -> None:
    with db.transaction() as session:
        first = enqueue(session, "status:1", "o_1", "text", {"text": "x"})
        assert enqueue(session, "status:1", "o_1", "text", {"text": "y"}) is None
        session.add(Worker(openid="o_after"))
    with db.sessions() as session:
        assert session.scalars(select(OutboundMessage.payload)).all() == [{"text": "x"}]
        assert session.scalar(select(func.count()).select_from(Worker)) == 1
    assert first is not None
