"""Wrong passwords: five within 15 minutes lock the username for 15 minutes, in the database and in Redis."""
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis

from models.accounts import LoginResult, create_account, log_in
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.login_throttle import DatabaseThrottle, RedisThrottle

REDIS_URL = "redis://127.0.0.1:6379/2"
MINUTE = timedelta(minutes=1)


@pytest.fixture(params=["database", "redis"])
def throttle_of(request, db) -> Iterator:
    """A function giving the throttle for a session: the database's, or Redis's (db 2)."""
    if request.param == "database":
        yield DatabaseThrottle
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-login-{id(request)}"
    yield lambda _session: RedisThrottle(client, prefix=prefix)
    keys = client.keys(f"{prefix}:*")
    if keys:
        client.delete(*keys)


def attempt(db, throttle_of, password, at, username="wang"):
    with db.transaction() as session:
        return log_in(session, throttle_of(session), username, password, at)


@pytest.fixture
def account(db):
    with db.transaction() as session:
        create_account(session, COMMAND_LINE, username="wang", password="right-password", role="staff", now=utcnow())


def test_the_sixth_try_is_refused_without_looking_at_the_password(db, throttle_of, account):
    start = utcnow()
    outcomes = [attempt(db, throttle_of, "wrong-password", start + i * MINUTE) for i in range(5)]
    assert [o.result for o in outcomes] == [LoginResult.wrong] * 5
    assert [o.locked_until is not None for o in outcomes] == [False] * 4 + [True]
    assert outcomes[4].locked_until == start + 4 * MINUTE + 15 * MINUTE
    sixth = attempt(db, throttle_of, "right-password", start + 5 * MINUTE)
    assert sixth.result == LoginResult.locked and sixth.locked_until == outcomes[4].locked_until
    assert attempt(db, throttle_of, "right-password", start + 18 * MINUTE).result == LoginResult.locked
    assert attempt(db, throttle_of, "right-password", start + 19 * MINUTE).result == LoginResult.ok


def test_only_failures_within_fifteen_minutes_add_up(db, throttle_of, account):
    start = utcnow()
    for minutes in (0, 5, 10, 14):
        attempt(db, throttle_of, "wrong-password", start + minutes * MINUTE)
    assert attempt(db, throttle_of, "wrong-password", start + 16 * MINUTE).locked_until is None  # the first aged out
    assert attempt(db, throttle_of, "wrong-password", start + 17 * MINUTE).locked_until is not None


def test_a_right_password_forgets_earlier_failures(db, throttle_of, account):
    start = utcnow()
    for i in range(4):
        attempt(db, throttle_of, "wrong-password", start + i * MINUTE)
    assert attempt(db, throttle_of, "right-password", start + 4 * MINUTE).result == LoginResult.ok
    for i in range(4):
        assert attempt(db, throttle_of, "wrong-password", start + (5 + i) * MINUTE).locked_until is None


def test_unknown_usernames_are_locked_the_same_way(db, throttle_of):
    start = utcnow()
    outcomes = [attempt(db, throttle_of, "guess", start, username="nobody") for _ in range(6)]
    assert [o.result for o in outcomes] == [LoginResult.wrong] * 5 + [LoginResult.locked]
