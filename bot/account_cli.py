"""Account commands: the first admin and scripted accounts (`create-user`), and a new password (`set-password`)."""
from __future__ import annotations

import click

from bot.command_setup import database, settings_or_exit
from models.account import AccountRole
from models.accounts import create_account, find_account, follower_by_openid, link_worker, set_password
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.errors import InvalidField
from models.project import System


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


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in AccountRole]))
@click.option("--unit", "unit_id", type=int, default=None,
              help="Unit id: a coordinator's unit, a reviewer's enterprise.")
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


@click.command("set-password")
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


COMMANDS = (create_user, set_password_command)
