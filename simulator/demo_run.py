"""Preparing the demo: a migrated, seeded database and an application pointed at the sandbox."""
from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import Flask

from pathlib import Path

from sqlalchemy.orm import Session

from bot import create_app
from bot.menu import menu_definition
from bot.wechat_api import make_wechat_client
from models.base import utcnow
from models.migrate import upgrade
from models.project import Attachment, Project
from bot.extensions import database_of, settings_of
from models.seed import seed_admin, seed_demo, seed_reviewers, seed_showcase, unit_listing
from simulator.sandbox_state import tiny_png

#: One colour per showcase photo, so the pictures tell the projects apart.
PHOTO_COLOURS = ((190, 60, 40), (40, 120, 190), (60, 150, 80))


def add_showcase_photos(session: Session, projects: list[Project], media_dir: Path) -> None:
    """Give each showcase project a stored photo, as the photo job would have left it."""
    for project, colour in zip(projects, PHOTO_COLOURS * len(projects), strict=False):
        attachment = Attachment(project_id=project.id, media_id=f"demo-showcase-{project.id}", status="fetched",
                                content_type="image/png")
        session.add(attachment)
        session.flush()
        path = media_dir / str(project.id) / f"{attachment.id}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(tiny_png(colour, size=240))
        attachment.stored_path, attachment.size = str(path), path.stat().st_size


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
        add_showcase_photos(session, seed_showcase(session, utcnow()), settings_of(app).instance_path / "media")
        reviewing = secrets.token_urlsafe(9)
        names = ", ".join(a.username for a in seed_reviewers(session, utcnow(), reviewing))
        lines.append(f"reviewers (password {reviewing}): {names}")
    return app, "\n".join(lines)



def push_menu(app: Flask) -> None:
    """Create the account's menu in the sandbox, with the link to the worker's page (PUBLIC_BASE_URL/my)."""
    settings = settings_of(app)
    make_wechat_client(settings, database_of(app)).menu.create(menu_definition(settings.public_base_url))
