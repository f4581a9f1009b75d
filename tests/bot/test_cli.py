"""The command line, as an operator would use it."""
import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture
def env(settings_overrides, monkeypatch):
    for key, value in settings_overrides.items():
        monkeypatch.setenv(key, str(value))
    return settings_overrides


def run(*args):
    return CliRunner().invoke(main, ["--log-level", "WARNING", *args], catch_exceptions=False)


def test_help_puts_the_development_commands_apart_and_loads_them_only_when_used():
    help_text = run("--help").output
    operations, development = help_text.split("Development and trying it out")
    assert "init-db" in operations and "scheduler" in operations and "demo" not in operations
    assert all(name in development for name in ("demo", "sandbox", "chat", "serve", "seed-demo"))
    loaded = subprocess.run([sys.executable, "-c", "import sys, bot.cli; print(sorted(m for m in sys.modules "
                             "if m.split('.')[0] == 'simulator'))"], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_missing_setting_stops_with_one_clear_line(monkeypatch, tmp_path):
    for key in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr("bot.config.PROJECT_ROOT", tmp_path)  # no .env either
    result = run("init-db")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: missing required setting WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, SECRET_KEY: "
        "set it in the environment or in .env"]


def test_init_db_twice_and_seed_demo_json(env):
    assert run("init-db").exit_code == 0
    assert run("init-db").exit_code == 0
    listing = json.loads(run("seed-demo", "--json").output)
    again = json.loads(run("seed-demo", "--json").output)
    assert listing == again  # seeding twice adds nothing
    names = [u["name"] for u in listing["units"]]
    assert "晋源能源集团一矿运输队" in names
    assert all(len(u["worker_code"]) == 6 and len(u["coordinator_code"]) == 6 for u in listing["units"])


def test_export_lists_every_project_in_both_formats(env, wechat, demo, db):
    from tests.chat import bind_worker

    bind_worker(wechat, demo)
    wechat.send_text("我和王刚改了个皮带机清扫器，原来清扫器老是刮不干净，现在换成聚氨酯刮板，一年省两三万")
    wechat.send_text("对")
    wechat.send_text("确认")
    rows = [json.loads(line) for line in run("export", "projects", "--format", "jsonl").output.splitlines()]
    assert [(r["number"], r["status"], r["annual_benefit_yuan"], r["worker_name"]) for r in rows] == [
        ("2026-0001", "submitted", 20000.0, "张三")]
    # the range and its approximateness are exported, and worded as the chat words them
    assert (rows[0]["annual_benefit_high_yuan"], rows[0]["benefit_approximate"], rows[0]["benefit_kind"],
            rows[0]["benefit"], rows[0]["members"]) == (30000.0, True, "amount", "约2–3万元", ["张三", "王刚"])
    table = list(csv.DictReader(io.StringIO(run("export", "projects", "--format", "csv").output)))
    assert table[0]["number"] == "2026-0001" and table[0]["unit"] == "晋源能源集团一矿运输队"
    assert table[0]["benefit"] == "约2–3万元"


def test_commands_refuse_an_old_schema_with_one_clear_line(monkeypatch, settings_overrides, tmp_path):
    from sqlalchemy import create_engine

    from models.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.connect() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        from alembic import command

        command.upgrade(config, "0002")
    engine.dispose()
    for key, value in {**settings_overrides, "DATABASE_URL": url}.items():
        monkeypatch.setenv(key, str(value))
    refused = run("export", "corrections")
    assert refused.exit_code == 1
    assert refused.output.strip() == "Error: the database is not at the newest schema: run `python -m bot init-db` first"
    assert run("init-db").exit_code == 0
    assert run("export", "corrections").exit_code == 0
