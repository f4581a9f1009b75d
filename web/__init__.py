"""Web pages for coordinators, reviewers and staff, the public display and the JSON API.

One blueprint per area (flaskr style), registered by `init_app`. Every page gets the request's
database session from `web.state.db_session`, its rules from `models/`, and its words from a
template (`templates/_labels.html` holds the labels that Python code refers to by code).

Adding an area: a module here with a `blueprint`, listed in `init_app`; its templates under
`templates/<area>/` extending `base_staff.html` (desktop) or `base_phone.html` (inside WeChat);
its menu entry in `templates/_nav.html`. Guard pages with `web.access.roles_required` and look
things up with `project_or_404` / `unit_or_404` (lists: `models.access.project_scope`);
call the operation in `models/` with `web.access.current_actor()` (the same operation the chat
calls, which checks access and records the change with `models.audit.record`), then
`web.state.commit()`. Forms are FlaskForms (CSRF
included; htmx requests send the token as X-CSRFToken from the base template); an API
blueprint that authenticates with tokens instead of cookies is exempted with `csrf.exempt`.
A page's own script needs `nonce="{{ csp_nonce() }}"` or a file under `static/`. Tests:
`tests/web/conftest.py` has `accounts`, `auth` (sign in through the real form), `live_server`
and `page` (Chromium).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from handlers import texts
from handlers.draft_view import project_benefit
from models.clock import local
from web.state import WebState

if TYPE_CHECKING:
    from bot.config import Settings

HERE = Path(__file__).resolve().parent
csrf = CSRFProtect()
#: Signed-in sessions last a working day after the last page opened.
SESSION_LIFETIME = timedelta(hours=12)
#: Scripts run only from this site's files or with the page's nonce; nothing loads from elsewhere.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'self'")

assets = Blueprint("assets", __name__, static_folder=str(HERE / "static"), static_url_path="/static",
                   template_folder=str(HERE / "templates"))


def init_app(app: Flask, settings: Settings, state: WebState) -> None:
    """Configure sessions, CSRF and templates, and register every area's blueprint."""
    from web import accounts, api, audit, auth, awards, city_review, display, health, home, my, projects, review, \
        scoring, stats, state as web_state

    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.web_secure_cookies, PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
                      WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
                      PUBLIC_BASE_URL=settings.public_base_url)  # links sent to phones (certificates)
    if settings.web_proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.web_proxy_hops,  # type: ignore[method-assign]
                                x_proto=settings.web_proxy_hops, x_host=settings.web_proxy_hops)
    web_state.init_app(app, state)
    csrf.init_app(app)
    app.register_blueprint(assets)
    _init_templates(app)
    auth.init_app(app)
    for area in (health, home, audit, accounts, review, projects, scoring, awards, stats, display, my):
        app.register_blueprint(area.blueprint)
    city_review.init_app(app)  # the review configuration, then its blueprint
    api.init_app(app)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, error_page)
    app.after_request(secure_headers)


def _init_templates(app: Flask) -> None:
    """Filters and globals every template may use."""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["benefit"] = project_benefit  # a project's yearly benefit, worded as the chat words it
    app.jinja_env.globals.update(csp_nonce=csp_nonce, system_names=texts.SYSTEM_NAMES,
                                 category_names=texts.CATEGORY_NAMES, status_words=texts.STATUS_WORDS)
    app.jinja_env.globals["labels"] = app.jinja_env.get_template("_labels.html").module


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as people in the contest read it (Asia/Shanghai)."""
    return local(value).strftime(fmt) if value is not None else ""


def csp_nonce() -> str:
    """This response's script nonce (`<script nonce="{{ csp_nonce() }}">` for a page's own script)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def secure_headers(response: Response) -> Response:
    """Headers that keep pages from being framed, sniffed or fed scripts from elsewhere."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
    return response


def error_page(error: Any) -> ResponseReturnValue:
    """One page for every error, in the words of `errors.html` (CSRF failures are 400 too)."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    if request.path.startswith("/api/"):  # an address under /api/ that no API route has: JSON too
        from web.api import json_error

        return json_error(error if isinstance(error, HTTPException) else InternalServerError())
    headers = error.get_headers() if isinstance(error, HTTPException) else []
    return render_template("errors.html", code=code), code, [h for h in headers if h[0] != "Content-Type"]
