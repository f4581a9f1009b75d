"""API token commands: `api-token create NAME [--unit ID]` prints a new token once; `list`; `revoke`."""
from __future__ import annotations

import click

from bot.account_cli import refused
from bot.command_setup import opened
from bot.ops_cli import local as local_text
from models.api_token import create_token, list_tokens, revoke_token
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.errors import InvalidField


@click.group("api-token")
def api_token_group() -> None:
    """Tokens of the JSON API (/api/): make, list and revoke them."""


@api_token_group.command("create")
@click.argument("name")
@click.option("--unit", "unit_id", type=int, default=None,
              help="Unit id whose subtree the token reads (default: the whole city, read-only).")
def create_command(name: str, unit_id: int | None) -> None:
    """Make a token and print it; only its hash is kept, so copy it now."""
    with opened() as (_settings, db), db.transaction() as session:
        try:
            token, secret = create_token(session, COMMAND_LINE, name, unit_id, utcnow())
        except InvalidField as error:
            raise refused(error) from None
        scope = f"unit {token.unit_id} and below" if token.unit_id is not None else "the whole city"
    click.echo(secret)
    click.echo(f"token {name} reads {scope}; it is shown only now (send it as Authorization: Bearer …)", err=True)


@api_token_group.command("list")
def list_command() -> None:
    """Every token: name, scope, when made, last used and revoked (never the secret)."""
    with opened() as (_settings, db), db.transaction() as session:
        for token in list_tokens(session):
            scope = f"unit {token.unit_id}" if token.unit_id is not None else "city"
            state = f"revoked {local_text(token.revoked_at)}" if token.revoked_at else "active"
            used = local_text(token.last_used_at) if token.last_used_at else "never used"
            click.echo(f"{token.name}\t{scope}\tmade {local_text(token.created_at)}\t{used}\t{state}")


@api_token_group.command("revoke")
@click.argument("name")
def revoke_command(name: str) -> None:
    """Revoke a token at once."""
    with opened() as (_settings, db), db.transaction() as session:
        revoke_token(session, COMMAND_LINE, name, utcnow())
    click.echo(f"token {name} revoked")


COMMANDS = (api_token_group,)
