"""What every command opens: the settings and the database, with errors as one line for the operator."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot.config import ConfigError, Settings, load_settings
from bot.database import Database
from models.errors import DomainError
from models.migrate import schema_problem


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


@contextmanager
def opened() -> Iterator[tuple[Settings, Database]]:
    """Settings and the database for one command (errors become one clear line)."""
    settings = settings_or_exit()
    with database(settings) as db:
        try:
            yield settings, db
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
