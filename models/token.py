"""Shared secrets with an expiry (the WeChat access token) and the send-rate slots of all senders."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, insert_new, utcnow


class StoredToken(Base):
    """One shared value by key (e.g. `{appid}_access_token`), read by every process."""

    __tablename__ = "stored_token"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RateSlot(Base):
    """The next free send time of a shared rate limit, so parallel senders stay under it together."""

    __tablename__ = "rate_slot"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    next_at: Mapped[datetime]


def locked_row(session: Session, model: type[Base], key: str,
               **defaults: object) -> Base:
    """Return the row for `key` locked for update (inserted first if missing).

    On PostgreSQL the row lock serialises processes; SQLite's BEGIN IMMEDIATE already does.
    """
    column = model.__mapper__.primary_key[0]
    assert column.key is not None
    query = select(model).where(column == key).with_for_update()
    row = session.scalars(query).one_or_none()
    if row is not None:
        return row
    insert_new(session, model.__table__, {column.key: key, **defaults}, [column.key])  # or another process did
    return session.scalars(query.execution_options(populate_existing=True)).one()


def token_value(session: Session, key: str, now: datetime, margin: timedelta) -> str | None:
    """Return the stored value when it stays valid for longer than `margin`, else None."""
    row = session.get(StoredToken, key)
    if row is None or row.value is None or row.expires_at is None or row.expires_at - now <= margin:
        return None
    return row.value


#: Senders queue up for slots only a few intervals ahead; a free time further out than this can
#: only come from a clock that was wrong (another host's, a shifted test clock) and is ignored.
MAX_SLOT_AHEAD = timedelta(minutes=1)


def reserve_slots(session: Session, name: str, count: int, interval: timedelta, now: datetime) -> list[datetime]:
    """Reserve `count` send times spaced by `interval` on the shared limit and return them."""
    slot = locked_row(session, RateSlot, name, next_at=now)
    assert isinstance(slot, RateSlot)
    start = max(now, slot.next_at) if slot.next_at - now <= MAX_SLOT_AHEAD + count * interval else now
    times = [start + i * interval for i in range(count)]
    slot.next_at = start + count * interval
    return times
