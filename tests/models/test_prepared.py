"""Statements run straight on the DBAPI cursor behave as through `Connection.execute`: the same values
back, the same errors, the same guard against writes while only reading."""
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, exc, select, text, update

from bot.database import WriteNeeded
from models.base import utcnow
from models.conversation import Conversation
from models.people import open_dialog
from models.prepared import Prepared
from models.worker import Worker

_CONVERSATION = Conversation.__table__
_READ = select(_CONVERSATION.c.slots, _CONVERSATION.c.updated_at, _CONVERSATION.c.turns).where(
    _CONVERSATION.c.worker_id == bindparam("worker_id"))


def _worker(db) -> int:  # noqa: ANN001
    """A worker with a dialog holding slots and an exact time; his id."""
    with db.transaction() as session:
        dialog = open_dialog(session, "o_prepared", utcnow())
        session.execute(update(Conversation).where(Conversation.id == dialog.id).values(
            slots={"unit_options": [3, 4], "title": "皮带机清扫器"}, updated_at=utcnow() - timedelta(days=2)))
        return dialog.worker_id


def test_a_prepared_read_gives_what_execute_gives(db):
    worker_id = _worker(db)
    with db.transaction() as session:
        connection = session.connection()
        through_sqlalchemy = tuple(connection.execute(_READ, {"worker_id": worker_id}).one())
        straight = Prepared(_READ).first(connection, {"worker_id": worker_id})
    assert straight == through_sqlalchemy
    assert straight[0]["unit_options"] == [3, 4] and straight[1].tzinfo is not None  # JSON and aware UTC


def test_a_prepared_statement_that_fails_raises_what_sqlalchemy_raises(db):
    duplicate = Prepared(text("INSERT INTO worker (openid, role, subscribed, created_at) "
                              "VALUES (:openid, 'worker', true, :at)").bindparams(
        bindparam("at", type_=Worker.__table__.c.created_at.type)))
    _worker(db)
    with pytest.raises(exc.IntegrityError), db.transaction() as session:
        duplicate.first(session.connection(), {"openid": "o_prepared", "at": utcnow()})


def test_a_prepared_write_while_only_reading_is_refused_before_it_is_sent(db):
    worker_id = _worker(db)
    write = Prepared(update(_CONVERSATION).where(_CONVERSATION.c.worker_id == bindparam("worker_id"))
                     .values(turns=99))
    with db.connection() as connection, db.reading(connection) as (session, guard):
        with pytest.raises(WriteNeeded):
            write.rowcount(session.connection(), {"worker_id": worker_id})
        assert guard.refused is not None
    with db.transaction() as session:
        assert session.scalars(select(Conversation.turns).where(Conversation.worker_id == worker_id)).one() == 0
