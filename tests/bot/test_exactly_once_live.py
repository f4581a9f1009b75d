"""Exactly once and in order against the production server: gunicorn (2 workers, threads) on a real database.

A message is handled without the write lock and committed with a compare-and-set on the dialog's
version (bot/inbox.py). Here the same MsgId arrives many times at once across both worker
processes, and many different messages of one follower arrive at once: one effect per MsgId,
every delivery gets the same reply, and no message of the follower is lost or applied twice.
"""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import xmltodict
from sqlalchemy import func, select

from bot.database import Database
from models.conversation import Conversation
from models.inbound import InboundMessage
from models.worker import Worker
from simulator.follower import SimulatedFollower
from tests.bot.live_server import LiveServer
from tests.conftest import APP_ID, TOKEN, _backends, _truncate

pytestmark = pytest.mark.slow

BURST = 16


@dataclass
class Live:
    """A live server and the database behind it."""

    server: LiveServer
    db: Database


@pytest.fixture(scope="module", params=_backends())
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """gunicorn with the production settings on a fresh database."""
    folder = tmp_path_factory.mktemp(f"exactly-once-{request.param}")
    if request.param == "sqlite":
        path = folder / "bot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate(url)
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "test-secret",
           "SECRET_KEY": "test-secret-key", "DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance"),
           "WECHAT_API_BASE": "http://127.0.0.1:9", "WECHAT_AES_KEY": "", "WEB_CONCURRENCY": "2", "THREADS": "8"}
    server = LiveServer(env, folder / "gunicorn.log").start()
    db = Database(url)
    try:
        yield Live(server, db)
    finally:
        server.stop()
        db.dispose()


def _post(url: str, follower: SimulatedFollower, fields: dict) -> tuple[int, str]:
    """Post one signed message once (no retry); its status and reply text."""
    signed = follower.sign(fields)
    response = requests.post(f"{url}/wechat?{signed.query_string()}", data=signed.body.encode("utf-8"),
                             headers={"Content-Type": "text/xml"}, timeout=30)
    body = response.text
    return response.status_code, (xmltodict.parse(body)["xml"].get("Content") or "") if body.startswith("<xml>") else ""


def _at_once(url: str, follower: SimulatedFollower, messages: list[dict]) -> list[tuple[int, str]]:
    """Post the messages all at the same moment, one thread each."""
    barrier = threading.Barrier(len(messages))
    results: list[tuple[int, str]] = []

    def send(fields: dict) -> None:
        barrier.wait()
        results.append(_post(url, follower, fields))

    threads = [threading.Thread(target=send, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _turns(db: Database, openid: str) -> int:
    with db.transaction() as s:
        return s.scalars(select(Conversation.turns).join(Worker, Worker.id == Conversation.worker_id)
                         .where(Worker.openid == openid)).one()


def _rows(db: Database, openid: str) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.openid == openid))


@pytest.mark.parametrize("first_contact", [False, True], ids=["known follower", "first contact"])
def test_a_burst_of_one_msgid_across_processes_has_one_effect_and_one_reply(live: Live, first_contact: bool) -> None:
    openid = f"o_burst_{first_contact}"
    follower = SimulatedFollower(token=TOKEN, openid=openid, app_id=APP_ID)
    if not first_contact:
        assert _post(live.server.url, follower, follower.text("你好"))[0] == 200
    before = 0 if first_contact else _turns(live.db, openid)
    message = follower.text("帮助")
    results = _at_once(live.server.url, follower, [message] * BURST)
    assert [status for status, _ in results] == [200] * BURST
    assert len({text for _, text in results}) == 1 and "申报" in results[0][1]
    assert _turns(live.db, openid) == before + 1
    assert _rows(live.db, openid) == (1 if first_contact else 2)


def test_many_messages_of_one_follower_at_once_are_each_applied_once(live: Live) -> None:
    openid = "o_many"
    follower = SimulatedFollower(token=TOKEN, openid=openid, app_id=APP_ID)
    assert _post(live.server.url, follower, follower.text("你好"))[0] == 200
    before = _turns(live.db, openid)
    results = _at_once(live.server.url, follower, [follower.text("帮助") for _ in range(BURST)])
    assert [status for status, _ in results] == [200] * BURST
    assert all("申报" in text for _, text in results)
    assert _turns(live.db, openid) == before + BURST  # no update lost to a concurrent one: each saw the last
    assert _rows(live.db, openid) == 1 + BURST
