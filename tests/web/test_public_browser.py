"""The public showcase and the worker's page on a phone-sized Chromium, against the real server."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from models.base import utcnow
from models.seed import seed_demo
from tests.web.public_data import Generated, generate
from tests.web.test_browser import watch

#: An iPhone-sized screen, as WeChat's built-in browser on a small phone.
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                       "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN"}


@pytest.fixture
def phone(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh tab on a phone-sized screen whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def made(db, settings) -> Generated:
    """The demo tree with generated projects of every status."""
    with db.transaction() as session:
        seed_demo(session, utcnow())
        made = generate(session, settings.instance_path / "media", count=21)
        session.expunge_all()
    return made


def test_a_visitor_finds_an_awarded_project_on_a_phone(phone, made):
    problems = watch(phone)
    wanted = made.of("awarded")[1]
    phone.goto("/display")
    assert phone.get_by_role("heading", name="五小成果展示").is_visible()
    # Nothing sticks out sideways on a 375-pixel screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_label("关键词").fill(wanted.title)
    phone.get_by_role("button", name="搜索").click()
    phone.wait_for_url("**/display?q=*")
    assert phone.locator("#result-count").inner_text() == "共 1 项"
    phone.get_by_role("link", name=wanted.title).click()
    phone.wait_for_url(f"**/display/{wanted.id}")
    assert phone.get_by_role("heading", name=wanted.title).is_visible()
    photo = phone.get_by_role("img", name=f"{wanted.title} 照片1")
    photo.scroll_into_view_if_needed()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 64
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []


@pytest.fixture
def settings_overrides(settings_overrides, sandbox):
    """The app talks to the sandbox for the API and for the authorize page."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url, "WECHAT_OAUTH_BASE": sandbox.url}


def test_a_worker_opens_my_from_the_menu_inside_wechat(phone, made, sandbox, live_server):
    problems = watch(phone)
    mine = made.of("returned")[0]
    # The menu's link, opened in WeChat's browser as this follower (the sandbox knows who it is).
    phone.goto(f"{sandbox.url}/_sandbox/open?openid={made.owner[mine.id]}&url={live_server}/my")
    assert phone.url.split("#")[0] == f"{live_server}/my"  # the authorize URL's #wechat_redirect carries over
    assert phone.get_by_role("heading", name="我的项目").is_visible()
    project = phone.get_by_role("region", name=mine.title)
    assert project.get_by_test_id("status").inner_text() == "被退回，待修改"
    assert "理由" in project.inner_text()
    assert phone.locator("section.my-project").count() == 1
    photo = project.get_by_role("img", name=f"{mine.title} 照片1")
    photo.scroll_into_view_if_needed()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 64
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
