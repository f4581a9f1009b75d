"""`python -m bot create-user` and `set-password`: the password from standard input, one clear line on refusal."""
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from models.accounts import check_password, find_account
from models.audit import AuditEntry


@pytest.fixture
def env(settings_overrides, monkeypatch):
    for key, value in settings_overrides.items():
        monkeypatch.setenv(key, str(value))
    return settings_overrides


def run(*args, stdin=""):
    return CliRunner().invoke(main, ["--log-level", "WARNING", *args], input=stdin, catch_exceptions=False)


def test_create_user_reads_the_password_from_standard_input(env, db, demo):
    mine = demo["晋源能源集团一矿"]["id"]
    result = run("create-user", "Li", "--role", "coordinator", "--unit", str(mine), stdin="first-password\n")
    assert (result.exit_code, result.output) == (0, "account li (coordinator) created\n")
    result = run("create-user", "zhao", "--role", "reviewer", "--system", "transport", "--system", "mining",
                 "--unit", str(demo["晋源能源集团"]["id"]), stdin="second-password")
    assert result.exit_code == 0
    with db.transaction() as session:
        li, zhao = find_account(session, "li"), find_account(session, "zhao")
        assert (li.role, li.unit_id) == ("coordinator", mine) and check_password(li, "first-password")
        assert zhao.systems == ["mining", "transport"] and check_password(zhao, "second-password")
        assert set(session.scalars(select(AuditEntry.channel))) == {"cli"}


@pytest.mark.parametrize("args, stdin, line", [
    (("--role", "coordinator"), "first-password\n", "Error: unit: empty"),
    (("--role", "staff"), "short\n", "Error: password: too short (at least 8 characters)"),
    (("--role", "reviewer"), "first-password\n", "Error: systems: empty"),
    (("--role", "staff", "--openid", "o_nobody"), "first-password\n", "Error: no follower with openid o_nobody"),
])
def test_create_user_refuses_with_one_line_and_creates_nothing(env, db, args, stdin, line):
    result = run("create-user", "wang", *args, stdin=stdin)
    assert result.exit_code == 1 and result.output.strip().splitlines() == [line]
    with db.transaction() as session:
        assert find_account(session, "wang") is None


def test_create_user_twice_says_the_name_is_taken(env, db):
    assert run("create-user", "wang", "--role", "admin", stdin="first-password\n").exit_code == 0
    result = run("create-user", "WANG", "--role", "staff", stdin="first-password\n")
    assert result.exit_code == 1 and result.output.strip() == "Error: username: taken"


def test_set_password_replaces_the_password(env, db):
    run("create-user", "wang", "--role", "admin", stdin="first-password\n")
    assert run("set-password", "wang", stdin="second-password\n").output == "password of wang set\n"
    assert run("set-password", "nobody", stdin="second-password\n").exit_code == 1
    with db.transaction() as session:
        assert check_password(find_account(session, "wang"), "second-password")
