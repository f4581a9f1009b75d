"""CPU per PostgreSQL statement with psycopg2's own blocking wait and with the deadline wait callback.

bot/deadline.py routes every psycopg2 wait through a Python callback, so a stalled network path
cannot block a request past its deadline. This measures what that costs: `SELECT 1` and a
one-row `INSERT … ON CONFLICT DO NOTHING` (the dedup record's shape) on one connection, in one
process, by the process's CPU time; the two ways alternate, 5 rounds of 5,000 statements each.

    .venv/bin/python bench/wait_callback.py [--url postgresql://postgres@127.0.0.1:5432/bench_numbers]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psycopg2
import psycopg2.extensions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.deadline import connection_class, wait_with_deadline, within  # noqa: E402

STATEMENTS = 5000


def cpu_per_statement(dsn: str, callback: bool) -> dict[str, float]:
    """Microseconds of CPU per statement of each kind on a fresh connection."""
    psycopg2.extensions.set_wait_callback(wait_with_deadline if callback else None)
    conn = psycopg2.connect(dsn, connection_factory=connection_class(5.0) if callback else None)
    conn.autocommit = True
    cursor = conn.cursor()
    cursor.execute("CREATE TEMP TABLE seen (key text PRIMARY KEY)")
    figures = {}
    for name, statement in (("select", "SELECT 1"),
                            ("insert", "INSERT INTO seen VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1")):
        started = time.process_time()
        with within(3.0):
            for i in range(STATEMENTS):
                cursor.execute(statement, (str(i),) if "%s" in statement else None)
                cursor.fetchall()
        figures[name] = (time.process_time() - started) / STATEMENTS * 1e6
    conn.close()
    return figures


def main() -> None:
    """Alternate the two ways and print the medians and the median ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/bench_numbers")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for round_ in range(args.rounds):
        for callback in ((False, True) if round_ % 2 == 0 else (True, False)):
            rows[callback].append(cpu_per_statement(args.url, callback))
    for name in ("select", "insert"):
        plain = [r[name] for r in rows[False]]
        green = [r[name] for r in rows[True]]
        ratios = [g / p for g, p in zip(green, plain)]
        print(f"{name}: libpq's wait {statistics.median(plain):.1f} µs, deadline callback "
              f"{statistics.median(green):.1f} µs CPU per statement; ratio median {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
