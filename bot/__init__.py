"""The application shell: `create_app` wires settings, database, gateway and web pages together."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial

from flask import Flask
from sqlalchemy.orm import Session

import nlp
from bot import extensions, gateway
from bot.config import Settings, load_settings
from bot.database import Database
from bot.spool import make_spool
from handlers import Context, Incoming, Reply, dispatch
from models.similar import SimilarProjects
from models.clock import utcnow
from models.membership import UnitNames


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the Flask application; `config` overrides the environment (tests, demo)."""
    app = Flask(__name__, instance_relative_config=False, static_folder=None)  # web/ serves its own static files
    settings = register_settings(app, config)
    nlp.configure(settings.nlp_model_dir)  # where `python -m nlp retrain` stored the classifier
    db = register_database(app, settings)
    register_gateway(app, settings, db)
    register_web(app, settings, db)
    return app


def register_settings(app: Flask, config: Mapping[str, object] | None) -> Settings:
    """Load settings (raising ConfigError with one clear line) and keep them on the app."""
    settings = load_settings(config)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    extensions.keep(app, settings)
    return settings


def register_database(app: Flask, settings: Settings) -> Database:
    """Create the database handle (connections are opened lazily)."""
    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url, statement_timeout=settings.database_timeout)
    extensions.keep(app, db)
    return db


def handle_message(session: Session, incoming: Incoming, similar: SimilarProjects | None = None,
                   unit_names: UnitNames | None = None, stale_after: timedelta | None = None,
                   received_at: datetime | None = None) -> Reply:
    """Dispatch a message to the conversation with the time and the process's shared indexes.

    The conversation's time is when the message was received (now, or when it was kept in the
    spool during an outage: its deadlines are the ones the worker wrote against). A message
    handled more than `stale_after` after its CreateTime is late all the same: its yes acts on nothing.
    """
    now = utcnow()
    late = stale_after is not None and now - incoming.created_at > stale_after
    return dispatch(session, incoming, Context(now=received_at or now, similar=similar, unit_names=unit_names,
                                               late=late))


def register_gateway(app: Flask, settings: Settings, db: Database) -> None:
    """Mount `/wechat`, with the spool that keeps messages while the database cannot answer."""
    similar, unit_names = SimilarProjects(), UnitNames()
    extensions.keep(app, similar)
    handler = partial(handle_message, similar=similar, unit_names=unit_names,
                      stale_after=timedelta(seconds=settings.stale_message_seconds))
    wechat = gateway.Gateway(settings=settings, db=db, handler=handler, spool=make_spool(settings))
    extensions.keep(app, wechat)
    gateway.init_app(app, wechat)


def register_web(app: Flask, settings: Settings, db: Database) -> None:
    """Mount the web pages and the health check, sharing the database (and Redis, when configured)."""
    import web
    from web.state import WebState

    redis = None
    if settings.redis_url:
        import redis as redis_client

        redis = redis_client.Redis.from_url(settings.redis_url)
    web.init_app(app, settings, WebState(sessions=db.sessions, engine=db.engine, redis=redis,
                                         similar=extensions.similar_projects_of(app),
                                         media_dir=settings.media_dir))
