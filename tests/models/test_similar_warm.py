"""Warming the similar-projects index when a worker starts: the first reply then pays nothing for it."""
import logging
import re
import threading
import time

import pytest
from sqlalchemy import event

from bot.database import Database
from models.similar import SimilarProjects
from models import Project
from nlp import ProjectIndex, SimilarIndex
from tests.chat import bind_worker
from tests.handlers.test_chat_similar import FIRST, OTHER_IDEA, SAME_IDEA, submit


@pytest.fixture
def draft(chat, demo, db) -> int:
    """Two submitted projects (one saying FIRST) and a colleague's draft saying the same as FIRST; its id."""
    bind_worker(chat, demo)
    assert "提交成功" in submit(chat, FIRST)
    other = chat.as_follower("o_colleague_zhao")
    bind_worker(other, demo, name="赵六")
    assert "提交成功" in submit(other, OTHER_IDEA)
    colleague = chat.as_follower("o_colleague_wang")
    bind_worker(colleague, demo, name="王五")
    assert "已有相似的项目" in submit(colleague, SAME_IDEA)  # left as a draft, waiting for a second "确认"
    return 3


def _found(similar: SimilarProjects, db, project_id: int) -> list[tuple[str, float]]:
    """What `find` says for a project, as (number, score)."""
    with db.transaction() as session:
        return [(p.number, score) for p, score in similar.find(session, session.get(Project, project_id))]


def _project_listings(db) -> list[str]:
    """Record from now on the statements that list projects, rather than get one by id or read the changes."""
    sent: list[str] = []
    table = Project.__tablename__
    listing = re.compile(rf"\bFROM {table}\b(?!.*\b{table}\.(id =|updated_at >=))")

    def record(conn, cursor, sql, *rest) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
        if listing.search(" ".join(sql.split())):
            sent.append(sql)

    event.listen(db.engine, "before_cursor_execute", record)
    return sent


def _index_work(monkeypatch) -> list[str]:
    """Record from now on every project added to any similar index and every refresh of an index's IDF and totals
    (a title's and a whole text's)."""
    work: list[str] = []
    add_all, refresh = ProjectIndex.add_all, SimilarIndex._refresh

    def record(self, projects) -> None:  # noqa: ANN001 - ProjectIndex.add_all, recorded
        """Note each project added, then add them."""
        projects = list(projects)
        work.extend(f"add {key}" for key, *_ in projects)
        add_all(self, projects)

    monkeypatch.setattr(ProjectIndex, "add_all", record)
    monkeypatch.setattr(SimilarIndex, "_refresh", lambda self: work.append("refresh") or refresh(self))
    return work


def test_after_warm_up_the_first_search_reads_no_table_and_builds_nothing(draft, db, monkeypatch):
    cold = SimilarProjects()
    listings, work = _project_listings(db), _index_work(monkeypatch)
    expected = _found(cold, db, draft)
    assert [number for number, _ in expected] == ["2026-0001"]
    assert len(listings) == 1 and sorted(work) == ["add 1", "add 2", "refresh", "refresh"]  # without warm-up the reply pays

    warmed = SimilarProjects()
    assert warmed.warm(db.transaction) == 2
    listings.clear()
    work.clear()
    assert _found(warmed, db, draft) == expected
    assert listings == [] and work == []


def test_a_project_submitted_after_warm_up_is_found(draft, chat, db, monkeypatch):
    """The next search indexes the new project alone and finds it, scored as a fresh index of all three scores it."""
    similar = SimilarProjects()
    similar.warm(db.transaction)
    work = _index_work(monkeypatch)
    assert "提交成功" in chat.as_follower("o_colleague_wang").send_text("确认")  # the draft is submitted now
    work.clear()  # the chat's own index (the application's) is not the one under test
    found = _found(similar, db, 1)
    assert [number for number, _ in found] == ["2026-0003"]
    assert work == ["add 3", "refresh", "refresh"]  # only the new project is added: the others are not added again
    fresh = SimilarProjects()
    fresh.warm(db.transaction)
    assert _found(fresh, db, 1) == found


def test_a_reply_searching_during_the_warm_up_is_answered_at_once(draft, db, caplog):
    """A reply holds its transaction (on SQLite, the write gate) while it searches: the warm-up must not block it."""
    similar = SimilarProjects()
    reading = threading.Event()

    def transaction():  # noqa: ANN202
        """A transaction, after saying that the warm-up begins its read."""
        reading.set()
        return db.transaction()

    with caplog.at_level(logging.INFO, logger="models.similar"):
        with db.transaction() as session:
            warming = similar.warm_in_background(transaction)
            assert reading.wait(timeout=5)
            started = time.monotonic()
            found = [p.number for p, _ in similar.find(session, session.get(Project, draft))]
            waited = time.monotonic() - started
        warming.join(timeout=30)
    assert found == ["2026-0001"] and waited < 3  # the write gate gives up after 10 s: a deadlock would show
    assert any("warmed: 2 projects" in r.getMessage() for r in caplog.records if r.name == "models.similar")


def test_a_failed_warm_up_is_logged_and_the_first_search_loads_the_index(draft, db, tmp_path, caplog):
    broken_path = tmp_path / "broken.sqlite3"
    broken_path.write_bytes(b"this is not a database file" * 100)
    broken = Database(f"sqlite:///{broken_path}")
    similar = SimilarProjects()
    with caplog.at_level(logging.INFO, logger="models.similar"):
        thread = similar.warm_in_background(broken.transaction)
        thread.join(timeout=10)
    broken.dispose()
    assert not thread.is_alive()
    failures = [r for r in caplog.records if r.name == "models.similar" and r.levelno == logging.ERROR]
    assert len(failures) == 1 and "warm-up failed" in failures[0].getMessage() and failures[0].exc_info
    assert [number for number, _ in _found(similar, db, draft)] == ["2026-0001"]

