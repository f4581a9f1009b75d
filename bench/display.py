"""Speed of the public showcase and the JSON API at the seed city's scale, with the SQL statements of each.

Run: .venv/bin/python bench/display.py [--projects 20000] [--units 300] [--runs 15]
         [--databases sqlite,postgresql] [--postgresql postgresql://postgres@127.0.0.1:5432/NAME]

The PostgreSQL database given is emptied (its public schema dropped): name your own, never CI's.

The city is generated as bench/stats.py generates it (`simulator.bulk_city.seed_bulk`: 5% of the
projects end awarded, so about 1,000 public ones at 20,000). Each page is requested through the
Flask test client `--runs` times, the pages in rotating order; figures are the median and 90th
percentile, this process's CPU time, and the statements one request runs. Baseline in the same
run: `/display/notices` with no 公示 running (a public phone page with no search: the floor).
Targets (issue 13): `/display` searches under 100 ms, the API's statistics under 300 ms (median).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from bench.stats import fresh_postgresql, make_app, seed  # noqa: E402
from bot.extensions import database_of  # noqa: E402
from models.api_token import create_token  # noqa: E402
from models.audit import COMMAND_LINE  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.project import Project, ProjectStatus  # noqa: E402


def measure(app: Any, ids: dict[str, int], runs: int) -> list[tuple[str, list[float], list[float], int]]:
    """Time every page `runs` times in rotating order; return (name, seconds, CPU seconds, statements)."""
    db = database_of(app)
    counted = [0]
    event.listen(db.engine, "before_cursor_execute", lambda *args: counted.__setitem__(0, counted[0] + 1))
    with db.transaction() as session:
        _token, secret = create_token(session, COMMAND_LINE, "bench", None, utcnow())
        public = session.scalars(select(Project).where(Project.status == ProjectStatus.awarded)
                                 .order_by(Project.id)).all()
        word = public[len(public) // 2].title[:2]
        sample, system = public[len(public) // 2].id, public[0].system
    client, bearer = app.test_client(), {"Authorization": f"Bearer {secret}"}
    print(f"  {len(public)} public projects; searching for {word!r}", flush=True)

    def page(path: str, headers: dict[str, str] | None = None) -> Callable[[], object]:
        """Request a page and insist on a 200."""
        def get() -> object:
            response = client.get(path, headers=headers or {})
            assert response.status_code == 200, (path, response.status_code)
            return response.data
        return get

    designs: dict[str, Callable[[], object]] = {
        "/display/notices (floor: no search)": page("/display/notices"),
        "/display (first page, all)": page("/display"),
        f"/display?q={word}": page(f"/display?q={word}"),
        "/display?system&unit=mine": page(f"/display?system={system}&unit={ids['mine']}"),
        "/display?q&year&system": page(f"/display?q={word}&year=2026&system={system}"),
        "/display/<id> (one project)": page(f"/display/{sample}"),
        "/api/projects?limit=50": page("/api/projects?limit=50", bearer),
        "/api/statistics (city)": page(f"/api/statistics?round={ids['round']}", bearer),
        "/api/units (city)": page(f"/api/units?round={ids['round']}", bearer),
    }
    times: dict[str, list[float]] = {name: [] for name in designs}
    cpu: dict[str, list[float]] = {name: [] for name in designs}
    statements: dict[str, int] = {}
    names = list(designs)
    for name in names:  # one warm-up each
        counted[0] = 0
        designs[name]()
        statements[name] = counted[0]
    for round_number in range(runs):
        for name in names[round_number % len(names):] + names[:round_number % len(names)]:
            start, start_cpu = time.perf_counter(), time.process_time()
            designs[name]()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return [(name, times[name], cpu[name], statements[name]) for name in names]


def report(database: str, rows: list[tuple[str, list[float], list[float], int]]) -> None:
    """Print one database's table: median, p90, CPU (ms), ratio to the floor, statements."""
    floor = statistics.median(rows[0][1])
    print(f"\n{database}\n")
    print("| page | median ms | p90 ms | CPU ms (median) | × floor | SQL statements |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, times, cpu, count in rows:
        ordered = sorted(times)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        median = statistics.median(times)
        print(f"| {name} | {median * 1000:.0f} | {p90 * 1000:.0f} | {statistics.median(cpu) * 1000:.0f} | "
              f"{median / floor:.1f} | {count} |", flush=True)


def main() -> None:
    """Parse the options and run the benchmark on each database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgresql", default=os.environ.get("BENCH_DATABASE_URL",
                                                               "postgresql://postgres@127.0.0.1:5432/test_pub"))
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"{args.projects} projects, {args.units} units, {args.runs} runs")
    for database in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix="bench-display-"))
        try:
            if database == "sqlite":
                url = f"sqlite:///{work / 'bench.sqlite3'}"
            else:
                url = args.postgresql
                fresh_postgresql(url)
            app = make_app(url, work / "instance")
            print(f"{database}:", flush=True)
            report(database, measure(app, seed(app, args.projects, args.units), args.runs))
            database_of(app).dispose()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
