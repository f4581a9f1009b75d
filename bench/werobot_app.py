"""The peer for bench/gateway.py: WeRoBot 1.13.1 as its documentation sets it up, default config.

What a union's IT staff would likely pick instead of this project: `werobot.WeRoBot(token=…)`,
one text handler that answers with the message's text, and WeRoBot's default session storage
(SQLiteStorage, `werobot_session.sqlite3` in the working folder, read and written on every
message). The benchmark starts gunicorn with `--chdir` to a scratch folder so that file lands
there. `/healthz` is answered here, in front of WeRoBot (which takes every path as WeChat's), so
the benchmark knows when the workers are up. The token comes from the environment.
"""
import os
from collections.abc import Iterable
from typing import Any

import werobot

robot = werobot.WeRoBot(token=os.environ["WECHAT_TOKEN"])


@robot.text
def echo(message: Any, session: Any) -> str:
    """Remember the last text in the session, as a dialog would, and answer with it."""
    session["last"] = message.content
    return message.content


_werobot = robot.wsgi


def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """WeRoBot's WSGI application, with a health check in front."""
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    return _werobot(environ, start_response)
