"""The sandbox's control API under `/_sandbox/`: what tests and the demo use to observe and steer it.

Read the recorded calls, make the next calls fail or stall, take the API down for a while, put
media, OAuth codes and users in place, and reset. The WeChat-like API itself is in simulator/sandbox.py.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, redirect, request

from simulator.sandbox_state import ERRMSG, Rule, SandboxState, image_type, tiny_png

#: The cookie that tells the sandbox which follower this browser is (WeChat's own browser just knows).
BROWSER_COOKIE = "sandbox_wechat_openid"
control = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


def current_state() -> SandboxState:
    """Return the state of the sandbox app answering the current request."""
    return current_app.extensions["wechat_sandbox"]



def _control_body() -> dict[str, Any]:
    """Return the control call's JSON object body (empty when none)."""
    return g.body if isinstance(g.body, dict) else {}


def _bad(message: str) -> Response:
    """Answer a malformed control call."""
    return Response(json.dumps({"error": message}), status=400, mimetype="application/json")


def _rule_from_body(kind: str) -> Rule | str:
    """Build a fault rule from a control body, or return what is wrong with it."""
    body = _control_body()
    try:
        count = int(body.get("count", 1))
        errcode = int(body.get("errcode", 0)) if kind == "fail" else 0
        seconds = float(body.get("seconds", 0)) if kind == "stall" else 0.0
    except (TypeError, ValueError):
        return "count, errcode and seconds must be numbers"
    if count < 1 or not 0 <= seconds <= 3600 or (kind == "fail" and errcode == 0):
        return "count must be >= 1, seconds within 0..3600 and errcode non-zero"
    path = body.get("path")
    return Rule(count=count, path=str(path) if path else None, errcode=errcode, seconds=seconds,
                after=kind == "stall" and bool(body.get("after")))


@control.get("/calls")
def calls() -> Response:
    """List recorded calls after `since` (a sequence number), filtered by path prefix and openid.

    Poll with `since` set to the previous answer's `next_since`; `limit` caps the answer.
    """
    since = request.args.get("since", "0")
    limit = request.args.get("limit")
    if not since.lstrip("-").isdigit() or (limit is not None and not limit.isdigit()):
        return _bad("since and limit must be integers")
    return jsonify(current_state().find_calls(request.args.get("path"), request.args.get("openid"),
                                       int(since), int(limit) if limit is not None else None))


@control.post("/fail")
@control.post("/stall")
def add_fault() -> Response:
    """Make the next N matching API calls fail with an errcode (/fail) or sleep first (/stall).

    `{"after": true}` on /stall handles the call at once and sleeps before answering: the message
    is delivered and the answer comes after the client's timeout.
    """
    kind = request.path.rsplit("/", 1)[-1]
    rule = _rule_from_body(kind)
    if isinstance(rule, str):
        return _bad(rule)
    current_state().add_rule(kind, rule)
    return jsonify({"ok": True, "errmsg": ERRMSG.get(rule.errcode, "") if kind == "fail" else ""})


@control.post("/down")
def down() -> Response:
    """Answer HTTP 503 to every API call for the given seconds (0 ends the outage)."""
    try:
        seconds = float(_control_body().get("seconds", 0))
    except (TypeError, ValueError):
        return _bad("seconds must be a number")
    current_state().set_down(seconds)
    return jsonify({"ok": True})


@control.post("/media")
def put_media() -> Response:
    """Store the raw request body (or a generated PNG when empty) as media; return its media_id."""
    data = request.get_data() or tiny_png()
    return jsonify({"media_id": current_state().put_media(data)})


@control.get("/media/<media_id>")
def get_media(media_id: str) -> Response:
    """Serve stored media without a token, as a follower's PicUrl would."""
    data = current_state().get_media(media_id)
    if data is None:
        return Response(status=404)
    return Response(data, mimetype=image_type(data))


@control.post("/oauth_code")
def oauth_code() -> Response:
    """Register an OAuth code for an openid."""
    body = _control_body()
    if not body.get("code") or not body.get("openid"):
        return _bad("code and openid are required")
    current_state().add_oauth_code(str(body["code"]), str(body["openid"]), str(body.get("scope", "snsapi_base")))
    return jsonify({"ok": True})


@control.get("/open")
def open_as_follower() -> Response:
    """Be this follower in this browser (as inside WeChat) and go to `url`: `/_sandbox/open?openid=…&url=…`."""
    openid, url = request.args.get("openid", ""), request.args.get("url", "")
    if not openid or not url.startswith(("http://", "https://")):
        return _bad("openid and an http(s) url are required")
    response = redirect(url)
    response.set_cookie(BROWSER_COOKIE, openid, httponly=True, samesite="Lax")
    return response  # type: ignore[return-value]


@control.post("/unsubscribe")
@control.post("/subscribe")
def subscription() -> Response:
    """Mark a follower as gone (sends fail with 43004) or back."""
    openid = _control_body().get("openid")
    if not openid:
        return _bad("openid is required")
    current_state().set_subscribed(str(openid), request.path.endswith("/subscribe"))
    return jsonify({"ok": True})


@control.post("/user")
def user() -> Response:
    """Override fields of a follower's user-info answer (nickname, ...)."""
    body = _control_body()
    if not body.get("openid"):
        return _bad("openid is required")
    current_state().update_user(str(body["openid"]), {k: v for k, v in body.items() if k != "openid"})
    return jsonify({"ok": True})


@control.post("/token_grace")
def token_grace() -> Response:
    """Set how long a superseded token keeps working (and optionally `expires_in`)."""
    body = _control_body()
    try:
        grace = float(body["seconds"])
        ttl = int(body["expires_in"]) if "expires_in" in body else None
    except (KeyError, TypeError, ValueError):
        return _bad("seconds (a number) is required; expires_in must be an integer")
    current_state().set_token_timing(grace, ttl)
    return jsonify({"ok": True})


@control.post("/expire_tokens")
def expire_tokens() -> Response:
    """Expire every token issued so far (calls then get 42001)."""
    current_state().expire_tokens()
    return jsonify({"ok": True})


@control.post("/reset")
def reset() -> Response:
    """Forget calls, tokens, faults, media, codes and flags (sequence numbers keep growing)."""
    current_state().reset()
    return jsonify({"ok": True})


@control.get("/stats")
def stats() -> Response:
    """Return call totals per path and the highest message sends seen within one second."""
    return jsonify(current_state().stats())
