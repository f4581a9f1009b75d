"""The worker's own page at /my, opened from the chat's menu inside WeChat (网页授权, snsapi_base).

The first visit goes to WeChat's authorize page, which sends the browser back to /my/signin with
a one-time code and our `state`; the code is exchanged for the follower's openid (bot/wechat_oauth)
and the follower's id is kept in the signed session cookie. The state must be the one this browser
was given (no sign-in started elsewhere), and a forged or already used code is refused by WeChat
and so here. A follower is shown only their own projects and photos: everything is looked up by
the follower's id from the session, never by an id in the address.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, session, url_for
from flask.typing import ResponseReturnValue

from bot.extensions import settings_of
from bot.wechat_oauth import SignInRefused, authorize_url, openid_for_code
from models.accounts import follower_by_openid
from models.listing import own_awards, own_photo, own_projects
from models.worker import Worker
from web.state import db_session

blueprint = Blueprint("my", __name__, url_prefix="/my")
FOLLOWER = "follower_id"
STATE = "oauth_state"


def signed_in_follower() -> Worker | None:
    """The follower this browser signed in as, if any (and still known)."""
    follower_id = session.get(FOLLOWER)
    worker = db_session().get(Worker, follower_id) if isinstance(follower_id, int) else None
    if worker is None:
        session.pop(FOLLOWER, None)
    return worker


def _redirect_uri() -> str:
    """Our sign-in address as WeChat must send the follower back to it (PUBLIC_BASE_URL when set)."""
    base = settings_of(current_app).public_base_url
    return f"{base}{url_for('my.signin')}" if base else url_for("my.signin", _external=True)


@blueprint.get("")
def index() -> ResponseReturnValue:
    """The follower's projects with their history, photos and awards; WeChat sign-in first if needed."""
    worker = signed_in_follower()
    if worker is None:
        state = secrets.token_urlsafe(16)
        session[STATE] = state
        return redirect(authorize_url(settings_of(current_app), _redirect_uri(), state))
    session_ = db_session()
    return render_template("my/index.html", worker=worker, projects=own_projects(session_, worker.id),
                           awards=own_awards(session_, worker.id))


@blueprint.get("/signin")
def signin() -> ResponseReturnValue:
    """WeChat's way back: check our state, exchange the code for the openid, remember the follower."""
    expected, given = session.pop(STATE, None), request.args.get("state", "")
    code = request.args.get("code", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given.encode()) or not code:
        return render_template("my/message.html", problem="stale"), 400
    try:
        openid = openid_for_code(settings_of(current_app), code)
    except SignInRefused as refused:
        problem = "refused" if refused.reachable else "unreachable"
        return render_template("my/message.html", problem=problem), 403 if refused.reachable else 503
    worker = follower_by_openid(db_session(), openid)
    if worker is None:
        return render_template("my/message.html", problem="unknown"), 200
    session.clear()  # nothing of an earlier visitor of this browser stays
    session[FOLLOWER] = worker.id
    session.permanent = True
    return redirect(url_for("my.index"))


@blueprint.get("/photos/<int:attachment_id>")
def photo(attachment_id: int) -> ResponseReturnValue:
    """A stored photo of one of the signed-in follower's own projects; 404 for anyone else's."""
    worker = signed_in_follower()
    attachment = own_photo(db_session(), worker.id, attachment_id) if worker is not None else None
    if attachment is None or attachment.stored_path is None:
        abort(404)
    return send_file(attachment.stored_path, mimetype=attachment.content_type or "application/octet-stream",
                     max_age=3600)
