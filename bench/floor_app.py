"""The floor for bench/gateway.py: the echo plus the one write any exactly-once path must make.

It does what `bench/echo_app.py` does and then stores the message's dedup key, committed, in the
same database as the full path, with the project's own engine settings (SQLite's write gate and
WAL, PostgreSQL's pool). Nothing else: no worker, no dialog, no handler. Whatever the full path
costs above this floor is the price of the conversation itself; the floor's own ratio to the echo
says how high the full path's ratio can possibly get on the machine at hand.
"""
import os
from contextlib import nullcontext

from flask import Flask, Response
from sqlalchemy import text

from bench.echo_app import echo_reply, forbidden
from bot.database import Database

app = Flask(__name__)
DB = Database(os.environ["DATABASE_URL"])
#: A table of its own, so that the full path's row check counts only the full path's messages.
_CREATE = text("CREATE TABLE IF NOT EXISTS bench_floor (dedup_key VARCHAR(200) PRIMARY KEY, reply TEXT)")
_RECORD = text("INSERT INTO bench_floor (dedup_key, reply) VALUES (:key, :reply) ON CONFLICT (dedup_key) DO NOTHING")
with DB.transaction() as session:
    session.execute(_CREATE)
DB.engine.dispose()  # gunicorn forks after importing this (--preload): each worker opens its own connections


@app.post("/wechat")
def echo_once() -> Response:
    """Do what the echo does, then record the message's MsgId once, committed, and send the echo."""
    echoed = echo_reply()
    if echoed is None:
        return forbidden()
    message, reply = echoed
    with DB.write_gate.held() if DB.write_gate else nullcontext(), DB.engine.begin() as connection:
        connection.execute(_RECORD, {"key": f"msg:{message.id}", "reply": reply})
    return Response(reply, mimetype="application/xml")


@app.get("/healthz")
def healthz() -> Response:
    """Answer 200 once a worker is serving, so the benchmark knows when to start."""
    return Response("ok", mimetype="text/plain")
