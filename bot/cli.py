"""The command line (`python -m bot …`): database, demo data, exports, the menu, and operations.

The development commands (the WeChat API sandbox, the terminal chat, the development server and
the demo) live in the `simulator` package, which no production module imports: the group below
names them and imports one only when it is asked for, so `bot` never depends on them at import
and a deployment without `simulator/` simply does not offer them.
"""
from __future__ import annotations

import csv
import importlib
import json
import logging
import sys
from pathlib import Path

import click
import requests
from wechatpy.exceptions import WeChatClientException

from bot.account_cli import COMMANDS as ACCOUNTS
from bot.api_token_cli import COMMANDS as API_TOKENS
from bot.command_setup import database, settings_or_exit
from bot.menu import menu_definition
from bot.ops_cli import COMMANDS as OPERATIONS
from bot.wechat_api import make_wechat_client
from models.base import utcnow
from models.corrections import correct_system, training_corrections
from models.errors import DomainError
from handlers.draft_view import project_benefit
from models.export import PROJECT_FIELDS, project_rows
from models.migrate import upgrade
from models.project import System
from models.project import find_any_round

#: Development commands by name, as "module:attribute", loaded on first use.
DEVELOPMENT = {"demo": "simulator.demo:demo_command", "sandbox": "simulator.demo:sandbox_command",
               "chat": "simulator.demo:chat_command", "serve": "simulator.demo:serve_command",
               "seed-demo": "simulator.demo:seed_demo_command"}


class BotCommands(click.Group):
    """The root group: the operator's commands, then the development ones in a section of their own."""

    def _development(self, name: str) -> click.Command | None:
        """Import one development command; None when the simulator package is not installed."""
        module, _, attribute = DEVELOPMENT[name].partition(":")
        try:
            command = getattr(importlib.import_module(module), attribute)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] == module.split(".")[0]:
                return None
            raise
        return command if isinstance(command, click.Command) else None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, the development ones included."""
        return sorted(set(super().list_commands(ctx)) | set(DEVELOPMENT))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command by name, importing a development command only now."""
        if cmd_name in DEVELOPMENT:
            return self._development(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the operator's commands, then the development ones under their own heading."""
        for title, names in (("Commands", sorted(super().list_commands(ctx))),
                             ("Development and trying it out (simulator/, not needed in production)",
                              sorted(DEVELOPMENT))):
            commands = [(name, self.get_command(ctx, name)) for name in names]
            shown = [(name, command) for name, command in commands if command is not None and not command.hidden]
            limit = formatter.width - 6 - max((len(name) for name, _ in shown), default=0)
            rows = [(name, command.get_short_help_str(limit)) for name, command in shown]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


@click.group(cls=BotCommands, commands=(*OPERATIONS, *ACCOUNTS, *API_TOKENS))
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


@main.group()
def export() -> None:
    """Export data for staff."""


@export.command("projects")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
def export_projects(fmt: str) -> None:
    """Write every project with all its fields to standard output."""
    with database(settings_or_exit()) as db, db.transaction() as session:
        rows = project_rows(session, project_benefit)
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
