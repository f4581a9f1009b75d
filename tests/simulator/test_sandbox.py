"""The WeChat API sandbox answers like WeChat, records calls and injects faults on request."""
from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy import WeChatClient
from wechatpy.exceptions import APILimitedException, WeChatClientException

from simulator.sandbox import SandboxHandle, create_sandbox_app, start_sandbox_thread
from simulator.sandbox_state import DEMO_MEDIA_ID, tiny_png

APP_ID = "wxsandboxtest0001"
SECRET = "sandbox-secret"
OPENID = "oSandboxFollower000000000001"


class SandboxClient(WeChatClient):
    """wechatpy's client pointed at the sandbox (the token URL is hard-coded in wechatpy)."""

    def __init__(self, base_url: str, appid: str = APP_ID, secret: str = SECRET) -> None:
        super().__init__(appid, secret)
        self.base_url = base_url
        self.API_BASE_URL = f"{base_url}/cgi-bin/"

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch the token from the sandbox instead of api.weixin.qq.com."""
        return self._fetch_access_token(
            url=f"{self.base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})


@pytest.fixture(scope="module")
def running() -> Iterator[SandboxHandle]:
    """One sandbox server on a free loopback port for the whole module."""
    handle = start_sandbox_thread("127.0.0.1", 0, APP_ID, SECRET)
    yield handle
    handle.stop()


@pytest.fixture()
def sandbox(running: SandboxHandle) -> SandboxHandle:
    """The running sandbox, reset to a clean state."""
    running.state.reset()
    return running


@pytest.fixture()
def client(sandbox: SandboxHandle) -> SandboxClient:
    """A wechatpy client talking to the sandbox."""
    return SandboxClient(sandbox.url)


def control(sandbox: SandboxHandle, name: str, **body: Any) -> dict[str, Any]:
    """POST to the sandbox control API and return its JSON answer."""
    response = requests.post(f"{sandbox.url}/_sandbox/{name}", json=body, timeout=5)
    response.raise_for_status()
    return response.json()


def calls(sandbox: SandboxHandle, **params: Any) -> list[dict[str, Any]]:
    """Return the recorded calls matching the filters."""
    return requests.get(f"{sandbox.url}/_sandbox/calls", params=params, timeout=5).json()["calls"]


def get_token(sandbox: SandboxHandle) -> str:
    """Fetch a fresh access token over HTTP."""
    answer = requests.get(f"{sandbox.url}/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}, timeout=5).json()
    return answer["access_token"]


def send_text(sandbox: SandboxHandle, token: str, openid: str = OPENID) -> dict[str, Any]:
    """Send a customer-service text over HTTP and return WeChat's answer."""
    return requests.post(f"{sandbox.url}/cgi-bin/message/custom/send", params={"access_token": token},
                         json={"touser": openid, "msgtype": "text", "text": {"content": "hi"}},
                         timeout=5).json()


def test_wechatpy_client_sends_messages_menu_and_downloads_media(sandbox: SandboxHandle,
                                                                 client: SandboxClient) -> None:
    """The real wechatpy client works unchanged against the sandbox."""
    assert client.message.send_text(OPENID, "你好，矿工") == {"errcode": 0, "errmsg": "ok"}
    sent = client.message.send_template(OPENID, "tpl-deadline", {"first": {"value": "申报截止提醒"}},
                                        url="http://example.org/p/1")
    assert sent["errcode"] == 0 and isinstance(sent["msgid"], int)
    menu = {"button": [{"type": "click", "name": "我要申报", "key": "SUBMIT"}]}
    assert client.menu.create(menu)["errcode"] == 0
    assert client.menu.get() == {"menu": menu}
    image = client.media.download(DEMO_MEDIA_ID)
    assert image.headers["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    texts = calls(sandbox, path="/cgi-bin/message/custom/send", openid=OPENID)
    assert [c["body"]["text"]["content"] for c in texts] == ["你好，矿工"]
    assert calls(sandbox, path="/cgi-bin/message/template/send")[0]["body"]["template_id"] == "tpl-deadline"


def test_tiny_png_is_a_valid_png() -> None:
    """The generated image has a correct IHDR and decompressible pixel data."""
    data = tiny_png(size=4)
    assert data[12:16] == b"IHDR" and int.from_bytes(data[16:20], "big") == 4
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4:idat], "big")
    assert len(zlib.decompress(data[idat + 4:idat + 4 + length])) == 4 * (1 + 4 * 3)
    assert data.endswith(b"IEND\xaeB`\x82")


