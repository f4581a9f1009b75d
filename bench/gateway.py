"""Throughput and latency of the full /wechat path beside a bare Flask + wechatpy echo server.

Run: .venv/bin/python bench/gateway.py            (needs `wrk`: apt-get install -y wrk)

The servers run under gunicorn with the production settings (bot/gunicorn.conf.py; the peers get
the same options on the command line): the full path, the bare echo, a floor (the echo plus one
committed dedup record, bench/floor_app.py: what any exactly-once path must at least do), the
peer WeRoBot 1.13.1 with its default config (bench/werobot_app.py, bench/requirements.txt) and,
with --designs, the previous design of the full path (bench/locked_app.py). wrk posts signed
WeChat text messages (realistic texts from bench/messages.txt, a distinct MsgId per request,
many followers) on 127.0.0.1; the servers are measured in turn, several rounds, on SQLite and
on PostgreSQL, and the medians and the ratios are printed. Afterwards the inbound_message rows
are counted against the 200 responses.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import ServerSettings  # noqa: E402
from simulator.follower import signature  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TOKEN = "bench-token"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@dataclass
class Server:
    """A gunicorn process serving one application on a loopback port."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM to the master), killing it if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Tally:
    """What the full path's runs on one database sent and got back, for the row check."""

    sent: int = 0
    ok: int = 0
    other: int = 0
    errors: int = 0
    runs: list[dict] = field(default_factory=list)

    def add(self, result: dict) -> None:
        """Add one wrk run's counts."""
        self.sent += result["sent"]
        self.ok += result["ok"]
        self.other += result["other"]
        self.errors += result["connect_errors"] + result["read_errors"] + result["write_errors"] + result["timeouts"]


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, instance: Path, threads: int, workers: int = 2) -> dict[str, str]:
    """Environment for both servers: the app's settings, loopback only, nothing real reached."""
    return {**os.environ, "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": "wxbench", "WECHAT_APP_SECRET": "bench-secret",
            "SECRET_KEY": "bench-secret-key", "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance),
            "WECHAT_API_BASE": "http://127.0.0.1:9", "WEB_CONCURRENCY": str(workers), "THREADS": str(threads),
            "PYTHONUNBUFFERED": "1"}


