"""The worker's page /my: WeChat sign-in through the sandbox's OAuth, only one's own projects, codes used once."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from models.base import utcnow
from models.project import Project
from models.seed import seed_demo
from simulator.sandbox_control import BROWSER_COOKIE
from tests.web.public_data import Generated, finalize, generate, put_under_notice


@pytest.fixture
def settings_overrides(settings_overrides, sandbox):
    """The app talks to the sandbox for the API and for the authorize page."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url, "WECHAT_OAUTH_BASE": sandbox.url}


@pytest.fixture
def made(db, settings) -> Generated:
    """The demo tree with 30 generated projects, each by its own follower."""
    with db.transaction() as session:
        seed_demo(session, utcnow())
        made = generate(session, settings.instance_path / "media", count=30)
        session.expunge_all()
    return made


def authorize(client, openid: str) -> tuple[str, str]:
    """Open /my and go through the sandbox's authorize page as `openid`; return WeChat's way back (path, state)."""
    start = client.get("/my")
    assert start.status_code == 302
    answer = requests.get(start.location, cookies={BROWSER_COOKIE: openid}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}", parse_qs(back.query)["state"][0]


def titles(html: str) -> set[str]:
    """The project titles the worker's page shows."""
    return set(re.findall(r'<h2 class="weui-media-box__title">([^<]+)</h2>', html))


def test_my_sends_the_browser_to_wechat_with_our_state(client, sandbox):
    start = client.get("/my")
    target = urlsplit(start.location)
    query = parse_qs(target.query)
    assert start.location.startswith(f"{sandbox.url}/connect/oauth2/authorize?")
    assert query["scope"] == ["snsapi_base"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://localhost/my/signin"] and len(query["state"][0]) >= 16


def test_a_follower_sees_only_their_own_projects_and_photos(client, made):
    mine = made.by_status["submitted"][0]
    back, _state = authorize(client, made.owner[mine.id])
    assert client.get(back).location == "/my"
    page = client.get("/my").get_data(as_text=True)
    assert titles(page) == {mine.title}
    assert "理由" in page  # the history with its reason
    own_photo = made.photos[mine.id][0]
    with client.get(f"/my/photos/{own_photo}") as photo:
        assert photo.status_code == 200 and photo.data.startswith(b"\x89PNG")
    others = [photo_id for project_id, ids in made.photos.items() if project_id != mine.id for photo_id in ids]
    assert all(client.get(f"/my/photos/{photo_id}").status_code == 404 for photo_id in others)
    assert not [openid for openid in made.openids if openid in page]


def test_a_replayed_code_is_refused(client, made, app):
    back, _state = authorize(client, made.openids[0])
    assert client.get(back).status_code == 302
    other = app.test_client()  # someone who got hold of the address, in another browser
    fresh = other.get("/my")
    state = parse_qs(urlsplit(fresh.location).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    replay = other.get("/my/signin", query_string={"code": code, "state": state})
    assert replay.status_code == 403 and "无法确认您的身份" in replay.get_data(as_text=True)
    assert other.get("/my").status_code == 302  # still not signed in


def test_a_forged_code_is_refused(client, made):
    state = parse_qs(urlsplit(client.get("/my").location).query)["state"][0]
    forged = client.get("/my/signin", query_string={"code": "made-up-code", "state": state})
    assert forged.status_code == 403
    assert client.get("/my").status_code == 302


def test_a_way_back_that_this_browser_did_not_start_is_refused(client, app, made):
    back, _state = authorize(app.test_client(), made.openids[0])  # started in another browser
    answer = client.get(back)
    assert answer.status_code == 400 and "请从公众号菜单" in answer.get_data(as_text=True)
    assert client.get("/my").status_code == 302


def test_a_follower_we_do_not_know_is_told_how_to_start(client, made):
    back, _state = authorize(client, "o_not_a_worker_of_ours_00000")
    answer = client.get(back)
    assert answer.status_code == 200 and "绑定" in answer.get_data(as_text=True)


def test_without_wechat_the_sandbox_says_to_open_it_in_wechat(client, sandbox):
    answer = requests.get(client.get("/my").location, allow_redirects=False, timeout=5)
    assert answer.status_code == 403 and "open this link in WeChat" in answer.text


def test_an_award_shows_its_level_prize_and_certificate(client, db, made):
    winner, noticed = made.of("awarded")[0], made.of("under_review")[0]
    with db.transaction() as session:
        finalize(session, [session.get(Project, winner.id)], ["first"])
        put_under_notice(session, [session.get(Project, noticed.id)], ["second"])
    back, _state = authorize(client, made.owner[winner.id])
    client.get(back)
    page = client.get("/my").get_data(as_text=True)
    assert "一等奖，奖金 5000 元" in page
    link = re.search(r'href="(/certificates/[^"]+\.pdf)"', page)
    assert link and winner.number in link.group(1)
    assert client.get(link.group(1)).data.startswith(b"%PDF")
    other = client.application.test_client()
    back, _state = authorize(other, made.owner[noticed.id])
    other.get(back)
    assert "拟获二等奖，正在公示" in other.get("/my").get_data(as_text=True)
