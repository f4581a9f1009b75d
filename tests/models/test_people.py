"""Workers and their conversations as a message needs them: loaded together, locked, activity kept to the minute."""
import threading
import time
from datetime import timedelta

from sqlalchemy import event

from models.base import utcnow
from models.people import ACTIVITY_RESOLUTION, conversation_for, record_activity, worker_for


def _statements(db) -> list[str]:
    """Record every SQL statement the database is sent from now on."""
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: sent.append(sql))
    return sent


def _known_worker(db, openid="o_known"):
    """Create a worker with a conversation, as after a first message."""
    with db.transaction() as session:
        worker = worker_for(session, openid, utcnow())
        conversation_for(session, worker, lock=True)


def test_worker_and_locked_conversation_take_one_query(db):
    _known_worker(db)
    sent = _statements(db)
    with db.transaction() as session:
        worker = worker_for(session, "o_known", utcnow())
        conversation = conversation_for(session, worker, lock=True)
        assert conversation.worker_id == worker.id
    assert sum(sql.lstrip().upper().startswith("SELECT") for sql in sent) == 1


def test_a_new_transaction_of_the_same_session_locks_again(db):
    _known_worker(db)
    sent = _statements(db)
    with db.sessions() as session:
        for _ in range(2):
            with session.begin():
                worker = worker_for(session, "o_known", utcnow())
                conversation_for(session, worker, lock=True)
    assert sum(sql.lstrip().upper().startswith("SELECT") for sql in sent) == 2


def test_a_second_message_of_a_worker_waits_for_the_first(db):
    _known_worker(db)
    loaded, committed, second_done = threading.Event(), [0.0], [0.0]

    def second():
        loaded.wait()
        with db.transaction() as session:
            worker = worker_for(session, "o_known", utcnow())
            conversation_for(session, worker, lock=True).turns += 1
        second_done[0] = time.monotonic()

    thread = threading.Thread(target=second)
    thread.start()
    with db.transaction() as session:
        worker = worker_for(session, "o_known", utcnow())
        conversation = conversation_for(session, worker, lock=True)
        loaded.set()
        time.sleep(0.3)
        conversation.turns += 1
        committed[0] = time.monotonic()
    thread.join()
    assert second_done[0] >= committed[0]
    with db.transaction() as session:
        assert conversation_for(session, worker_for(session, "o_known", utcnow())).turns == 2


def test_activity_is_kept_to_the_minute(db):
    with db.transaction() as session:
        worker = worker_for(session, "o_active", utcnow())
        start = utcnow()
        record_activity(worker, start)
        record_activity(worker, start + ACTIVITY_RESOLUTION - timedelta(seconds=1))
        assert worker.last_message_at == start
        record_activity(worker, start + ACTIVITY_RESOLUTION)
        assert worker.last_message_at == start + ACTIVITY_RESOLUTION
        record_activity(worker, start)  # a clock that went back is believed
        assert worker.last_message_at == start
