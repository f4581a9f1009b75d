"""The inbound spool, in its file and in Redis: each message once, in arrival order, and one replayer at a time."""
from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.spool import FileSpool, RedisSpool, Spooled

REDIS_URL = "redis://127.0.0.1:6379/1"


def _redis_spool() -> RedisSpool:
    """A Redis spool under a prefix of its own, or a skip when no Redis server runs here."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    return RedisSpool(REDIS_URL, prefix=f"test:spool:{secrets.token_hex(4)}")


@pytest.fixture(params=["file", "redis"])
def spool(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileSpool | RedisSpool]:
    """An empty spool of each kind."""
    if request.param == "file":
        yield FileSpool(tmp_path / "instance" / "spool.sqlite3")
        return
    store = _redis_spool()
    yield store
    keys = store.redis.keys(f"{store.prefix}:*")
    if keys:
        store.redis.delete(*keys)


def item(key: str, openid: str = "o_a", text: str = "确认") -> Spooled:
    """A kept text message."""
    return Spooled(key, openid, datetime.now(timezone.utc),
                   f"<xml><FromUserName>{openid}</FromUserName><Content>{text}</Content></xml>")


def test_a_retry_is_kept_once_and_messages_come_out_in_the_order_they_came(spool) -> None:
    assert spool.add(item("msg:1")) and spool.add(item("msg:2", "o_b")) and spool.add(item("msg:3"))
    assert not spool.add(item("msg:1", text="again"))  # WeChat's retry of the first
    assert spool.count() == 3
    kept = spool.oldest(10)
    assert [k.key for k in kept] == ["msg:1", "msg:2", "msg:3"] and kept[0].xml.endswith("<Content>确认</Content></xml>")
    assert [k.key for k in spool.oldest(2)] == ["msg:1", "msg:2"]


def test_a_follower_is_pending_until_his_last_message_is_removed(spool) -> None:
    assert not spool.has_pending("o_a")
    spool.add(item("msg:1"))
    spool.add(item("msg:2"))
    spool.add(item("msg:3", "o_b"))
    assert spool.has_pending("o_a") and spool.has_pending("o_b") and not spool.has_pending("o_c")
    spool.remove("msg:1")
    assert spool.has_pending("o_a")
    spool.remove("msg:2")
    spool.remove("msg:2")  # twice: nothing more happens
    assert not spool.has_pending("o_a") and spool.has_pending("o_b") and spool.count() == 1
    spool.remove("msg:3")
    assert spool.count() == 0 and spool.oldest(5) == []


def test_only_one_process_replays_at_a_time(spool) -> None:
    with spool.draining() as first:
        with spool.draining() as second:
            assert first and not second
    with spool.draining() as again:
        assert again


def test_the_file_spool_keeps_its_messages_for_the_next_process(tmp_path: Path) -> None:
    """Kept by one process that then dies (a crash, a restart): another process finds them."""
    path = tmp_path / "spool.sqlite3"
    code = ("import sys; from datetime import datetime, timezone; from bot.spool import FileSpool, Spooled; "
            f"s = FileSpool(__import__('pathlib').Path({str(path)!r})); "
            "s.add(Spooled('msg:9', 'o_a', datetime.now(timezone.utc), '<xml/>')); import os; os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
    spool = FileSpool(path)
    assert spool.has_pending("o_a") and [k.key for k in spool.oldest(5)] == ["msg:9"]


def test_the_empty_file_spool_is_checked_without_opening_it(tmp_path: Path) -> None:
    spool = FileSpool(tmp_path / "spool.sqlite3")
    assert not spool.has_pending("o_a")
    assert getattr(spool._local, "conn", None) is None  # the check on every message was one stat
    spool.add(item("msg:1"))
    assert spool.marker.exists()
    spool.remove("msg:1")
    assert not spool.marker.exists()


def test_a_message_kept_by_a_process_that_died_before_marking_it_is_found_at_the_next_start(tmp_path: Path) -> None:
    spool = FileSpool(tmp_path / "spool.sqlite3")
    spool.add(item("msg:1"))
    spool.marker.unlink()  # as if the process died between the row and the marker
    assert spool.count() == 0
    assert FileSpool(tmp_path / "spool.sqlite3").count() == 1
