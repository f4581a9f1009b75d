"""Development commands: the WeChat sandbox, the server, the terminal chat, demo data and the demo itself.

`python -m bot` offers them (bot/cli.py names them and imports this module only when one is used).
"""
from __future__ import annotations

import json
import logging
import secrets
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

import nlp
from handlers import texts
from bot import create_app
from bot.background import BackgroundWork
from bot.command_setup import database, settings_or_exit
from bot.replay import Replayer
from bot.config import PROJECT_ROOT, ConfigError, environment_values, load_settings
from models.base import utcnow
from models.migrate import schema_problem, upgrade
from models.seed import seed_demo, unit_listing
from models.unit import Unit
from simulator.bulk_city import seed_bulk
from simulator.chat_client import run_chat
from simulator.demo_run import prepare_demo, push_menu
from simulator.sandbox import serve_sandbox, start_sandbox_thread

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
from bot.extensions import database_of, gateway_of, similar_projects_of

#: Settings the demo uses when the environment gives none: nothing here is secret.
DEMO_SETTINGS = {
    "WECHAT_TOKEN": "demo-token",
    "WECHAT_APP_ID": "wxdemo5xiao000001",
    "WECHAT_APP_SECRET": "demo-secret",
    "SECRET_KEY": "demo-secret-key",
}


_RESPONSE = "simulator.response"  # the environ key under which `_ClosingHandler` finds a response to close


class _ClosingHandler(WSGIRequestHandler):
    """Werkzeug's handler, closing the response when the browser drops the connection.

    Werkzeug closes the response after reading what is left of the request; a browser that resets
    the connection just then (an image it no longer needs) makes that read raise, and the photo's
    open file was left to the garbage collector (a ResourceWarning in the browser tests).
    """

    def connection_dropped(self, error: BaseException, environ: WSGIEnvironment | None = None) -> None:
        """Close the response the app returned, if it was not closed yet."""
        response = (environ or {}).pop(_RESPONSE, None)
        if hasattr(response, "close"):
            response.close()


def _remembering(app: WSGIApplication) -> WSGIApplication:
    """The app, its response kept in the request's environ for `_ClosingHandler`."""

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request and remember its response."""
        environ[_RESPONSE] = response = app(environ, start_response)
        return response

    return serve


class ServerThread:
    """A WSGI app served on loopback from a background thread."""

    def __init__(self, app: WSGIApplication, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind the port now (0 picks a free one) so the URL is known before serving."""
        self.server = make_server(host, port, _remembering(app), threaded=True, request_handler=_ClosingHandler)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> ServerThread:
        """Start serving."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self.thread.join(timeout=5)


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now (the demo's server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _chat_settings() -> dict[str, str]:
    """Token and app id for the terminal chat: the configured ones, or the demo's."""
    try:
        s = load_settings()
        return {"token": s.wechat_token, "app_id": s.wechat_app_id, "aes_key": s.wechat_aes_key or "",
                "api": s.wechat_api_base}
    except ConfigError:
        return {"token": DEMO_SETTINGS["WECHAT_TOKEN"], "app_id": DEMO_SETTINGS["WECHAT_APP_ID"], "aes_key": "",
                "api": ""}


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8901, show_default=True)
def sandbox_command(host: str, port: int) -> None:
    """Run the local WeChat API sandbox (set WECHAT_API_BASE to its URL)."""
    values = _chat_settings()
    secret = environment_values(["WECHAT_APP_SECRET"]).get("WECHAT_APP_SECRET") or DEMO_SETTINGS["WECHAT_APP_SECRET"]
    click.echo(f"WeChat API sandbox on http://{host}:{port}")
    serve_sandbox(host, port, values["app_id"], secret)


@click.command("chat")
@click.option("--openid", default=None, help="Follower openid (default: a new one).")
@click.option("--server", default="http://127.0.0.1:5000", show_default=True, help="Our server's base URL.")
@click.option("--sandbox", "sandbox_url", default=None, help="Sandbox URL to show pushes from.")
@click.option("--say", multiple=True, help="Send this line and exit (repeatable).")
def chat_command(openid: str | None, server: str, sandbox_url: str | None, say: tuple[str, ...]) -> None:
    """Chat with the server as a simulated WeChat follower."""
    values = _chat_settings()
    if sandbox_url is None and values["api"].startswith("http://127.0.0.1"):
        sandbox_url = values["api"]
    run_chat(server_url=server.rstrip("/"), sandbox_url=sandbox_url, token=values["token"],
             openid=openid or f"o_demo_{secrets.token_hex(6)}", app_id=values["app_id"],
             aes_key=values["aes_key"] or None, say=list(say) or None)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve_command(host: str, port: int) -> None:
    """Run the web server for development (production: gunicorn bot.wsgi:app)."""
    try:
        app = create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    problem = schema_problem(database_of(app).engine)
    if problem:
        raise click.ClickException(problem)
    similar_projects_of(app).warm_in_background(database_of(app).transaction)
    Replayer(gateway_of(app)).start()  # messages kept while the database was away
    app.run(host=host, port=port, threaded=True)


