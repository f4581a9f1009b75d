"""A worker's dialog as a message needs it: one locked query, one UPDATE, activity kept to the minute."""
import threading
import time
from datetime import timedelta

from sqlalchemy import event, select

from models.base import utcnow
from models.people import (ACTIVITY_RESOLUTION, DEFERRED_WRITES, open_dialog, record_activity, save_dialog,
                           write_dialog)
from models.worker import Worker


def _statements(db) -> list[str]:
    """Record every SQL statement the database is sent from now on."""
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: sent.append(sql))
    return sent


def _writes(sent: list[str]) -> list[str]:
    """The statements that change rows."""
    return [sql for sql in sent if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def _known_worker(db, openid="o_known"):
    """Create a worker with a conversation, as after a first message."""
    with db.transaction() as session:
        open_dialog(session, openid, utcnow())


def test_first_contact_creates_the_worker_and_an_idle_conversation(db):
    with db.transaction() as session:
        dialog = open_dialog(session, "o_new", utcnow())
        assert (dialog.state, dialog.slots, dialog.turns, dialog.unit_id) == ("idle", {}, 0, None)
    with db.transaction() as session:
        worker = session.scalars(select(Worker).where(Worker.openid == "o_new")).one()
        assert worker.subscribed and worker.id == dialog.worker_id


def test_a_known_worker_takes_one_query_and_one_write_that_moves_the_version_on(db):
    _known_worker(db)
    sent = _statements(db)
    with db.transaction() as session:
        dialog = open_dialog(session, "o_known", utcnow())
        save_dialog(session, dialog)
    assert sum(sql.lstrip().upper().startswith("SELECT") for sql in sent) == 1
    assert len(_writes(sent)) == 1  # even unchanged: a message read without the lock must see it moved
    with db.transaction() as session:
        again = open_dialog(session, "o_known", utcnow())
        assert (again.version, again.state, again.turns) == (dialog.version, "idle", 0) and again.version == 1


def test_a_deferred_write_commits_only_on_the_version_it_read(db):
    _known_worker(db)
    with db.transaction() as session:
        session.info[DEFERRED_WRITES] = writes = []
        first = open_dialog(session, "o_known", utcnow())
        first.turns, first.state = 1, "ask_title"
        save_dialog(session, first)
    with db.transaction() as session:  # nothing was written yet: the write waits in the list
        assert open_dialog(session, "o_known", utcnow()).version == 0
    with db.transaction() as session:  # another message of the worker writes in between
        other = open_dialog(session, "o_known", utcnow())
        other.turns = 5
        save_dialog(session, other)
    with db.transaction() as session:
        assert write_dialog(session, writes[0]) is False
    with db.transaction() as session:
        kept = open_dialog(session, "o_known", utcnow())
        assert (kept.turns, kept.state, kept.version) == (5, "idle", 1)
        session.info[DEFERRED_WRITES] = writes = []
        kept.turns += 1
        save_dialog(session, kept)
        del session.info[DEFERRED_WRITES]
        assert write_dialog(session, writes[0]) is True
    with db.transaction() as session:
        assert (open_dialog(session, "o_known", utcnow()).turns, writes[0].version) == (6, 1)


def test_what_a_message_changes_is_kept_in_one_update(db):
    _known_worker(db)
    sent = _statements(db)
    with db.transaction() as session:
        dialog = open_dialog(session, "o_known", utcnow())
        dialog.state, dialog.turns = "ask_title", dialog.turns + 1
        dialog.slots = {**dialog.slots, "unit_options": [3, 4]}
        save_dialog(session, dialog)
    assert len(_writes(sent)) == 1
    with db.transaction() as session:
        dialog = open_dialog(session, "o_known", utcnow())
        assert (dialog.state, dialog.turns, dialog.slots) == ("ask_title", 1, {"unit_options": [3, 4]})


def test_a_list_changed_inside_the_slots_is_kept_too(db):
    _known_worker(db)
    with db.transaction() as session:
        dialog = open_dialog(session, "o_known", utcnow())
        dialog.slots = {"unit_options": [3]}
        save_dialog(session, dialog)
        dialog.slots["unit_options"].append(4)
        save_dialog(session, dialog)
    with db.transaction() as session:
        assert open_dialog(session, "o_known", utcnow()).slots == {"unit_options": [3, 4]}


def test_a_second_message_of_a_worker_waits_for_the_first(db):
    _known_worker(db)
    loaded, committed, second_done = threading.Event(), [0.0], [0.0]

    def second():
        loaded.wait()
        with db.transaction() as session:
            dialog = open_dialog(session, "o_known", utcnow())
            dialog.turns += 1
            save_dialog(session, dialog)
        second_done[0] = time.monotonic()

    thread = threading.Thread(target=second)
    thread.start()
    with db.transaction() as session:
        dialog = open_dialog(session, "o_known", utcnow())
        loaded.set()
        time.sleep(0.3)
        dialog.turns += 1
        save_dialog(session, dialog)
        committed[0] = time.monotonic()
    thread.join()
    assert second_done[0] >= committed[0]
    with db.transaction() as session:
        assert open_dialog(session, "o_known", utcnow()).turns == 2


def test_two_first_messages_at_once_make_one_worker(db):
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def first_message():
        try:
            barrier.wait()
            with db.transaction() as session:
                dialog = open_dialog(session, "o_twice", utcnow())
                dialog.turns += 1
                save_dialog(session, dialog)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_message) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.transaction() as session:
        assert len(session.scalars(select(Worker).where(Worker.openid == "o_twice")).all()) == 1
        assert open_dialog(session, "o_twice", utcnow()).turns == 2


def test_activity_is_kept_to_the_minute(db):
    with db.transaction() as session:
        dialog = open_dialog(session, "o_active", utcnow())
        start = utcnow()
        record_activity(dialog, start)
        record_activity(dialog, start + ACTIVITY_RESOLUTION - timedelta(seconds=1))
        assert dialog.last_message_at == start
        record_activity(dialog, start + ACTIVITY_RESOLUTION)
        assert dialog.last_message_at == start + ACTIVITY_RESOLUTION
        record_activity(dialog, start)  # a clock that went back is believed
        assert dialog.last_message_at == start
        save_dialog(session, dialog)
    with db.transaction() as session:
        worker = session.scalars(select(Worker).where(Worker.openid == "o_active")).one()
        assert worker.last_message_at == start