def test_uploaded_media_is_downloaded_as_uploaded(sandbox: SandboxHandle, client: SandboxClient) -> None:
    """Bytes put through the control API come back from media/get; unknown ids get 40007."""
    jpeg = b"\xff\xd8\xff\xe0" + b"fake jpeg body"
    media_id = requests.post(f"{sandbox.url}/_sandbox/media", data=jpeg, timeout=5).json()["media_id"]
    download = client.media.download(media_id)
    assert download.content == jpeg and download.headers["Content-Type"] == "image/jpeg"
    with pytest.raises(WeChatClientException) as failure:
        client.media.download("no-such-media")
    assert failure.value.errcode == 40007


def test_media_upload_api(sandbox: SandboxHandle, client: SandboxClient) -> None:
    """media/upload stores a file that media/get returns and image messages may use."""
    uploaded = client.media.upload("image", ("photo.png", tiny_png(), "image/png"))
    assert uploaded["type"] == "image" and uploaded["media_id"]
    assert client.media.download(uploaded["media_id"]).content == tiny_png()
    assert client.message.send_image(OPENID, uploaded["media_id"])["errcode"] == 0
    with pytest.raises(WeChatClientException) as failure:
        client.message.send_image(OPENID, "unknown-media")
    assert failure.value.errcode == 40007


def test_token_errors_are_wechats(sandbox: SandboxHandle) -> None:
    """Wrong appid, secret or grant type, and missing or unknown tokens answer as WeChat does."""
    url = f"{sandbox.url}/cgi-bin/token"
    base = {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}
    assert requests.get(url, params={**base, "appid": "wxother"}, timeout=5).json()["errcode"] == 40013
    assert requests.get(url, params={**base, "secret": "bad"}, timeout=5).json()["errcode"] == 40125
    assert requests.get(url, params={**base, "grant_type": "x"}, timeout=5).json()["errcode"] == 40002
    token = requests.get(url, params=base, timeout=5).json()
    assert token["expires_in"] == 7200 and token["access_token"]
    assert send_text(sandbox, "forged")["errcode"] == 40001
    no_token = requests.post(f"{sandbox.url}/cgi-bin/message/custom/send", json={}, timeout=5).json()
    assert no_token["errcode"] == 41001 and no_token["errmsg"].startswith("access_token missing")


def test_new_token_invalidates_old_after_grace(sandbox: SandboxHandle) -> None:
    """A refresh leaves the old token working during the grace; with grace 0 it is dead at once."""
    first = get_token(sandbox)
    second = get_token(sandbox)
    assert send_text(sandbox, first)["errcode"] == 0
    control(sandbox, "token_grace", seconds=0)
    get_token(sandbox)
    assert send_text(sandbox, second)["errcode"] == 40001
    assert send_text(sandbox, first)["errcode"] == 0  # its grace was granted before the change


def test_expired_tokens_get_42001_and_wechatpy_refreshes(sandbox: SandboxHandle,
                                                         client: SandboxClient) -> None:
    """After expiry calls get 42001; wechatpy fetches a new token and retries once."""
    token = get_token(sandbox)
    control(sandbox, "expire_tokens")
    assert send_text(sandbox, token)["errcode"] == 42001
    client.message.send_text(OPENID, "first")
    control(sandbox, "expire_tokens")
    assert client.message.send_text(OPENID, "after expiry")["errcode"] == 0
    statuses = [c["response"].get("errcode") for c in calls(sandbox, path="/cgi-bin/message/custom/send")]
    assert statuses == [42001, 0, 42001, 0]


