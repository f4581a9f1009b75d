"""Preparing the demo: a migrated, seeded database and an application pointed at the sandbox."""
from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import Flask

from bot import create_app
from models.base import utcnow
from models.migrate import upgrade
from bot.extensions import database_of
from models.seed import seed_admin, seed_demo, seed_reviewers, unit_listing


def prepare_demo(config: Mapping[str, object]) -> tuple[Flask, str]:
    """Create the app, migrate and seed its database; return it with a listing of invite codes."""
    app = create_app(config)
    db = database_of(app)
    upgrade(db.engine)
    with db.transaction() as session:
        round_ = seed_demo(session, utcnow())
        lines = [f"round: {round_.name}, submissions close {round_.submission_deadline:%Y-%m-%d}",
                 "worker code  coordinator code  unit"]
        lines += [f"{u['worker_code']}       {u['coordinator_code']}            {u['name']}"
                  for u in unit_listing(session) if u["kind"] != "city"]
        password = secrets.token_urlsafe(9)
        lines.append(f"web pages: log in as {seed_admin(session, utcnow(), password).username} / {password}")
        reviewing = secrets.token_urlsafe(9)
        names = ", ".join(a.username for a in seed_reviewers(session, utcnow(), reviewing))
        lines.append(f"reviewers (password {reviewing}): {names}")
    return app, "\n".join(lines)

