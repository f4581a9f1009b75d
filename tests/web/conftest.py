"""Fixtures for the web pages: accounts, a client that signs in, a real server and a real browser."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from simulator.demo import ServerThread
from models.account import Account
from models.accounts import create_account
from models.audit import COMMAND_LINE
from models.base import utcnow
from bot.extensions import database_of

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct-horse-7"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(page: TestResponse) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, "the page has no form with a CSRF token"
    return match.group(1) or match.group(2)


@dataclass
class Accounts:
    """Makes accounts straight in the database, as `python -m bot create-user` does."""

    app: Flask

    def add(self, username: str, role: str, password: str = PASSWORD, **fields: Any) -> Account:
        """Create an account (a coordinator needs `unit_id`, a reviewer `systems`)."""
        with database_of(self.app).transaction() as session:
            return create_account(session, COMMAND_LINE, username=username, password=password, role=role,
                                  now=utcnow(), **fields)


@pytest.fixture
def accounts(app: Flask) -> Accounts:
    """A maker of accounts in the test database."""
    return Accounts(app)


@dataclass
class AuthActions:
    """Signs a test client in and out through the real forms (flaskr's AuthActions)."""

    client: FlaskClient

    def login(self, username: str, password: str = PASSWORD, next_path: str = "") -> TestResponse:
        """Open the login page and post the form with its token."""
        token = csrf_token(self.client.get("/login"))
        url = f"/login?next={next_path}" if next_path else "/login"
        return self.client.post(url, data={"username": username, "password": password, "csrf_token": token})

    def post(self, path: str, data: dict[str, Any], form_page: str) -> TestResponse:
        """Post a form with the CSRF token taken from the page that shows it."""
        token = csrf_token(self.client.get(form_page))
        return self.client.post(path, data={**data, "csrf_token": token})

    def logout(self) -> TestResponse:
        """Sign out with the form on the start page."""
        return self.post("/logout", {}, "/")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Sign-in actions on the test client."""
    return AuthActions(client)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The real application served on a loopback port, on the test's database; yields its base URL."""
    server = ServerThread(app).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, started once for the session (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser tab (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
