"""The WeChat client: configured base address, one shared access token, one refresh for everyone."""
from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import requests

from bot.config import Settings, load_settings
from bot.database import Database
from simulator.sandbox import SandboxHandle
from simulator.sandbox_state import DEMO_MEDIA_ID
from bot.wechat_api import DatabaseStorage, RedisStorage, SharedTokenClient, make_wechat_client
from models.base import utcnow
from models.token import StoredToken
from tests.conftest import APP_ID

OPENID = "o_wechat_api_follower"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, object], sandbox: SandboxHandle) -> dict[str, object]:
    """The test configuration pointed at the sandbox."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url}


def token_calls(sandbox: SandboxHandle) -> int:
    """How many tokens the sandbox issued."""
    paths = sandbox.state.stats()["paths"]
    return paths.get("/cgi-bin/token", 0) + paths.get("/cgi-bin/stable_token", 0)


def test_client_uses_the_configured_base_for_messages_menu_and_media(settings: Settings, db: Database,
                                                                     sandbox: SandboxHandle) -> None:
    """send_text, menu.create and media.download reach the sandbox, never the real host."""
    client = make_wechat_client(settings, db)
    assert client.message.send_text(OPENID, "您好")["errcode"] == 0
    assert client.menu.create({"button": [{"type": "click", "name": "申报", "key": "SUBMIT"}]})["errcode"] == 0
    assert client.media.download(DEMO_MEDIA_ID).content.startswith(b"\x89PNG")
    calls = requests.get(f"{sandbox.url}/_sandbox/calls", params={"openid": OPENID}, timeout=5).json()["calls"]
    assert [c["body"]["text"]["content"] for c in calls] == ["您好"]


def test_processes_share_one_token(settings: Settings, db: Database, sandbox: SandboxHandle) -> None:
    """Two clients on separate connections (two processes) fetch one token between them."""
    other = Database(settings.database_url)
    try:
        first, second = make_wechat_client(settings, db), make_wechat_client(settings, other)
        assert first.message.send_text(OPENID, "1")["errcode"] == 0
        assert second.message.send_text(OPENID, "2")["errcode"] == 0
        assert first.access_token == second.access_token
        assert token_calls(sandbox) == 1
    finally:
        other.dispose()


def test_invalid_token_in_many_processes_is_refreshed_once(settings: Settings, db: Database,
                                                           sandbox: SandboxHandle) -> None:
    """The shared token is revoked behind our back: four processes get 40001, one refresh in total."""
    make_wechat_client(settings, db).access_token  # noqa: B018 - the first token, shared
    databases = [Database(settings.database_url) for _ in range(4)]
    clients = [make_wechat_client(settings, d) for d in databases]
    for client in clients:
        client.access_token  # noqa: B018 - each process has read the (soon invalid) token
    requests.post(f"{sandbox.url}/_sandbox/token_grace", json={"seconds": 0}, timeout=5)
    sandbox.state.issue_token("basic")  # someone else (another tool) took a token: ours is dead now
    results: list[object] = []

    def send(client: SharedTokenClient) -> None:
        try:
            results.append(client.message.send_text(OPENID, "x")["errcode"])
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(exc))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for d in databases:
        d.dispose()
    assert results == [0, 0, 0, 0]
    assert token_calls(sandbox) == 2
    assert len(sandbox.state.find_calls("/cgi-bin/message/custom/send")["calls"]) >= 4


def test_token_is_refreshed_before_it_expires(settings: Settings, db: Database, sandbox: SandboxHandle) -> None:
    """A stored token with two minutes left is replaced before use, not after a failure."""
    client = make_wechat_client(settings, db)
    old = client.access_token
    with db.transaction() as session:
        session.get(StoredToken, f"{APP_ID}_access_token").expires_at = utcnow() + timedelta(minutes=2)
    assert client.message.send_text(OPENID, "x")["errcode"] == 0
    assert client.access_token != old and token_calls(sandbox) == 2
    assert sandbox.state.stats()["paths"]["/cgi-bin/message/custom/send"] == 1


def test_stable_token_mode(settings_overrides: dict[str, object], db: Database, sandbox: SandboxHandle) -> None:
    """With WECHAT_STABLE_TOKEN the client uses /cgi-bin/stable_token."""
    settings = load_settings({**settings_overrides, "WECHAT_STABLE_TOKEN": "1"})
    assert make_wechat_client(settings, db).message.send_text(OPENID, "x")["errcode"] == 0
    assert sandbox.state.stats()["paths"] == {"/cgi-bin/stable_token": 1, "/cgi-bin/message/custom/send": 1}


def test_redis_storage_shares_and_refreshes_once(settings: Settings, db: Database, sandbox: SandboxHandle) -> None:
    """With Redis the token is shared the same way (skipped when no Redis runs locally)."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    stores = [RedisStorage("redis://127.0.0.1:6379/15", prefix=prefix) for _ in range(2)]
    try:
        first, second = (SharedTokenClient(settings, store) for store in stores)
        assert first.access_token == second.access_token
        stale = first.access_token
        assert first.refresh_token(stale) == second.refresh_token(stale) != stale
        assert token_calls(sandbox) == 2
    finally:
        stores[0].redis.delete(*stores[0].redis.keys(f"{prefix}:*"))


def test_database_storage_is_a_wechatpy_session_storage(db: Database) -> None:
    """get/set/delete behave as wechatpy expects."""
    storage = DatabaseStorage(db)
    storage.set("k", "v", 3600)
    assert storage.get("k") == "v"
    storage.delete("k")
    assert storage.get("k", "default") == "default"