def test_stable_token_is_stable_until_forced(sandbox: SandboxHandle) -> None:
    """stable_token returns the same token while valid; force_refresh replaces it at once."""
    url = f"{sandbox.url}/cgi-bin/stable_token"
    body = {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET, "force_refresh": False}
    first = requests.post(url, json=body, timeout=5).json()
    assert requests.post(url, json=body, timeout=5).json()["access_token"] == first["access_token"]
    forced = requests.post(url, json={**body, "force_refresh": True}, timeout=5).json()
    assert forced["access_token"] != first["access_token"] and forced["expires_in"] == 7200
    assert send_text(sandbox, first["access_token"])["errcode"] == 40001
    assert send_text(sandbox, forced["access_token"])["errcode"] == 0
    assert requests.post(url, json={**body, "secret": "x"}, timeout=5).json()["errcode"] == 40125


@pytest.mark.parametrize("errcode", [40001, 42001, 45009, 43004, -1])
def test_injected_failures_hit_the_next_n_calls(sandbox: SandboxHandle, errcode: int) -> None:
    """/fail makes exactly the next N matching calls fail with WeChat's errmsg."""
    token = get_token(sandbox)
    control(sandbox, "fail", count=2, errcode=errcode, path="/cgi-bin/message/")
    first, second, third = (send_text(sandbox, token) for _ in range(3))
    assert first["errcode"] == second["errcode"] == errcode
    assert third == {"errcode": 0, "errmsg": "ok"}
    expected = {40001: "invalid credential", 42001: "access_token expired", 45009: "reach max api",
                43004: "require subscribe", -1: "system error"}[errcode]
    assert first["errmsg"].startswith(expected)


def test_failure_without_path_spares_token_endpoint(sandbox: SandboxHandle, client: SandboxClient) -> None:
    """A pathless 40001 fails the send; wechatpy refreshes its token and the retry succeeds."""
    client.fetch_access_token()
    control(sandbox, "fail", count=1, errcode=40001)
    assert client.message.send_text(OPENID, "retry me")["errcode"] == 0
    paths = [c["path"] for c in calls(sandbox)]
    assert paths == ["/cgi-bin/token", "/cgi-bin/message/custom/send", "/cgi-bin/token",
                     "/cgi-bin/message/custom/send"]


def test_rate_limit_error_reaches_wechatpy(sandbox: SandboxHandle, client: SandboxClient) -> None:
    """45009 surfaces as wechatpy's APILimitedException."""
    control(sandbox, "fail", count=1, errcode=45009, path="/cgi-bin/message/template/send")
    with pytest.raises(APILimitedException):
        client.message.send_template(OPENID, "tpl", {})


def test_stall_delays_matching_calls(sandbox: SandboxHandle) -> None:
    """/stall makes the next call wait; later calls are fast again."""
    token = get_token(sandbox)
    control(sandbox, "stall", count=1, seconds=0.4, path="/cgi-bin/message/custom/send")
    started = time.monotonic()
    send_text(sandbox, token)
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    send_text(sandbox, token)
    assert time.monotonic() - started < 0.3


def test_down_answers_503_but_control_api_works(sandbox: SandboxHandle) -> None:
    """/down makes the API answer 503 for a while; the control API keeps working."""
    token = get_token(sandbox)
    control(sandbox, "down", seconds=30)
    response = requests.get(f"{sandbox.url}/cgi-bin/menu/get", params={"access_token": token}, timeout=5)
    assert response.status_code == 503
    assert calls(sandbox, path="/cgi-bin/menu/get")[0]["status"] == 503
    control(sandbox, "down", seconds=0)
    assert requests.get(f"{sandbox.url}/cgi-bin/menu/get", params={"access_token": token},
                        timeout=5).json()["errcode"] == 46003


