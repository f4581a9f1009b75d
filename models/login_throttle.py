"""Wrong passwords: after 5 for one username within 15 minutes, that username is locked for 15 minutes.

The count is shared by every worker process: it lives in the database, or in Redis when the
deployment has one. The key is the username as typed (normalised), whether or not such an account
exists, so the lock says nothing about which usernames are real. Tries while locked are refused
without looking at the password and do not extend the lock.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.token import locked_row

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


class LoginThrottle(Protocol):
    """Where the wrong passwords of each username are counted."""

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        """When the lock on `key` ends, or None if it is not locked at `now`."""

    def record_failure(self, key: str, now: datetime) -> datetime | None:
        """Count one wrong password; return when the lock ends if this one locked the key."""

    def clear(self, key: str) -> None:
        """Forget the wrong passwords of `key` (after a right one)."""


def _recent(times: list[float], now: datetime) -> list[float]:
    """The failure times (epoch seconds) still inside the window at `now`."""
    start = (now - WINDOW).timestamp()
    return [t for t in times if t > start]


class LoginFailures(Base):
    """The recent wrong passwords of one username and, once locked, when the lock ends."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[list[Any]] = mapped_column(default=list)  # epoch seconds, oldest first
    locked_until: Mapped[datetime | None]


class DatabaseThrottle:
    """The throttle in the database: one row per username, locked while it is updated."""

    def __init__(self, session: Session) -> None:
        """Count in this session's transaction (the caller commits it, also when the login fails)."""
        self.session = session

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        """When the lock on `key` ends, or None."""
        row = self.session.get(LoginFailures, key)
        if row is None or row.locked_until is None or row.locked_until <= now:
            return None
        return row.locked_until

    def record_failure(self, key: str, now: datetime) -> datetime | None:
        """Count one wrong password under a row lock, so parallel tries from several processes add up."""
        row = locked_row(self.session, LoginFailures, key, failures=[])
        assert isinstance(row, LoginFailures)
        failures = [*_recent(list(row.failures or []), now), now.timestamp()]
        if len(failures) >= MAX_FAILURES:
            row.locked_until, row.failures = now + LOCKOUT, []
        else:
            row.failures = failures
        self.session.flush()
        return row.locked_until if len(failures) >= MAX_FAILURES else None

    def clear(self, key: str) -> None:
        """Forget the wrong passwords of `key`."""
        row = self.session.get(LoginFailures, key)
        if row is not None:
            self.session.delete(row)
            self.session.flush()


class RedisThrottle:
    """The throttle in Redis: a sorted set of failure times and a lock key, both expiring by themselves."""

    def __init__(self, client: Any, prefix: str = "login") -> None:
        """Use this `redis.Redis` client; keys start with `prefix`."""
        self.redis = client
        self.prefix = prefix

    def _keys(self, key: str) -> tuple[str, str]:
        """The failures key and the lock key of a username."""
        return f"{self.prefix}:failures:{key}", f"{self.prefix}:lock:{key}"

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        """When the lock on `key` ends, or None."""
        value = self.redis.get(self._keys(key)[1])
        if value is None:
            return None
        until = datetime.fromtimestamp(float(value), timezone.utc)
        return until if until > now else None

    def record_failure(self, key: str, now: datetime) -> datetime | None:
        """Count one wrong password in one MULTI, so parallel tries from several processes add up."""
        failures, lock = self._keys(key)
        stamp = now.timestamp()
        with self.redis.pipeline() as pipe:
            pipe.zremrangebyscore(failures, "-inf", (now - WINDOW).timestamp())
            pipe.zadd(failures, {f"{stamp!r}:{secrets.token_hex(4)}": stamp})  # two at one instant count twice
            pipe.zcard(failures)
            pipe.expire(failures, int(WINDOW.total_seconds()))
            count = pipe.execute()[2]
        if count < MAX_FAILURES:
            return None
        until = now + LOCKOUT
        with self.redis.pipeline() as pipe:
            pipe.set(lock, repr(until.timestamp()), px=int(LOCKOUT.total_seconds() * 1000))
            pipe.delete(failures)
            pipe.execute()
        return until

    def clear(self, key: str) -> None:
        """Forget the wrong passwords of `key`."""
        self.redis.delete(self._keys(key)[0])
