"""The demo as a new user meets it: the showcase's winners on a phone, and /my from the chat's menu."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bot.extensions import database_of
from simulator.chat_client import TerminalChat
from simulator.demo import ServerThread, free_port
from simulator.demo_run import prepare_demo, push_menu
from tests.conftest import TOKEN
from tests.web.test_public_browser import PHONE


@pytest.fixture
def demo_site(settings_overrides, sandbox) -> Iterator[tuple[str, Any]]:
    """The demo's app (seeded as `python -m bot demo` seeds it) served on loopback; yields its URL and the sandbox."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app, _listing = prepare_demo({**settings_overrides, "WECHAT_API_BASE": sandbox.url,
                                  "WECHAT_OAUTH_BASE": sandbox.url, "PUBLIC_BASE_URL": url})
    push_menu(app)
    server = ServerThread(app, port=port).start()
    yield url, sandbox
    server.stop()
    database_of(app).dispose()


def test_a_new_user_finds_the_awarded_project_and_opens_my_from_the_menu(browser, demo_site):
    url, sandbox = demo_site
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    phone.goto(f"{url}/display")
    card = phone.get_by_role("link", name="带式输送机托辊快速更换装置")
    assert "一等奖" in card.inner_text()
    card.click()
    assert phone.get_by_role("img", name="带式输送机托辊快速更换装置 照片1").evaluate("i => i.naturalWidth") == 240

    menu = requests.get(f"{sandbox.url}/_sandbox/calls", timeout=5).json()["calls"]
    created = [c["body"] for c in menu if c["path"] == "/cgi-bin/menu/create"][-1]
    link = [b["url"] for b in created["button"] if b["type"] == "view"]
    assert link == [f"{url}/my"]
    # The winner taps the menu's link in the chat; the terminal chat says where to open it as them.
    chat = TerminalChat(url, sandbox.url, TOKEN, "o_demo_showcase_01", app_id="")
    lines = chat.send(f"/view {link[0]}")
    opened = lines[-1].split(": ", 1)[1].rstrip("]")
    phone.goto(opened)
    assert phone.url.split("#")[0] == f"{url}/my"
    assert phone.get_by_test_id("award").inner_text().startswith("一等奖，奖金 5000 元")
    assert phone.get_by_role("link", name="电子证书").get_attribute("href").endswith("2025-0001.pdf")
    chat.close()
    context.close()