def test_unsubscribed_follower_gets_43004(sandbox: SandboxHandle, client: SandboxClient) -> None:
    """Sends to a follower who left fail with 43004; user info says subscribe 0."""
    control(sandbox, "unsubscribe", openid=OPENID)
    with pytest.raises(WeChatClientException) as failure:
        client.message.send_text(OPENID, "still there?")
    assert failure.value.errcode == 43004
    assert client.user.get(OPENID)["subscribe"] == 0
    control(sandbox, "subscribe", openid=OPENID)
    assert client.message.send_text(OPENID, "welcome back")["errcode"] == 0


def test_user_info(sandbox: SandboxHandle, client: SandboxClient) -> None:
    """user/info returns a follower profile, with overrides set through the control API."""
    info = client.user.get(OPENID)
    assert info["subscribe"] == 1 and info["openid"] == OPENID and info["nickname"]
    control(sandbox, "user", openid=OPENID, nickname="张师傅")
    assert client.user.get(OPENID)["nickname"] == "张师傅"


def test_oauth_code_exchange(sandbox: SandboxHandle) -> None:
    """A registered code gives its openid once; other codes get 40029, a reused one 40163."""
    control(sandbox, "oauth_code", code="CODE1", openid=OPENID)
    url = f"{sandbox.url}/sns/oauth2/access_token"
    params = {"appid": APP_ID, "secret": SECRET, "code": "CODE1", "grant_type": "authorization_code"}
    answer = requests.get(url, params=params, timeout=5).json()
    assert answer["openid"] == OPENID and answer["scope"] == "snsapi_base"
    assert {"access_token", "expires_in", "refresh_token"} <= answer.keys()
    assert requests.get(url, params=params, timeout=5).json()["errcode"] == 40163
    assert requests.get(url, params={**params, "code": "nope"}, timeout=5).json()["errcode"] == 40029


def test_calls_filter_by_since_and_openid(sandbox: SandboxHandle) -> None:
    """Pollers see only calls after the sequence number they last saw, for their openid."""
    token = get_token(sandbox)
    send_text(sandbox, token, "oOther")
    send_text(sandbox, token)
    mine = calls(sandbox, openid=OPENID)
    assert len(mine) == 1 and mine[0]["body"]["touser"] == OPENID
    assert calls(sandbox, openid=OPENID, since=mine[0]["seq"]) == []
    send_text(sandbox, token)
    assert len(calls(sandbox, openid=OPENID, since=mine[0]["seq"])) == 1
    answer = requests.get(f"{sandbox.url}/_sandbox/calls", params={"limit": 0}, timeout=5).json()
    assert answer["calls"] == [] and answer["last_seq"] >= mine[0]["seq"] + 1


def test_calls_limit_pages_without_losing_calls(sandbox: SandboxHandle) -> None:
    """With `limit`, following `next_since` visits every call exactly once."""
    token = get_token(sandbox)
    for _ in range(5):
        send_text(sandbox, token)
    seen: list[int] = []
    since = 0
    for _ in range(10):
        page = requests.get(f"{sandbox.url}/_sandbox/calls", params={"since": since, "limit": 2,
                                                                      "path": "/cgi-bin/message/"}, timeout=5).json()
        seen += [c["seq"] for c in page["calls"]]
        since = page["next_since"]
    assert len(seen) == 5 and seen == sorted(set(seen))


