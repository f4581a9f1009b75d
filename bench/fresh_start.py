"""How a freshly started full server does in its first seconds, run after run (issue 15's slow first round).

Run: .venv/bin/python bench/fresh_start.py [--database sqlite|postgres] [--runs 6] [--seconds 4] [--precontact]

It migrates an empty database, starts the full path under gunicorn with the production settings
(bot/gunicorn.conf.py), and measures it with wrk (bench/gateway.lua, 32 connections, 2,000
followers) several times in a row, printing for each run the req/s, the CPU per request of the
server's processes, the page faults per request (minor + major: copy-on-write of the master's
heap shows here) and the p99. With --precontact every follower has written once, through a
server that is then stopped, before the measured server starts: what is left is the start-up
itself, not the first contacts of an empty database.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gateway  # noqa: E402 - bench/gateway.py, beside this file


def page_faults(pid: int) -> int:
    """Minor and major page faults so far of a gunicorn master and its workers."""
    total = 0
    for process in gateway._children(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[7]) + int(fields[9])
    return total


def main() -> None:
    """Start one server on a fresh database and print each run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench",
                        help="scratch PostgreSQL database; dropped and recreated (never 'test')")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--openids", type=int, default=2000)
    parser.add_argument("--precontact", action="store_true", help="every follower writes once before the start")
    args = parser.parse_args()
    argv = ["-c", "bot/gunicorn.conf.py", "bot.wsgi:app"]
    with tempfile.TemporaryDirectory(prefix="bench-fresh-") as folder:
        tmp = Path(folder)
        url = gateway.prepare_database(args.database, tmp, args.pg_url)
        env = gateway.server_env(url, tmp, threads=4, workers=2)
        if args.precontact:
            first = gateway.start_server("precontact", argv, env, tmp)
            try:
                sent = gateway.run_wrk(first.port, 6, 32, 10**15, args.openids, first.process.pid)["sent"]
            finally:
                first.stop()
            print(f"precontact: {sent} messages from {args.openids} followers, then a new server", flush=True)
        server = gateway.start_server("full", argv, env, tmp)
        try:
            for number in range(1, args.runs + 1):
                before = page_faults(server.process.pid)
                result = gateway.run_wrk(server.port, args.seconds, 32, number * 10**11, args.openids,
                                         server.process.pid)
                faults = (page_faults(server.process.pid) - before) / max(result["sent"], 1)
                print(f"run {number} (load {os.getloadavg()[0]:.1f}): {result['rps']:6.0f} req/s, "
                      f"cpu {result['server_cpu_ms']:.2f} ms/req, {faults:.2f} page faults/req, "
                      f"p99 {result['p99_us'] / 1000:.0f} ms", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
