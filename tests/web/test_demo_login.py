"""The demo prints an admin account that logs in, and a new password on every run."""
import re

from simulator.demo_run import prepare_demo
from tests.web.conftest import AuthActions
from bot.extensions import database_of


def test_the_demo_prints_an_admin_who_can_log_in(settings_overrides):
    app, listing = prepare_demo(settings_overrides)
    again, second_listing = prepare_demo(settings_overrides)
    try:
        first = re.search(r"web pages: log in as (\S+) / (\S+)", listing)
        second = re.search(r"web pages: log in as (\S+) / (\S+)", second_listing)
        assert first and second and first.group(1) == second.group(1) == "admin"
        assert first.group(2) != second.group(2)
        auth = AuthActions(app.test_client())
        assert auth.login("admin", first.group(2)).status_code == 401  # replaced by the second run
        response = auth.login("admin", second.group(2))
        assert response.status_code == 302
        assert "市总工会管理员" in auth.client.get("/").get_data(as_text=True)
    finally:
        database_of(app).dispose()
        database_of(again).dispose()