def test_stats_count_paths_and_peak_send_rate(sandbox: SandboxHandle) -> None:
    """Stats count calls per path and the most sends within one second, across threads."""
    token = get_token(sandbox)
    threads = [threading.Thread(target=send_text, args=(sandbox, token)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    assert stats["paths"] == {"/cgi-bin/token": 1, "/cgi-bin/message/custom/send": 8}
    assert stats["sends"] == 8 and stats["max_sends_per_second"] == 8


def test_control_body_needs_no_json_content_type(sandbox: SandboxHandle) -> None:
    """`curl -d '{...}'` (form content type) works as well as a JSON request."""
    token = get_token(sandbox)
    answer = requests.post(f"{sandbox.url}/_sandbox/fail", data='{"count": 1, "errcode": 45009}', timeout=5,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200
    assert send_text(sandbox, token)["errcode"] == 45009


def test_bad_control_input_is_400(sandbox: SandboxHandle) -> None:
    """Malformed control calls are refused instead of half-applied."""
    assert requests.post(f"{sandbox.url}/_sandbox/fail", json={"count": 1}, timeout=5).status_code == 400
    assert requests.post(f"{sandbox.url}/_sandbox/stall", json={"count": "x"}, timeout=5).status_code == 400
    assert requests.get(f"{sandbox.url}/_sandbox/calls", params={"since": "x"}, timeout=5).status_code == 400


def test_bad_api_bodies_and_unknown_paths(sandbox: SandboxHandle) -> None:
    """Empty and non-JSON bodies get WeChat's codes; an unimplemented path says so."""
    token = get_token(sandbox)
    url = f"{sandbox.url}/cgi-bin/message/custom/send"
    assert requests.post(url, params={"access_token": token}, timeout=5).json()["errcode"] == 44002
    assert requests.post(url, params={"access_token": token}, data=b"<xml/>", timeout=5).json()["errcode"] == 47001
    bad_type = requests.post(url, params={"access_token": token}, json={"touser": OPENID, "msgtype": "fax"},
                             timeout=5).json()
    assert bad_type["errcode"] == 40008
    unknown = requests.get(f"{sandbox.url}/cgi-bin/nothing", params={"access_token": token}, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["errcode"] == -1


def test_reset_forgets_state_but_sequence_keeps_growing(sandbox: SandboxHandle) -> None:
    """After a reset the old token is unknown and new calls get higher sequence numbers."""
    token = get_token(sandbox)
    before = calls(sandbox)[-1]["seq"]
    control(sandbox, "reset")
    assert calls(sandbox) == []
    assert send_text(sandbox, token)["errcode"] == 40001
    assert calls(sandbox)[0]["seq"] > before


def test_app_factory_keeps_state_per_app() -> None:
    """Two sandbox apps do not share tokens."""
    first = create_sandbox_app(APP_ID, SECRET).test_client()
    second = create_sandbox_app(APP_ID, SECRET).test_client()
    query = {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}
    token = first.get("/cgi-bin/token", query_string=query).get_json()["access_token"]
    answer = second.get("/cgi-bin/menu/get", query_string={"access_token": token}).get_json()
    assert answer["errcode"] == 40001


API_POSTS = ["/cgi-bin/message/custom/send", "/cgi-bin/message/template/send", "/cgi-bin/menu/create",
             "/cgi-bin/stable_token", "/cgi-bin/media/upload"]
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                               st.sampled_from(["touser", "msgtype", "text", "image", "media_id", "button",
                                                "template_id", "data", "appid", "secret", "grant_type"]),
                               inner, max_size=4), max_leaves=10)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(API_POSTS), body=st.one_of(st.binary(max_size=64), JSON_VALUES.map(
    lambda value: json.dumps(value).encode())))
def test_any_body_gets_a_wechat_answer_never_a_500(path: str, body: bytes) -> None:
    """Whatever a client posts, the sandbox answers with WeChat JSON (errcode), not a crash."""
    app = create_sandbox_app(APP_ID, SECRET)
    client = app.test_client()
    query = {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}
    token = client.get("/cgi-bin/token", query_string=query).get_json()["access_token"]
    response = client.post(path, query_string={"access_token": token}, data=body)
    answer = response.get_json()
    assert response.status_code == 200 and ("errcode" in answer or "access_token" in answer)
