"""Per-round counters: project numbers handed out in order, without gaps, by concurrent submissions.

A counter is one row, incremented with `UPDATE … RETURNING` inside the transaction that uses the
number. On PostgreSQL the row lock makes a second submission in the same round wait until the
first commits or rolls back, so a rolled-back submission gives its number back and no number is
ever burnt; on SQLite the write gate already runs one transaction at a time. No savepoint and no
retry: nothing here can fail with a unique violation. Measured against a database sequence and a
savepoint retry in bench/project_numbers.md.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ForeignKey, String, bindparam, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, connection_of


class RoundCounter(Base):
    """The last value handed out by one named sequence of a round (e.g. its project numbers)."""

    __tablename__ = "round_counter"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


_TABLE = RoundCounter.__table__
_NEXT = (update(_TABLE).where(_TABLE.c.round_id == bindparam("counter_round"), _TABLE.c.name == bindparam("counter"))
         .values(value=_TABLE.c.value + 1).returning(_TABLE.c.value))
#: The same SQL on both databases; a counter created by two transactions at once is created once.
_CREATE = text("INSERT INTO round_counter (round_id, name, value) VALUES (:counter_round, :counter, :value) "
               "ON CONFLICT (round_id, name) DO NOTHING")


def next_value(session: Session, round_id: int, name: str, start_after: Callable[[], int]) -> int:
    """Take the next value of the round's counter `name`, locked until the caller's transaction ends.

    The first use creates the counter at `start_after()` (the highest value already used, for a
    round that handed out values before the counter existed).
    """
    connection = connection_of(session)
    params = {"counter_round": round_id, "counter": name}
    value = connection.execute(_NEXT, params).scalar()
    if value is None:
        connection.execute(_CREATE, {**params, "value": start_after()})
        value = connection.execute(_NEXT, params).scalar_one()
    return int(value)