def start_server(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Server:
    """Start gunicorn on a free loopback port and wait until it accepts connections."""
    port = free_port()
    log_path = logs / f"{name}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen([GUNICORN, "-b", f"127.0.0.1:{port}", *argv], cwd=ROOT,
                                   env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + 90  # the full server warms the NLP models (~12 s) before it listens
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start-up; see {log_path}")
        if healthy(port):
            return server
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{name} did not become healthy within 90 s; see {log_path}")


def healthy(port: int) -> bool:
    """Whether the server answers GET /healthz with 200 (a worker is up and, for the app, its database)."""
    try:
        with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:  # refused, reset, timed out, or an HTTP error status
        return False


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    try:
        return [pid, *(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def _postgres_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (its backends serve whichever server runs)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def cpu_use(server_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by a gunicorn server's processes and by PostgreSQL's."""
    return (sum(_cpu_seconds(p) for p in _children(server_pid)),
            sum(_cpu_seconds(p) for p in _postgres_pids()))


def run_wrk(port: int, seconds: float, connections: int, msgid_base: int, openids: int,
            server_pid: int | None = None, mix: str = "bench") -> dict:
    """Post signed text messages for `seconds`; return wrk's counts and latencies and the CPU each part used."""
    ts, nonce = str(int(time.time())), os.urandom(5).hex()
    path = f"/wechat?timestamp={ts}&nonce={nonce}&signature={signature(TOKEN, ts, nonce)}&openid=bench"
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", "--latency",
            "-s", str(BENCH / "gateway.lua"), f"http://127.0.0.1:{port}", "--",
            path, str(BENCH / "messages.txt"), str(msgid_base), str(openids), mix]
    before = cpu_use(server_pid) if server_pid else (0.0, 0.0)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    after = cpu_use(server_pid) if server_pid else (0.0, 0.0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read(), process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    lines = [line for line in out.splitlines() if line.startswith("BENCH ")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({process.returncode}): {err or out}")
    result = json.loads(lines[-1][len("BENCH "):])
    result["sent"] -= 1  # wrk calls request() once on its own to check the script; that one is never sent
    wall = result["duration_us"] / 1e6
    result["rps"] = result["ok"] / wall
    result["wrk_cpu"] = (usage.ru_utime + usage.ru_stime) / wall
    answered = max(result["sent"], 1)  # in-flight requests at the stop were handled too
    result["server_cpu_ms"] = (after[0] - before[0]) / answered * 1000
    result["postgres_cpu_ms"] = (after[1] - before[1]) / answered * 1000
    return result


def bare_argv(args: argparse.Namespace) -> list[str]:
    """gunicorn options for the echo and the floor: the production settings of bot/gunicorn.conf.py."""
    return ["-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads), "--preload",
            "--timeout", "30", "--access-logfile", "-", *args.gunicorn_arg]


def werobot_argv(args: argparse.Namespace) -> list[str]:
    """gunicorn options for WeRoBot: the same workers and logging, sync workers unless told otherwise.

    WeRoBot's default session store (SQLiteStorage) opens one sqlite3 connection per process with
    check_same_thread=False and shares it between threads; under gthread its commits interleave and
    requests wait out SQLite's busy timeout (measured on a quiet host: 0-2 req/s, p99 5 s). Sync
    workers are how it runs as documented, and how the issue measured it (658 req/s).
    """
    worker_class = args.werobot_worker_class or args.worker_class
    threads = 1 if worker_class == "sync" else args.threads
    return ["-w", str(args.workers), "-k", worker_class, "--threads", str(threads), "--preload",
            "--timeout", "30", "--access-logfile", "-", *args.gunicorn_arg]


def pg_admin(url: str, sql: str) -> None:
    """Run one statement outside a transaction on the server's `postgres` database."""
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def prepare_database(kind: str, tmp: Path, pg_url: str) -> str:
    """Create an empty database of the kind, migrate it, and return its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        url, name = pg_url, urlsplit(pg_url).path.lstrip("/")
        if not name.isidentifier() or name in ("test", "postgres"):
            raise SystemExit(f"refusing to recreate database {name!r}: give --pg-url a scratch database")
        pg_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        pg_admin(url, f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "-m", "bot", "--log-level", "WARNING", "init-db"], cwd=ROOT, check=True,
                   env=server_env(url, tmp, 4), stdout=subprocess.DEVNULL)
    return url


def count_rows(url: str) -> dict[str, int]:
    """Count what the full path stored: dedup records (and distinct keys), workers, conversations."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: conn.execute(text(sql)).scalar_one() for name, sql in (
                ("inbound_message", "SELECT count(*) FROM inbound_message"),
                ("distinct_keys", "SELECT count(DISTINCT dedup_key) FROM inbound_message"),
                ("worker", "SELECT count(*) FROM worker"),
                ("conversation", "SELECT count(*) FROM conversation"))}
    finally:
        engine.dispose()


def log_faults(path: Path) -> int:
    """Count handler faults the full server logged. One answered "try again" stored nothing; one that
    said the database was too slow kept its message in the spool (answered "kept"), and the replay
    stored it later: so the faults bound the row count from below, not exactly."""
    text = path.read_text(errors="replace")
    return text.count("could not handle message") + text.count("handler failed for")


def log_replayed(path: Path) -> int:
    """Messages the server kept in the spool (the database too slow for the deadline) and replayed."""
    return sum(int(n) for n in re.findall(r"replayed (\d+) spooled messages", path.read_text(errors="replace")))


#: Server names and their labels in the report, in the order they are printed.
LABELS = {"echo": "bare Flask + wechatpy echo", "floor": "echo + dedup record (floor)",
          "werobot": "WeRoBot 1.13.1, default config (sync workers)", "locked": "full path, previous design (locked)",
          "full": "full path (bot.wsgi)"}


def is_full(name: str) -> bool:
    """Whether a server runs this project's full path (its messages are counted by the row check)."""
    return name in ("full", "locked")


def measure(servers: dict[str, Server], args: argparse.Namespace, tally: Tally, base: list[int]) -> list[dict]:
    """Warm the servers up, then measure them in turn for the given rounds; return one row per round.

    The order rotates from round to round so that none always goes first; each ratio is taken
    within one round, between measurements made one right after the other.
    """
    def run(name: str, seconds: float) -> dict:
        base[0] += 10**11  # disjoint MsgId ranges: every request of the whole benchmark is a new message
        server = servers[name]
        result = run_wrk(server.port, seconds, args.connections, base[0], args.openids, server.process.pid, args.mix)
        if is_full(name):
            tally.add(result)
        return result

    names = list(servers)
    for name in names:
        warm = [run(name, args.warmup)]
        # A follower's first message creates his worker and dialog, on the locked path: a one-off
        # cost of the benchmark's empty database, not of a round. The full path warms up until
        # every follower has written once (the floor and the echo keep nothing per follower).
        while is_full(name) and sum(w["sent"] for w in warm) < args.openids:
            warm.append(run(name, args.warmup))
        if is_full(name):
            print(f"  {name} warm-up: {sum(w['sent'] for w in warm)} messages from {args.openids} followers, "
                  f"{statistics.mean(w['rps'] for w in warm):.0f} req/s, "
                  f"cpu {statistics.mean(w['server_cpu_ms'] for w in warm):.2f} ms", flush=True)
    rounds = []
    for number in range(args.rounds):
        order = names[number % len(names):] + names[:number % len(names)]
        row = {"round": number + 1, "load": os.getloadavg()[0], **{name: run(name, args.duration) for name in order}}
        row["ratios"] = {f"full/{other}": row["full"]["rps"] / row[other]["rps"] if row[other]["rps"] else math.inf
                         for other in names if other != "full"}  # a peer that answered nothing 200 in a round
        rounds.append(row)
        print(f"  round {row['round']} (load {row['load']:.2f}): " + "   ".join(
            f"{name} {row[name]['rps']:6.0f} req/s p50 {row[name]['p50_us'] / 1000:5.1f} ms "
            f"p99 {row[name]['p99_us'] / 1000:5.1f} ms cpu {cpu_ms(row[name]):.2f} ms" for name in names)
            + "   " + "  ".join(f"{k} {v:.2f}" for k, v in row["ratios"].items()), flush=True)
    return rounds


def cpu_ms(result: dict) -> float:
    """CPU per request of one run: the servers' processes plus PostgreSQL's (0 on SQLite)."""
    return result["server_cpu_ms"] + result["postgres_cpu_ms"]


#: The targets of issue 15 per database: (minimum median ratio to the floor, to WeRoBot; p99 limit in ms).
TARGETS = {"sqlite": {"full/floor": 0.6, "full/werobot": 1.5, "p99_ms": 100.0},
           "postgres": {"full/floor": 0.5, "p99_ms": 150.0}}


def summarize(kind: str, rounds: list[dict], tally: Tally, rows: dict[str, int], faults: int) -> dict:
    """Medians over the rounds, the ratios with their ranges, the targets, and the row check for one database."""
    def med(server: str, key: str) -> float:
        return statistics.median(r[server][key] for r in rounds)

    summary: dict = {"database": kind, "rounds": len(rounds), "load": [r["load"] for r in rounds]}
    for server in LABELS:
        if server in rounds[0]:
            summary[server] = {"rps": med(server, "rps"), "p50_ms": med(server, "p50_us") / 1000,
                               "p99_ms": med(server, "p99_us") / 1000, "wrk_cpu": med(server, "wrk_cpu"),
                               "server_cpu_ms": med(server, "server_cpu_ms"),
                               "postgres_cpu_ms": med(server, "postgres_cpu_ms")}
    summary["ratios"] = {key: {"median": statistics.median(r["ratios"][key] for r in rounds),
                               "min": min(r["ratios"][key] for r in rounds),
                               "max": max(r["ratios"][key] for r in rounds)} for key in rounds[0]["ratios"]}
    unanswered = tally.sent - tally.ok - tally.other  # in flight when wrk stopped: handled, reply unread
    summary["rows"] = {"sent": tally.sent, "ok_200": tally.ok, "non_200": tally.other,
                       "socket_errors": tally.errors, "unanswered_at_stop": unanswered,
                       "handler_faults": faults, **rows}
    # Every 200 was recorded once (less the faults, answered "try again" with nothing stored); a request
    # still unanswered when wrk stopped may or may not have been handled (gthread handles it; a sync
    # worker may never read it from the backlog), so it may add a row but never more than one each.
    summary["rows_match"] = (tally.ok - faults <= rows["inbound_message"] <= tally.ok + unanswered
                             and rows["distinct_keys"] == rows["inbound_message"] and tally.other == 0)
    checks = {}
    for key, limit in TARGETS.get(kind, {}).items():
        if key == "p99_ms":
            checks[f"p99 < {limit:g} ms"] = summary["full"]["p99_ms"] < limit
        elif key in summary["ratios"]:
            checks[f"{key} >= {limit:g}"] = summary["ratios"][key]["median"] >= limit
    checks["0 non-200, rows consistent"] = summary["rows_match"]
    summary["targets"] = checks
    return summary


def seed_grown(url: str, projects: int, followers: int) -> None:
    """Fill a migrated database as after a busy year: the demo units and round, `followers` bound
    workers with a dialog each, and `projects` submitted projects among them. The benchmark's own
    followers (`bench-N`) are not among them: they write for the first time, as on an empty database."""
    from datetime import timedelta

    from sqlalchemy import create_engine, insert, select

    from models.base import utcnow
    from models.conversation import Conversation
    from models.project import Project, ProjectStatus
    from models.seed import seed_demo
    from models.unit import Unit
    from models.worker import Worker
    from sqlalchemy.orm import Session

    lines = [line.strip() for line in (BENCH / "messages.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    engine = create_engine(url)
    now = utcnow()
    try:
        with Session(engine) as session, session.begin():
            round_ = seed_demo(session, now)
            units = session.scalars(select(Unit.id)).all()
            session.execute(insert(Worker), [
                {"openid": f"seed-{n}", "name": f"工友{n}", "unit_id": units[n % len(units)], "role": "worker",
                 "subscribed": True, "created_at": now - timedelta(days=n % 300), "last_message_at": now - timedelta(hours=n % 500)}
                for n in range(followers)])
            ids = session.scalars(select(Worker.id).where(Worker.openid.like("seed-%")).order_by(Worker.id)).all()
            session.execute(insert(Conversation), [
                {"worker_id": wid, "state": "idle", "slots": {}, "turns": n % 40, "updated_at": now, "version": n % 40}
                for n, wid in enumerate(ids)])
            statuses = [ProjectStatus.submitted, ProjectStatus.unit_approved, ProjectStatus.returned]
            session.execute(insert(Project), [
                {"round_id": round_.id, "number": f"{round_.year}-{n + 1:05d}", "title": lines[n % len(lines)][:30] + f" {n}",
                 "description": lines[n % len(lines)], "status": statuses[n % 3], "unit_id": units[n % len(units)],
                 "worker_id": ids[(n * 7) % len(ids)], "members": [], "created_at": now, "updated_at": now,
                 "submitted_at": now} for n in range(projects)])
    finally:
        engine.dispose()


def bench_database(kind: str, echo: Server, args: argparse.Namespace, tmp: Path, base: list[int]) -> dict:
    """Migrate a fresh database, serve it with the production gunicorn settings, measure, check rows."""
    url = prepare_database(kind, tmp, args.pg_url)
    if args.seed_followers or args.seed_projects:
        started = time.monotonic()
        seed_grown(url, args.seed_projects, args.seed_followers)
        print(f"{kind}: seeded {args.seed_followers} followers and {args.seed_projects} projects "
              f"in {time.monotonic() - started:.0f} s", flush=True)
    env = server_env(url, tmp, args.threads, args.workers)
    overrides = ["-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads)]
    full = start_server(f"full-{kind}", ["-c", "bot/gunicorn.conf.py", *overrides, *args.gunicorn_arg, "bot.wsgi:app"],
                        env, tmp)
    servers = {"echo": echo, "full": full}
    tally = Tally()
    try:
        if args.floor:
            servers["floor"] = start_server(f"floor-{kind}", [*bare_argv(args), "bench.floor_app:app"], env, tmp)
        if args.werobot:
            folder = tmp / f"werobot-{kind}"
            folder.mkdir()
            servers["werobot"] = start_server(f"werobot-{kind}", [*werobot_argv(args), "--chdir", str(folder),
                                                                  "--pythonpath", str(ROOT), "bench.werobot_app:app"],
                                              env, tmp)
        if args.designs:
            servers["locked"] = start_server(f"locked-{kind}", ["-c", "bot/gunicorn.conf.py", *overrides,
                                                                *args.gunicorn_arg, "bench.locked_app:app"], env, tmp)
        time.sleep(args.settle)  # let the workers' background warm-up (similar-projects index) finish
        print(f"{kind}: " + ", ".join(f"{name} on :{server.port}" for name, server in servers.items()), flush=True)
        rounds = measure(servers, args, tally, base)
    finally:
        for server in servers.values():
            if server is not echo:
                server.stop()  # graceful: requests in flight finish and commit before the rows are counted
    faults = log_faults(full.log_path) + (log_faults(servers["locked"].log_path) if "locked" in servers else 0)
    rows = count_rows(url)
    rows["redone"] = full.log_path.read_text(errors="replace").count("handling it again")  # compare-and-set lost
    rows["replayed"] = log_replayed(full.log_path)
    return summarize(kind, rounds, tally, rows, faults)


def total_cpu(medians: dict) -> float:
    """Median CPU per request of a server, its own plus PostgreSQL's."""
    return medians["server_cpu_ms"] + medians["postgres_cpu_ms"]


def report(summaries: list[dict], args: argparse.Namespace) -> None:
    """Print the medians, the ratios, the targets and the row check as Markdown."""
    print(f"\n{args.connections} connections, {args.duration:g} s per measurement, median of {args.rounds} rounds, "
          f"{os.cpu_count()} CPUs, mix {args.mix!r}, {args.workers} workers {args.worker_class} x {args.threads} threads, "
          f"{args.seed_followers} followers and {args.seed_projects} projects seeded\n")
    print("| database | server | req/s | p50 ms | p99 ms | CPU ms/request: server + PostgreSQL |")
    print("|---|---|---:|---:|---:|---:|")
    for s in summaries:
        for server, label in LABELS.items():
            if server not in s:
                continue
            m = s[server]
            print(f"| {s['database']} | {label} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
                  f"{m['server_cpu_ms']:.2f} + {m['postgres_cpu_ms']:.2f} |")
    print()
    for s in summaries:
        print(f"{s['database']} (load per round: {', '.join(f'{x:.2f}' for x in s['load'])}):")
        print("  ratios of req/s, median (range) of the rounds: " + ", ".join(
            f"{k} {v['median']:.2f} ({v['min']:.2f}-{v['max']:.2f})" for k, v in s["ratios"].items()))
        print("  CPU per request, full / other: " + ", ".join(
            f"full/{name} {total_cpu(s['full']) / total_cpu(s[name]):.2f}" for name in LABELS
            if name in s and name != "full"))
        print("  targets: " + ", ".join(f"{k}: {'MET' if v else 'NOT MET'}" for k, v in s["targets"].items()))
        r = s["rows"]
        print(f"  rows: {r['inbound_message']} inbound_message ({r['distinct_keys']} distinct keys) for "
              f"{r['ok_200']} responses 200 + {r['unanswered_at_stop']} in flight at stop - "
              f"{r['handler_faults']} handler faults; non-200 {r['non_200']}, socket errors {r['socket_errors']}; "
              f"{r['worker']} workers, {r['conversation']} conversations; {r['redone']} messages redone, {r['replayed']} kept and replayed: "
              f"{'consistent' if s['rows_match'] else 'MISMATCH'}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench",
                        help="scratch PostgreSQL database; dropped and recreated (never 'test')")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load per server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--openids", type=int, default=2000, help="distinct followers")
    parser.add_argument("--threads", type=int, default=ServerSettings.threads, help="gunicorn threads, every server")
    parser.add_argument("--workers", type=int, default=ServerSettings.workers, help="gunicorn workers, every server")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class, every server")
    parser.add_argument("--mix", choices=("bench", "unique"), default="bench",
                        help="bench: the 40 lines of messages.txt; unique: the same lines, no text ever repeated")
    parser.add_argument("--seed-projects", type=int, default=0, help="projects in the database before the load")
    parser.add_argument("--seed-followers", type=int, default=0, help="bound followers in the database before the load")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to wait after start-up (index warm-up)")
    parser.add_argument("--no-werobot", dest="werobot", action="store_false", help="skip the WeRoBot peer")
    parser.add_argument("--werobot-worker-class", default="sync",
                        help="gunicorn worker class for WeRoBot (default sync: its session store shares one "
                             "sqlite3 connection between threads; '' = the same as the others)")
    parser.add_argument("--designs", action="store_true",
                        help="also run the previous design of the full path (bench/locked_app.py)")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="extra gunicorn option for both servers, e.g. --gunicorn-arg=--access-logfile=/dev/null")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the floor server (echo + one committed dedup record)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on each database and print the report; servers and files are cleaned up."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (or brew install wrk)")
    summaries = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-gateway-")))
        echo_env = server_env("sqlite://", tmp, args.threads)
        echo = start_server("echo", [*bare_argv(args), "bench.echo_app:app"], echo_env, tmp)
        stack.callback(echo.stop)
        if "postgres" in args.databases:
            stack.callback(pg_admin, args.pg_url, f'DROP DATABASE IF EXISTS "{urlsplit(args.pg_url).path.lstrip("/")}"')
        base = [int(time.time()) * 10**6]
        for kind in args.databases.split(","):
            summaries.append(bench_database(kind.strip(), echo, args, tmp, base))
    report(summaries, args)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2))


if __name__ == "__main__":
    main()
