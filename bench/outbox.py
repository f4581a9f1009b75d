"""Benchmark: enqueue and deliver 10,000 reminders to the WeChat sandbox with several senders.

For each sender count (default: 1 as the baseline, then 4 processes) it empties the outbox,
enqueues the reminders, drains them and prints the enqueue time, the delivery time and rate,
the highest number of sends the sandbox saw within one second (which must never exceed
OUTBOX_RATE_PER_SECOND), and whether every follower got exactly one message. Exit status 1
if any of that fails. Figures and commands: bench/outbox.md.

    .venv/bin/python -m bench.outbox [--messages 10000] [--rate 200] [--senders 1 4] [--database-url URL]
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select, text

from bot.config import load_settings
from bot.database import Database
from simulator.sandbox import serve_sandbox
from bot.sender import Sender
from models import Base
from models.base import utcnow
from models.migrate import upgrade
from models.outbox import OutboundMessage, enqueue
from models.worker import Worker

APP_ID, SECRET = "wxbenchoutbox0001", "bench-secret"


def free_port() -> int:
    """A free loopback port for the sandbox."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_quietly(port: int) -> None:
    """Serve the sandbox in this (child) process without logging every request."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    serve_sandbox("127.0.0.1", port, APP_ID, SECRET)


def settings_for(database_url: str, api: str, rate: float) -> dict[str, str]:
    """Configuration of the benchmark's senders."""
    return {"WECHAT_TOKEN": "bench", "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": SECRET, "SECRET_KEY": "bench",
            "DATABASE_URL": database_url, "WECHAT_API_BASE": api, "OUTBOX_RATE_PER_SECOND": str(rate)}


def prepare(database_url: str, messages: int) -> float:
    """Empty the database, add followers and enqueue one reminder each; return the enqueue seconds."""
    db = Database(database_url)
    upgrade(db.engine)
    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(text(f'DELETE FROM "{table.name}"'))
    with db.transaction() as session:
        now = utcnow()
        session.add_all(Worker(openid=f"o_bench_{i:06d}", last_message_at=now) for i in range(messages))
    started = time.perf_counter()
    with db.transaction() as session:
        for i in range(messages):
            enqueue(session, f"bench:1:o_bench_{i:06d}:2026-12-01", f"o_bench_{i:06d}", "text",
                    {"text": f"【申报提醒】第{i}号提醒：申报截止还有3天。"})
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


def run_sender(config: dict[str, str], seconds: float) -> int:
    """One sender process: drain until nothing is left."""
    settings = load_settings(config, environ={})
    db = Database(settings.database_url)
    try:
        return Sender(settings, db).drain(settle=True, max_seconds=seconds).sent
    finally:
        db.dispose()


def deliver(config: dict[str, str], senders: int, seconds: float) -> tuple[float, list[int]]:
    """Run the sender processes together; return the wall time (process start included) and what each sent."""
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(senders) as pool:
        sent = pool.starmap(run_sender, [(config, seconds)] * senders)
    return time.perf_counter() - started, sent


def check(database_url: str) -> dict[str, Any]:
    """Count the outbox rows by status afterwards."""
    db = Database(database_url)
    with db.sessions() as session:
        counts = dict(session.execute(select(OutboundMessage.status, func.count())
                                      .group_by(OutboundMessage.status)).all())
    db.dispose()
    return counts


def run_once(database_url: str, api: str, messages: int, rate: float, senders: int) -> dict[str, Any]:
    """Enqueue and deliver with `senders` processes on a reset sandbox; return the figures."""
    requests.post(f"{api}/_sandbox/reset", timeout=5).raise_for_status()
    enqueue_seconds = prepare(database_url, messages)
    budget = messages / rate * 2 + 60
    deliver_seconds, sent = deliver(settings_for(database_url, api, rate), senders, budget)
    stats = requests.get(f"{api}/_sandbox/stats", timeout=5).json()
    calls = requests.get(f"{api}/_sandbox/calls", params={"path": "/cgi-bin/message/"}, timeout=60).json()["calls"]
    openids = [c["openid"] for c in calls if c["response"].get("errcode") == 0]
    window = max(c["time"] for c in calls) - min(c["time"] for c in calls) if calls else 0.0
    outbox = check(database_url)
    return {
        "database": database_url.split(":")[0].split("+")[0], "messages": messages, "senders": senders,
        "rate_limit_per_second": rate, "enqueue_seconds": round(enqueue_seconds, 2),
        "deliver_seconds": round(deliver_seconds, 2), "delivered_per_second": round(messages / deliver_seconds, 1),
        "first_to_last_send_seconds": round(window, 2),
        "sends_per_second_in_that_window": round(len(calls) / window, 1) if window else None,
        "sandbox_max_sends_in_one_second": stats["max_sends_per_second"], "sandbox_sends": stats["sends"],
        "distinct_recipients": len(set(openids)), "sent_per_sender": sent, "outbox": outbox,
        "ok": (len(openids) == len(set(openids)) == messages and outbox == {"sent": messages}
               and stats["max_sends_per_second"] <= rate),
    }


def start_sandbox() -> tuple[multiprocessing.process.BaseProcess, str]:
    """Start the sandbox in its own process (as in production, WeChat is not in ours); return it and its URL."""
    port = free_port()
    process = multiprocessing.get_context("spawn").Process(target=serve_quietly, args=(port,), daemon=True)
    process.start()
    api = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{api}/_sandbox/stats", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return process, api


def main() -> int:
    """Run one configuration per sender count (the first is the baseline); print JSON lines and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0, help="OUTBOX_RATE_PER_SECOND for all senders together.")
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 4], help="Sender processes, one run each.")
    parser.add_argument("--database-url", default=None, help="Default: a fresh SQLite file. It is emptied first.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    database_url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    sandbox, api = start_sandbox()
    results = []
    try:
        for senders in args.senders:
            result = run_once(database_url, api, args.messages, args.rate, senders)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    finally:
        sandbox.terminate()
    for r in results:
        print(f"{r['database']:<10} {r['senders']} sender(s)  limit {r['rate_limit_per_second']:g}/s  "
              f"enqueue {r['enqueue_seconds']} s  deliver {r['deliver_seconds']} s "
              f"({r['delivered_per_second']}/s; sending {r['first_to_last_send_seconds']} s at "
              f"{r['sends_per_second_in_that_window']}/s)  sandbox max {r['sandbox_max_sends_in_one_second']}/s  "
              f"{'ok' if r['ok'] else 'FAILED'}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
