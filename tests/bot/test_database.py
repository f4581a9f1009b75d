"""The SQLite write gate: one writer at a time across threads and processes, waiting with a timeout."""
import os
import threading
import time

import pytest
from sqlalchemy import create_engine, select

from bot.database import Database, WriteGate, WriteLockTimeout
from bot.replay import Replayer
from models.outbox import OutboundMessage
from handlers import texts
from bot.extensions import gateway_of


def test_threads_of_one_process_write_one_at_a_time(tmp_path):
    gate = WriteGate(tmp_path / "db.writelock")
    inside, most = [0], [0]

    def write():
        with gate.held():
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.01)
            inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


def test_a_second_database_handle_waits_for_the_file_lock_and_gives_up_in_time(tmp_path):
    first, second = WriteGate(tmp_path / "db.writelock"), WriteGate(tmp_path / "db.writelock", timeout=0.2)
    with first.held():
        started = time.monotonic()
        with pytest.raises(WriteLockTimeout):
            with second.held():
                pass
        assert 0.2 <= time.monotonic() - started < 1
    with second.held():  # free again once the first is done
        pass


def test_a_forked_worker_does_not_share_the_lock_of_its_parent(tmp_path):
    gate = WriteGate(tmp_path / "db.writelock", timeout=0.2)
    with gate.held():
        pass  # the parent has opened its lock file, as gunicorn's master may before forking
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        with gate.held():
            os.write(ready_w, b"x")
            time.sleep(0.6)
        os._exit(0)
    os.read(ready_r, 1)
    with pytest.raises(WriteLockTimeout):  # the child holds it: an inherited descriptor would let us in
        with gate.held():
            pass
    os.waitpid(pid, 0)
    with gate.held():
        pass


def test_only_sqlite_files_get_a_lock_file(tmp_path):
    assert Database(f"sqlite:///{tmp_path / 'a.sqlite3'}").write_gate.lock_path == tmp_path / "a.sqlite3.writelock"
    assert Database("sqlite://").write_gate.lock_path is None
    assert Database("postgresql://u@127.0.0.1:1/x").write_gate is None


def test_a_writer_that_waits_too_long_is_kept_and_answered_later_not_a_500(app, wechat, db):
    if db.write_gate is None:
        pytest.skip("PostgreSQL has row locks, not a write gate")
    db.write_gate.timeout = 0.2
    other_process = WriteGate(db.write_gate.lock_path)
    with other_process.held():
        answer = wechat.post(wechat.follower.text("你好"))
    assert answer.status == 200 and answer.text == texts.SPOOLED
    db.outage.probe_every = 0.0  # no need to wait a second for the next try
    assert Replayer(gateway_of(app)).run_once() == 1
    with db.sessions() as session:
        (reply,) = session.scalars(select(OutboundMessage.payload)).all()
    assert "申报" in reply["text"]  # the welcome, queued as a customer-service text
    later = wechat.post(wechat.follower.text("你好")).text  # answered at once again
    assert later and later not in (texts.SPOOLED, texts.TRY_AGAIN)


def _backend_pid(db) -> int:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_a_pooled_connection_killed_while_idle_is_replaced(db, monkeypatch):
    if not db.is_postgres:
        pytest.skip("PostgreSQL connections can be cut by the server")
    dead = _backend_pid(db)
    admin = create_engine(db.url)  # another client kills the pooled connection
    with admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({dead})")
    admin.dispose()
    monkeypatch.setattr("bot.database.PING_AFTER_IDLE", 0.0)
    assert _backend_pid(db) != dead


def test_a_busy_pool_is_not_pinged(db, monkeypatch):
    pings = []
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(conn) or True)
    for _ in range(3):
        _backend_pid(db) if db.is_postgres else db.engine.connect().close()
    assert pings == []
    monkeypatch.setattr("bot.database.PING_AFTER_IDLE", 0.0)
    db.engine.connect().close()
    assert len(pings) == (1 if db.is_postgres else 0)


def test_a_read_refuses_every_write_before_it_is_sent_and_remembers_it_when_swallowed(db):
    from sqlalchemy import text

    from bot.database import WriteNeeded

    with db.connection() as connection:
        with db.reading(connection) as (session, guard):
            assert session.execute(text("SELECT 1")).scalar() == 1
            with pytest.raises(WriteNeeded):
                session.execute(text("INSERT INTO inbound_message (dedup_key, openid, kind, received_at) "
                                     "VALUES ('k', 'o', 'text', '2026-01-01')"))
        assert guard.refused is not None and guard.refused.startswith("INSERT")
        with db.writing(connection):  # the same connection writes afterwards, as a message's short write does
            connection.execute(text("INSERT INTO inbound_message (dedup_key, openid, kind, received_at) "
                                    "VALUES ('k2', 'o', 'text', '2026-01-01')"))
    with db.transaction() as session:
        assert session.execute(text("SELECT dedup_key FROM inbound_message")).scalars().all() == ["k2"]
