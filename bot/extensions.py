"""The application's shared parts, kept on the Flask app and read back with their types.

`create_app` puts the settings, the database handle, the similar-projects index and the WeChat
gateway on the app; everyone else reads them through these functions rather than by string key.
"""
from __future__ import annotations

from typing import TypeVar

from flask import Flask

from bot.config import Settings
from bot.database import Database
from bot.gateway import Gateway
from models.similar import SimilarProjects

T = TypeVar("T")
_SETTINGS, _DATABASE, _SIMILAR, _GATEWAY = "wuxiao.settings", "wuxiao.db", "wuxiao.similar_projects", "wuxiao.gateway"


def _part(app: Flask, key: str, kind: type[T]) -> T:
    """One part, checked to be of its type (a missing one is a wiring mistake: KeyError)."""
    part = app.extensions[key]
    if not isinstance(part, kind):
        raise TypeError(f"app.extensions[{key!r}] is a {type(part).__name__}, not a {kind.__name__}")
    return part


def keep(app: Flask, part: Settings | Database | SimilarProjects | Gateway) -> None:
    """Keep one part on the app under its own key."""
    for kind, key in ((Settings, _SETTINGS), (Database, _DATABASE), (SimilarProjects, _SIMILAR), (Gateway, _GATEWAY)):
        if isinstance(part, kind):
            app.extensions[key] = part
            return
    raise TypeError(f"not an application part: {part!r}")


def settings_of(app: Flask) -> Settings:
    """The app's settings."""
    return _part(app, _SETTINGS, Settings)


def database_of(app: Flask) -> Database:
    """The app's database handle."""
    return _part(app, _DATABASE, Database)


def similar_projects_of(app: Flask) -> SimilarProjects:
    """The app's similar-projects index."""
    return _part(app, _SIMILAR, SimilarProjects)


def gateway_of(app: Flask) -> Gateway:
    """The app's WeChat gateway."""
    return _part(app, _GATEWAY, Gateway)