@click.command("demo")
@click.option("--say", multiple=True, help="Send these lines instead of chatting interactively.")
@click.option("--openid", default=None, help="Follower openid (default: a new follower).")
@click.option("--database", default=None, help="Database URL (default: instance/demo.sqlite3).")
def demo_command(say: tuple[str, ...], openid: str | None, database: str | None) -> None:
    """Migrate and seed a SQLite database, start sandbox and server on loopback, and open a chat."""
    for name in ("", "werkzeug", "alembic"):  # the terminal is for the chat
        logging.getLogger(name).setLevel(logging.WARNING)
    click.echo("loading the language models…")
    nlp.warm()
    sandbox = start_sandbox_thread("127.0.0.1", 0, DEMO_SETTINGS["WECHAT_APP_ID"], DEMO_SETTINGS["WECHAT_APP_SECRET"])
    url = database or f"sqlite:///{Path(PROJECT_ROOT, 'instance', 'demo.sqlite3')}"
    port = free_port()  # known before the app is made: the menu links to it, and WeChat's sign-in returns to it
    public = f"http://127.0.0.1:{port}"
    app, listing = prepare_demo({**DEMO_SETTINGS, **_env_overrides(), "DATABASE_URL": url,
                                 "WECHAT_API_BASE": sandbox.url, "WECHAT_OAUTH_BASE": sandbox.url,
                                 "PUBLIC_BASE_URL": public, "WECHAT_AES_KEY": ""})
    push_menu(app)
    similar_projects_of(app).warm_in_background(database_of(app).transaction)
    server = ServerThread(app, port=port).start()
    background = BackgroundWork(app).start()
    follower = openid or f"o_demo_{secrets.token_hex(6)}"
    click.echo(listing)
    click.echo(f"server {server.url}  web pages {server.url}/login  sandbox {sandbox.url}  database {url}")
    click.echo(f"public showcase (open on a phone-sized browser): {server.url}/display")
    click.echo(f"your own page, the menu's {texts.MENU_MY_PAGE}: type /view {public}/my and open the link it prints\n")
    try:
        run_chat(server_url=server.url, sandbox_url=sandbox.url, token=DEMO_SETTINGS["WECHAT_TOKEN"],
                 openid=follower, app_id=DEMO_SETTINGS["WECHAT_APP_ID"], aes_key=None, say=list(say) or None)
    finally:
        background.stop()
        server.stop()
        sandbox.stop()


@click.command("seed-demo")
@click.option("--json", "as_json", is_flag=True, help="Print the units and their invite codes as JSON.")
@click.option("--projects", type=click.IntRange(min=0), default=0,
              help="Also generate this many projects (with workers and status history) for the statistics.")
@click.option("--units", type=click.IntRange(min=0), default=300, show_default=True,
              help="With --projects: grow the unit tree to this many units.")
@click.option("--seed", type=int, default=13, show_default=True, help="With --projects: the random seed.")
def seed_demo_command(as_json: bool, projects: int, units: int, seed: int) -> None:
    """Create demo units, targets and a round whose deadlines are near; --projects adds a generated city."""
    with database(settings_or_exit(), migrating=True) as db:
        upgrade(db.engine)
        with db.transaction() as session:
            now = utcnow()
            round_ = seed_demo(session, now)
            if projects:
                top = session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
                assert top is not None  # seed_demo made the tree
                report = seed_bulk(session, round_, top, now, projects, units, seed)
                click.echo(f"generated: {report.units} leaf units, {report.workers} workers, {report.projects} "
                           f"projects, {report.events} status events", err=True)
            listing = unit_listing(session)
            round_name = round_.name
    if as_json:
        click.echo(json.dumps({"round": round_name, "units": listing}, ensure_ascii=False, indent=2))
        return
    click.echo(f"round: {round_name}")
    for unit in listing:
        click.echo(f"{unit['worker_code']}  {unit['coordinator_code']}  {unit['name']}")


def _env_overrides() -> dict[str, str]:
    """Settings from the environment that the demo keeps (none of the WeChat credentials)."""
    return environment_values(("REDIS_URL", "INSTANCE_PATH"))
