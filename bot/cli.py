"""The command line (`python -m bot …`): database, demo data, exports, sandbox, chat and demo."""
from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import requests
from wechatpy.exceptions import WeChatClientException

from bot.config import ConfigError, Settings, load_settings
from bot.database import Database
from bot.menu import menu_definition
from bot.wechat_api import make_wechat_client
from models.account import AccountRole
from models.accounts import create_account, find_account, follower_by_openid, link_worker, set_password
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.corrections import correct_system, training_corrections
from models.errors import DomainError, InvalidField
from models.export import PROJECT_FIELDS, project_rows
from models.migrate import schema_problem, upgrade
from models.project import System
from models.workflow import find_any_round
from models.seed import seed_demo, unit_listing


def settings_or_exit() -> Settings:
    """Load settings, turning a configuration error into one clear line and exit code 1."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def database(settings: Settings, migrating: bool = False) -> Iterator[Database]:
    """Open the configured database for one command; unless migrating it, insist on the newest schema."""
    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    try:
        problem = None if migrating else schema_problem(db.engine)
        if problem:
            raise click.ClickException(problem)
        yield db
    finally:
        db.dispose()


@click.group()
@click.option("--log-level", default="INFO", show_default=True, help="Logging level (WARNING for quiet).")
def main(log_level: str) -> None:
    """五小 innovation bot: WeChat backend for the workers' innovation contest."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command("init-db")
def init_db() -> None:
    """Upgrade the database to the newest schema (safe to run again)."""
    with database(settings_or_exit(), migrating=True) as db:
        upgrade(db.engine)
    click.echo("database is at the newest schema")


@main.command("seed-demo")
@click.option("--json", "as_json", is_flag=True, help="Print the units and their invite codes as JSON.")
def seed_demo_command(as_json: bool) -> None:
    """Create demo units, targets and a round whose deadlines are near."""
    with database(settings_or_exit(), migrating=True) as db:
        upgrade(db.engine)
        with db.transaction() as session:
            round_ = seed_demo(session, utcnow())
            units = unit_listing(session)
            round_name = round_.name
    if as_json:
        click.echo(json.dumps({"round": round_name, "units": units}, ensure_ascii=False, indent=2))
        return
    click.echo(f"round: {round_name}")
    for unit in units:
        click.echo(f"{unit['worker_code']}  {unit['coordinator_code']}  {unit['name']}")


@main.group()
def export() -> None:
    """Export data for staff."""


@export.command("projects")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
def export_projects(fmt: str) -> None:
    """Write every project with all its fields to standard output."""
    with database(settings_or_exit()) as db, db.transaction() as session:
        rows = project_rows(session)
        if fmt == "jsonl":
            for row in rows:
                click.echo(json.dumps(row, ensure_ascii=False))
            return
        writer = csv.DictWriter(sys.stdout, fieldnames=PROJECT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "members": ";".join(row["members"])})


@export.command("corrections")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
def export_corrections(output: Path | None) -> None:
    """Write the system corrections as `text<TAB>system` lines, for `python -m nlp retrain --corrections`."""
    with database(settings_or_exit()) as db, db.transaction() as session:
        pairs = training_corrections(session)
    lines = ["\t".join((" ".join(text.split()), system)) for text, system in pairs]
    if output is None:
        for line in lines:
            click.echo(line)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    click.echo(f"{len(lines)} corrections written to {output}", err=True)


@main.group()
def project() -> None:
    """Look after single projects."""


@project.command("system")
@click.argument("number")
@click.argument("system", type=click.Choice([s.value for s in System]))
def project_system(number: str, system: str) -> None:
    """File project NUMBER (e.g. 2026-0042) under SYSTEM; the correction is kept for retraining."""
    with database(settings_or_exit()) as db, db.transaction() as session:
        found = find_any_round(session, number)
        if found is None:
            raise click.ClickException(f"no project {number}")
        try:
            correction = correct_system(session, found, System(system), None, utcnow())
        except DomainError as exc:
            raise click.ClickException(f"project {found.number} cannot be refiled ({exc})") from None
        click.echo(f"{found.number} is now filed under {system}" + ("" if correction else " (it already was)"))


def read_password() -> str:
    """The new password: asked twice, hidden, on a terminal; else the first line of standard input."""
    stdin = click.get_text_stream("stdin")
    if stdin.isatty():
        return str(click.prompt("password", hide_input=True, confirmation_prompt=True))
    return stdin.readline().rstrip("\r\n")


def refused(error: InvalidField) -> click.ClickException:
    """One line saying which value an account operation refused and why."""
    return click.ClickException(f"{error.field}: {error.problem.replace('_', ' ')}"
                                + (" (at least 8 characters)" if error.problem == "too_short" else ""))


@main.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in AccountRole]))
@click.option("--unit", "unit_id", type=int, default=None, help="Unit id: a coordinator's unit, a reviewer's enterprise.")
@click.option("--system", "systems", multiple=True, type=click.Choice([s.value for s in System]),
              help="A reviewer's professional system (repeatable).")
@click.option("--name", default=None, help="The person's name as pages show it (default: the username).")
@click.option("--openid", default=None, help="Link the account to this WeChat follower.")
def create_user(username: str, role: str, unit_id: int | None, systems: tuple[str, ...], name: str | None,
                openid: str | None) -> None:
    """Create a web account; the password is read from standard input (asked twice on a terminal)."""
    password = read_password()
    with database(settings_or_exit()) as db, db.transaction() as session:
        try:
            account = create_account(session, COMMAND_LINE, username=username, password=password, role=role,
                                     name=name, unit_id=unit_id, systems=systems, now=utcnow())
            if openid is not None:
                worker = follower_by_openid(session, openid)
                if worker is None:
                    raise click.ClickException(f"no follower with openid {openid}")
                link_worker(session, COMMAND_LINE, account, worker, utcnow())
        except InvalidField as error:
            raise refused(error) from None
        click.echo(f"account {account.username} ({account.role}) created")


@main.command("set-password")
@click.argument("username")
def set_password_command(username: str) -> None:
    """Give an account a new password read from standard input; its sessions end."""
    password = read_password()
    with database(settings_or_exit()) as db, db.transaction() as session:
        account = find_account(session, username)
        if account is None:
            raise click.ClickException(f"no account {username}")
        try:
            set_password(session, COMMAND_LINE, account, password, utcnow())
        except InvalidField as error:
            raise refused(error) from None
        click.echo(f"password of {account.username} set")


@main.command("menu")
def menu_command() -> None:
    """Push the custom menu (申报 / 查询 / 帮助, and the web link) through the WeChat API."""
    settings = settings_or_exit()
    with database(settings) as db:
        client = make_wechat_client(settings, db)
        try:
            client.menu.create(menu_definition(settings.public_base_url))
        except (WeChatClientException, requests.RequestException) as exc:
            raise click.ClickException(f"WeChat refused the menu: {exc}") from None
    click.echo("menu pushed")


def register_commands() -> None:
    """Attach the commands that live in their own modules."""
    from bot import demo, ops_cli

    demo.register(main)
    ops_cli.register(main)


register_commands()
