"""What the pages share within one application, and the one database session of each request.

A page asks `db_session()` for its session; the first call of a request opens it, and the
request's teardown rolls back whatever was not committed and closes it. Operations in `models/`
never commit: a page that changed something calls `commit()` before it answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.similar import SimilarProjects

EXTENSION = "web"


@dataclass(frozen=True)
class WebState:
    """The application's session factory, its engine, its similar-projects index, where photos are, and Redis."""

    sessions: sessionmaker[Session]
    engine: Engine
    redis: Any | None = None  # a redis.Redis: wrong passwords are counted there instead of the database
    similar: SimilarProjects | None = None  # the chat's index, shared: pages show what it finds
    media_dir: Path | None = None  # photos downloaded from WeChat (bot/media.py); None shows none


def init_app(app: Flask, state: WebState) -> None:
    """Keep the state on the application and close each request's session in teardown."""
    app.extensions[EXTENSION] = state
    app.teardown_appcontext(close_session)


def web_state() -> WebState:
    """The current application's web state."""
    state = current_app.extensions[EXTENSION]
    assert isinstance(state, WebState)
    return state


def db_session() -> Session:
    """The request's database session, opened on first use."""
    if "db_session" not in g:
        g.db_session = web_state().sessions()
    session = g.db_session
    assert isinstance(session, Session)
    return session


def commit() -> None:
    """Commit what the request changed so far (pages call it after an operation succeeds)."""
    db_session().commit()


def close_session(_error: BaseException | None = None) -> None:
    """Roll back what was not committed and give the connection back to the pool."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
