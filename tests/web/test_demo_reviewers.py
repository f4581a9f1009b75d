"""The demo prints reviewer accounts that log in, each run with a new password."""
import re

from bot.extensions import database_of
from simulator.demo_run import prepare_demo
from tests.web.conftest import AuthActions


def test_the_demo_prints_reviewers_who_can_log_in(settings_overrides):
    app, first = prepare_demo(settings_overrides)
    again, second = prepare_demo(settings_overrides)
    try:
        old = re.search(r"reviewers \(password (\S+)\): (.+)", first)
        new = re.search(r"reviewers \(password (\S+)\): (.+)", second)
        assert old and new and new.group(2) == old.group(2) == "pingshen1, pingshen2, pingshen3"
        auth = AuthActions(app.test_client())
        assert auth.login("pingshen1", old.group(1)).status_code == 401  # replaced by the second run
        assert auth.login("pingshen1", new.group(1)).status_code == 302
        assert "我的评审" in auth.client.get("/").get_data(as_text=True)
        assert "分配给您 0 个项目" in auth.client.get("/scoring").get_data(as_text=True)
    finally:
        database_of(app).dispose()
        database_of(again).dispose()
