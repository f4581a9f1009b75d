"""A local stand-in for the WeChat API (api.weixin.qq.com) with recorded calls and injectable faults.

Point `WECHAT_API_BASE` at it and the application talks to it as to WeChat. The API answers
like WeChat (JSON with errcode/errmsg); the control API under `/_sandbox/` lets tests and the
demo read the recorded calls and make the next calls fail, stall or find the API down.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, g, jsonify, redirect, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from simulator.sandbox_control import BROWSER_COOKIE, control, current_state
from simulator.sandbox_state import TOKEN_PATHS, SandboxState, image_type, wechat_error

logger = logging.getLogger(__name__)

CUSTOM_MSGTYPES = frozenset({"text", "image", "voice", "video", "music", "news", "mpnews",
                             "mpnewsarticle", "msgmenu", "wxcard", "miniprogrampage"})
OK: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}

api = Blueprint("sandbox_api", __name__)
def _fail(errcode: int) -> Response:
    """Answer a WeChat error as WeChat does: HTTP 200 with errcode and errmsg."""
    return jsonify(wechat_error(errcode))


def _parse_body() -> Any:
    """Return the request body as JSON, a summary of uploaded files, or None when empty or not JSON."""
    if request.mimetype == "multipart/form-data":  # checked first: reading .files consumes other bodies
        return {"files": {name: len(f.read()) for name, f in request.files.items()}}
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return {"unparsed_bytes": len(raw)}


def _body() -> dict[str, Any] | int:
    """Return the JSON object body of an API call, or WeChat's errcode for an empty or bad one."""
    if g.body is None:
        return 44002
    return g.body if isinstance(g.body, dict) and "unparsed_bytes" not in g.body else 47001


@api.before_app_request
def _before() -> Response | None:
    """Apply the API-wide behaviour: outage, stalls, injected failures, access-token checks."""
    g.body = _parse_body()
    if request.path.startswith("/_sandbox"):
        return None
    state = current_state()
    if state.is_down():
        return Response("503 Service Unavailable", status=503, mimetype="text/plain")
    stall = state.take_rule("stall", request.path)
    if stall and stall.after:
        g.late_answer = stall.seconds  # handled now, answered late (see _record)
    elif stall:
        time.sleep(stall.seconds)
    failure = state.take_rule("fail", request.path)
    if failure:
        return _fail(failure.errcode)
    if request.path.startswith("/cgi-bin/") and request.path not in TOKEN_PATHS:
        errcode = state.token_error(request.args.get("access_token"))
        if errcode:
            return _fail(errcode)
    return None


@api.after_app_request
def _record(response: Response) -> Response:
    """Record every API call (not control calls) with the answer given."""
    if request.path.startswith("/_sandbox"):
        return response
    if response.is_json:
        answer: Any = response.get_json()
    else:
        answer = {"content_type": response.mimetype, "bytes": len(response.get_data())}
    body = getattr(g, "body", None)
    openid = body.get("touser") if isinstance(body, dict) else None
    seq = current_state().record({
        "time": time.time(), "method": request.method, "path": request.path,
        "query": request.args.to_dict(), "body": body, "status": response.status_code,
        "response": answer, "openid": openid or request.args.get("openid"),
    })
    logger.debug("sandbox call %s %s %s -> %s", seq, request.method, request.path, response.status_code)
    if getattr(g, "late_answer", 0):
        time.sleep(g.late_answer)
    return response


def _credentials_error(appid: str | None, secret: str | None) -> int:
    """Return 0 when appid and secret are this account's, else WeChat's errcode."""
    state = current_state()
    if appid != state.app_id:
        return 40013
    return 0 if secret == state.app_secret else 40125


@api.get("/cgi-bin/token")
def token() -> Response:
    """Issue a new access token; the previous one keeps working for the grace period."""
    if request.args.get("grant_type") != "client_credential":
        return _fail(40002)
    errcode = _credentials_error(request.args.get("appid"), request.args.get("secret"))
    if errcode:
        return _fail(errcode)
    value, expires_in = current_state().issue_token("basic", force=True)
    return jsonify({"access_token": value, "expires_in": expires_in})


