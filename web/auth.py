"""Signing in and out (`/login`, `/logout`) with Flask-Login sessions and Flask-WTF forms.

Wrong passwords are limited per username (`models.login_throttle`): the sixth within 15 minutes
gets 429 for 15 minutes, whichever worker process answers. Inside WeChat's own browser the
login page is the phone one (WeUI), since coordinators open the pages from the chat.
"""
from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models.account import Account
from models.accounts import LoginResult, log_in, signed_in_account
from models.base import utcnow
from models.login_throttle import DatabaseThrottle, LoginThrottle, RedisThrottle
from web.state import commit, db_session, web_state

blueprint = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "login_required"  # a code: the templates hold the words


class LoginForm(FlaskForm):
    """Username and password (the CSRF token comes with every FlaskForm)."""

    username = StringField(validators=[DataRequired("required"), Length(max=100, message="too_long")])
    password = PasswordField(validators=[DataRequired("required"), Length(max=200, message="too_long")])


def init_app(app: Flask) -> None:
    """Attach the login manager and this blueprint."""
    login_manager.init_app(app)
    app.register_blueprint(blueprint)


@login_manager.user_loader
def load_account(reference: str) -> Account | None:
    """The account a session cookie names (see `models.accounts.signed_in_account`)."""
    return signed_in_account(db_session(), reference)


def throttle() -> LoginThrottle:
    """Where wrong passwords are counted: Redis when configured, else this request's database session."""
    redis = web_state().redis
    return RedisThrottle(redis) if redis is not None else DatabaseThrottle(db_session())


def in_wechat() -> bool:
    """Whether the page is opened inside WeChat's own browser."""
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another host."""
    if target and target.startswith("/") and "\\" not in target and not target.startswith("//") \
            and not urlsplit(target).netloc:  # browsers read a backslash as a slash: "/\\evil" is "//evil"
        return target
    return url_for("home.index")


def _login_page(form: LoginForm, status: int = 200, problem: str | None = None,
                locked_until: datetime | None = None) -> ResponseReturnValue:
    """Render the login page (phone or desktop) with what went wrong, if anything."""
    minutes = math.ceil((locked_until - utcnow()).total_seconds() / 60) if locked_until else None
    template = "auth/login_phone.html" if in_wechat() else "auth/login.html"
    headers = {"Retry-After": str(max(1, (minutes or 0) * 60))} if status == 429 else {}
    return render_template(template, form=form, problem=problem, minutes=minutes), status, headers


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; on POST check the password under the wrong-password limit."""
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 400 if request.method == "POST" else 200)
    outcome = log_in(db_session(), throttle(), form.username.data or "", form.password.data or "", utcnow())
    commit()  # the count of wrong passwords is kept whatever the outcome
    if outcome.result == LoginResult.locked:
        return _login_page(form, 429, "locked", outcome.locked_until)
    if outcome.result != LoginResult.ok or outcome.account is None:
        problem = "locked_now" if outcome.locked_until else str(outcome.result)
        return _login_page(form, 401, problem, outcome.locked_until)
    session.clear()  # nothing from before signing in carries over
    session.permanent = True
    login_user(outcome.account)
    return redirect(safe_next(request.args.get("next")))


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out (a POST with its CSRF token, so another site cannot sign anyone out)."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
