"""The pages in a real browser (Debian's Chromium, headless) against the real server and database."""
from __future__ import annotations

from typing import Any

import pytest

from models.accounts import find_account, set_active
from models.audit import COMMAND_LINE
from models.base import utcnow
from tests.web.conftest import PASSWORD
from bot.extensions import database_of


def watch(page: Any) -> list[str]:
    """Collect what went wrong while a page loaded: script errors, CSP refusals, failed requests."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A request the page's own navigation cancelled (a script still loading when a form post leaves the page,
    # which happens on a loaded machine) is not a fault; a refused or unreachable one is.
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}")
            if request.failure != "net::ERR_ABORTED" else None)
    return problems


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the login form on the current page."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_log_in_lands_where_you_were_going(page, accounts):
    accounts.add("wang", "staff", name="王力")
    problems = watch(page)
    page.goto("/audit")
    assert page.url.endswith("/login?next=%2Faudit")
    assert page.get_by_role("alert").inner_text() == "请先登录。"
    log_in(page, "wang")
    page.wait_for_url("**/audit")
    assert page.get_by_role("heading", name="操作日志").is_visible()
    assert page.get_by_test_id("who").inner_text().startswith("王力")
    assert problems == []  # the vendored scripts load and run under the page's security policy


def test_a_wrong_password_shows_why_and_keeps_the_username(page, accounts):
    accounts.add("wang", "staff")
    page.goto("/login")
    log_in(page, "wang", "not-the-password")
    assert page.get_by_test_id("login-problem").inner_text() == "用户名或密码不对，请再试一次。"
    assert page.get_by_label("用户名").input_value() == "wang"
    assert page.get_by_label("密码").input_value() == ""


def test_log_out_and_the_pages_are_closed_again(page, accounts):
    accounts.add("wang", "staff")
    page.goto("/login")
    log_in(page, "wang")
    page.wait_for_url(lambda url: url.endswith("/"))
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    page.goto("/audit")
    assert "/login?next=" in page.url


def test_the_audit_page_filters_by_action_and_subject(page, app, accounts, demo):
    accounts.add("boss", "admin")
    accounts.add("li", "coordinator", unit_id=demo["晋源能源集团一矿"]["id"])
    accounts.add("zhao", "reviewer", systems=["transport"])
    with database_of(app).transaction() as session:
        set_active(session, COMMAND_LINE, find_account(session, "zhao"), False, utcnow())
    page.goto("/login")
    log_in(page, "boss")
    page.goto("/audit")
    rows = page.get_by_test_id("audit-entry")
    assert rows.count() == 4  # three accounts created, one deactivated
    page.get_by_label("操作", exact=True).select_option(label="停用账号")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**action=account.deactivate**")
    assert rows.count() == 1
    assert "zhao" in rows.first.inner_text() and "命令行" in rows.first.inner_text()
    assert "启用" not in rows.first.inner_text() and "是 → 否" in rows.first.inner_text()
    page.get_by_role("link", name="清除").click()
    page.get_by_label("对象").fill("li")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**subject=li**")
    assert rows.count() == 1 and "新建账号" in rows.first.inner_text()
    page.get_by_label("对象").fill("nobody")
    page.get_by_role("button", name="筛选").click()
    assert page.get_by_test_id("audit-empty").inner_text() == "没有符合条件的记录。"


@pytest.mark.parametrize("width", [390])
def test_the_login_page_fits_a_phone(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.get_by_role("button", name="登录").bounding_box()["width"] > width / 2