@api.post("/cgi-bin/stable_token")
def stable_token() -> Response:
    """Return the stable token while valid; `force_refresh` replaces it at once."""
    body = _body()
    if isinstance(body, int):
        return _fail(body)
    if body.get("grant_type") != "client_credential":
        return _fail(40002)
    errcode = _credentials_error(body.get("appid"), body.get("secret"))
    if errcode:
        return _fail(errcode)
    value, expires_in = current_state().issue_token("stable", force=bool(body.get("force_refresh")))
    return jsonify({"access_token": value, "expires_in": expires_in})


def _recipient_error(body: dict[str, Any]) -> int:
    """Return WeChat's errcode when a message cannot reach its `touser`, else 0."""
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser:
        return 40003
    return 0 if current_state().is_subscribed(touser) else 43004


@api.post("/cgi-bin/message/custom/send")
def custom_send() -> Response:
    """Accept a customer-service message (text, image, news, ...)."""
    body = _body()
    if isinstance(body, int):
        return _fail(body)
    msgtype = body.get("msgtype")
    if not isinstance(msgtype, str) or msgtype not in CUSTOM_MSGTYPES or not isinstance(body.get(msgtype), dict):
        return _fail(40008)
    if msgtype in ("image", "voice") and current_state().get_media(str(body[msgtype].get("media_id"))) is None:
        return _fail(40007)
    return _fail(errcode) if (errcode := _recipient_error(body)) else jsonify(OK)


@api.post("/cgi-bin/message/template/send")
def template_send() -> Response:
    """Accept a template message and return its msgid."""
    body = _body()
    if isinstance(body, int):
        return _fail(body)
    if not body.get("template_id"):
        return _fail(40037)
    if errcode := _recipient_error(body):
        return _fail(errcode)
    return jsonify({**OK, "msgid": current_state().next_msgid()})


@api.post("/cgi-bin/menu/create")
def menu_create() -> Response:
    """Store the custom menu."""
    body = _body()
    if isinstance(body, int):
        return _fail(body)
    if not isinstance(body.get("button"), list) or not body["button"]:
        return _fail(47001)
    current_state().set_menu(body)
    return jsonify(OK)


@api.get("/cgi-bin/menu/get")
def menu_get() -> Response:
    """Return the custom menu, or 46003 when none exists."""
    menu = current_state().get_menu()
    return jsonify({"menu": menu}) if menu else _fail(46003)


@api.get("/cgi-bin/get_current_selfmenu_info")
def selfmenu_info() -> Response:
    """Return the menu as the 'current self-menu' API shows it."""
    menu = current_state().get_menu()
    return jsonify({"is_menu_open": 1 if menu else 0, "selfmenu_info": menu or {"button": []}})


@api.get("/cgi-bin/media/get")
def media_get() -> Response:
    """Return the media bytes (an image) for a known media_id."""
    media_id = request.args.get("media_id", "")
    data = current_state().get_media(media_id)
    if data is None:
        return _fail(40007)
    kind = image_type(data)
    extension = kind.rsplit("/", 1)[-1] if kind.startswith("image/") else "bin"
    return Response(data, mimetype=kind, headers={
        "Content-Disposition": f'attachment; filename="{media_id}.{extension}"'})


@api.post("/cgi-bin/media/upload")
def media_upload() -> Response:
    """Store uploaded temporary media and return its media_id."""
    media = request.files.get("media")
    if media is None:
        return _fail(44002)
    media.stream.seek(0)
    media_id = current_state().put_media(media.read())
    return jsonify({"type": request.args.get("type", "image"), "media_id": media_id,
                    "created_at": int(time.time())})


