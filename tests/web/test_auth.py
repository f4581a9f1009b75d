"""Signing in and out over HTTP: tokens, wrong passwords, the limit across processes, cookies."""
from urllib.parse import urlsplit

import pytest

from bot import create_app
from tests.web.conftest import PASSWORD, AuthActions, csrf_token
from bot.extensions import database_of


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ("/", "/audit", "/accounts", "/accounts/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert urlsplit(response.location).path == "/login" and f"next={path.replace('/', '%2F')}" in response.location


def test_a_form_without_its_token_is_refused(client, accounts):
    accounts.add("wang", "staff")
    client.get("/login")
    response = client.post("/login", data={"username": "wang", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面可能已过期" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    assert client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": "forged"}).status_code == 400


def test_signing_in_goes_where_the_visitor_was_going(client, auth, accounts):
    accounts.add("wang", "staff", name="王力")
    response = auth.login("WANG", next_path="/audit")
    assert response.status_code == 302 and response.location == "/audit"
    page = client.get("/").get_data(as_text=True)
    assert "您好，王力" in page and "工会工作人员" in page


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "/\\evil.example"])
def test_signing_in_never_sends_the_visitor_to_another_site(auth, accounts, target):
    accounts.add("wang", "staff")
    location = auth.login("wang", next_path=target).location
    assert location == "/"


def test_a_wrong_password_says_so_and_signs_nobody_in(client, auth, accounts):
    accounts.add("wang", "staff")
    response = auth.login("wang", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码不对" in response.get_data(as_text=True)
    assert auth.login("nobody", PASSWORD).status_code == 401
    assert client.get("/").status_code == 302


def test_the_sixth_wrong_password_is_429_whichever_process_answers(settings_overrides, accounts):
    second_app = create_app(settings_overrides)  # another worker process on the same database
    try:
        accounts.add("wang", "staff")
        first, second = AuthActions(accounts.app.test_client()), AuthActions(second_app.test_client())
        answers = [(first if i % 2 else second).login("wang", "not-the-password") for i in range(5)]
        assert [r.status_code for r in answers] == [401] * 5
        assert "已锁定 15 分钟" in answers[-1].get_data(as_text=True)
        sixth = first.login("wang", PASSWORD)
        assert sixth.status_code == 429 and int(sixth.headers["Retry-After"]) > 14 * 60
        assert "请 15 分钟后再试" in sixth.get_data(as_text=True)
        assert second.login("wang", PASSWORD).status_code == 429
        assert second.login("li", "not-the-password").status_code == 401  # other usernames are not affected
    finally:
        database_of(second_app).dispose()


def test_logging_out_needs_the_token_and_ends_the_session(client, auth, accounts):
    accounts.add("wang", "staff")
    auth.login("wang")
    assert client.post("/logout").status_code == 400
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").status_code == 302


def test_a_new_password_or_deactivation_ends_sessions_signed_in_before(app, client, auth, accounts):
    from models.accounts import find_account, set_active, set_password
    from models.audit import COMMAND_LINE
    from models.base import utcnow

    accounts.add("wang", "staff")
    auth.login("wang")
    with database_of(app).transaction() as session:
        set_password(session, COMMAND_LINE, find_account(session, "wang"), "a-new-secret", utcnow())
    assert client.get("/").status_code == 302
    auth.login("wang", "a-new-secret")
    with database_of(app).transaction() as session:
        set_active(session, COMMAND_LINE, find_account(session, "wang"), False, utcnow())
    assert client.get("/").status_code == 302
    response = auth.login("wang", "a-new-secret")
    assert response.status_code == 401 and "已停用" in response.get_data(as_text=True)


def test_session_cookie_is_http_only_and_same_site(auth, accounts):
    accounts.add("wang", "staff")
    cookie = auth.login("wang").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_behind_an_https_proxy_cookies_are_secure_and_requests_see_the_visitor(settings_overrides):
    from flask import request

    app = create_app({**settings_overrides, "PUBLIC_BASE_URL": "https://union.example", "WEB_PROXY_HOPS": "1"})
    app.add_url_rule("/_probe", "probe", lambda: f"{request.scheme} {request.host} {request.remote_addr}")
    try:
        client = app.test_client()
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "union.example", "X-Forwarded-For": "10.1.2.3"}
        assert "Secure" in client.get("/login", headers=headers).headers["Set-Cookie"]
        assert client.get("/_probe", headers=headers).get_data(as_text=True) == "https union.example 10.1.2.3"
    finally:
        database_of(app).dispose()


def test_inside_wechat_the_login_page_is_the_phone_one(client):
    wechat = {"User-Agent": "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI"}
    phone = client.get("/login", headers=wechat).get_data(as_text=True)
    desktop = client.get("/login").get_data(as_text=True)
    assert "weui.min.css" in phone and "weui-input" in phone and "tabler.min.css" not in phone
    assert "tabler.min.css" in desktop and "weui" not in desktop
    assert csrf_token(client.get("/login", headers=wechat))