@api.get("/cgi-bin/user/info")
def user_info() -> Response:
    """Return a follower's profile; a follower who left gets subscribe 0."""
    openid = request.args.get("openid", "")
    if not openid:
        return _fail(40003)
    state = current_state()
    if not state.is_subscribed(openid):
        return jsonify({"subscribe": 0, "openid": openid, "tagid_list": []})
    profile = {"subscribe": 1, "openid": openid, "nickname": f"Follower {openid[-4:]}", "sex": 0,
               "language": "zh_CN", "city": "", "province": "", "country": "", "headimgurl": "",
               "subscribe_time": 1700000000, "remark": "", "groupid": 0, "tagid_list": [],
               "subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0, "qr_scene_str": ""}
    return jsonify({**profile, **state.user_profile(openid)})


@api.get("/sns/oauth2/access_token")
def oauth_access_token() -> Response:
    """Exchange a registered OAuth code (once) for the follower's openid."""
    if request.args.get("grant_type") != "authorization_code":
        return _fail(40002)
    errcode = _credentials_error(request.args.get("appid"), request.args.get("secret"))
    if errcode:
        return _fail(errcode)
    grant = current_state().redeem_oauth_code(request.args.get("code", ""))
    if isinstance(grant, int):
        return _fail(grant)
    return jsonify({"access_token": f"sandbox-oauth-{secrets.token_urlsafe(16)}", "expires_in": 7200,
                    "refresh_token": f"sandbox-refresh-{secrets.token_urlsafe(16)}", **grant})


OAUTH_SCOPES = frozenset({"snsapi_base", "snsapi_userinfo"})


@api.get("/connect/oauth2/authorize")
def oauth_authorize() -> Response:
    """WeChat's authorize page: send the browser's follower back to `redirect_uri` with a one-time code.

    Inside WeChat the follower is known; here the browser says who it is with the cookie that
    `/_sandbox/open?openid=…&url=…` sets. Without it the page answers as WeChat does outside its
    app: open this link in WeChat.
    """
    state = current_state()
    redirect_uri = request.args.get("redirect_uri", "")
    if request.args.get("appid") != state.app_id:
        return Response("sandbox: wrong appid (10003 redirect_uri/appid mismatch)", status=400, mimetype="text/plain")
    if (request.args.get("response_type") != "code" or request.args.get("scope") not in OAUTH_SCOPES
            or not redirect_uri.startswith(("http://", "https://"))):
        return Response("sandbox: bad OAuth request (response_type=code, scope, redirect_uri)", status=400,
                        mimetype="text/plain")
    openid = request.cookies.get(BROWSER_COOKIE)
    if not openid:
        hint = f"{request.host_url}_sandbox/open?openid=OPENID&url=…"
        return Response(f"Please open this link in WeChat. (sandbox: open {hint} first)", status=403,
                        mimetype="text/plain")
    code = f"sandbox-code-{secrets.token_urlsafe(16)}"
    state.add_oauth_code(code, openid, str(request.args["scope"]))
    query = urlencode({"code": code, "state": request.args.get("state", "")})
    return redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")  # type: ignore[return-value]


# --- the app and its server ---------------------------------------------------------------

def create_sandbox_app(app_id: str, app_secret: str, token_grace: float = 300.0) -> Flask:
    """Build the sandbox Flask app for one official account."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["wechat_sandbox"] = SandboxState(app_id, app_secret, token_grace=token_grace)
    app.register_blueprint(api)
    app.register_blueprint(control)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def unknown(error: Exception) -> tuple[Response, int]:
        """Say in WeChat's format that the sandbox does not implement this call."""
        return jsonify({"errcode": -1, "errmsg": f"sandbox does not implement {request.path}"}), \
            getattr(error, "code", 404)

    return app


class _QuietRequestHandler(WSGIRequestHandler):
    """Log requests at debug level so an in-process sandbox does not scribble on the terminal."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("%s %s %s", self.command, self.path, code)


@dataclass
class SandboxHandle:
    """A sandbox running in a background thread: its base URL, its state and how to stop it."""

    url: str
    state: SandboxState
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_sandbox_thread(host: str, port: int, app_id: str, app_secret: str,
                         token_grace: float = 300.0) -> SandboxHandle:
    """Start the sandbox on host:port (0 picks a free port) in a daemon thread."""
    app = create_sandbox_app(app_id, app_secret, token_grace)
    server = make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="wechat-sandbox", daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_port}"
    logger.info("WeChat API sandbox at %s", url)
    return SandboxHandle(url, app.extensions["wechat_sandbox"], server, thread)


def serve_sandbox(host: str, port: int, app_id: str, app_secret: str, token_grace: float = 300.0) -> None:
    """Serve the sandbox in the foreground until interrupted."""
    server = make_server(host, port, create_sandbox_app(app_id, app_secret, token_grace), threaded=True)
    logger.info("WeChat API sandbox at http://%s:%s (control API under /_sandbox/)", host, server.server_port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
