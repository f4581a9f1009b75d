"""Speed of the statistics pages at the seed city's scale, with the SQL statements each page runs.

Run: .venv/bin/python bench/stats.py [--projects 20000] [--units 300] [--runs 15]
         [--databases sqlite,postgresql] [--postgresql postgresql://postgres@127.0.0.1:5432/NAME]

The PostgreSQL database given is emptied (its public schema dropped): name your own, never CI's.

For each database: migrate a fresh one, generate the city with `simulator.bulk_city.seed_bulk`
(what `python -m bot seed-demo --projects … --units …` runs), sign a staff account and a mine's
coordinator in through the real login form, and request each page through the Flask test client,
the pages in turn, their order rotated every round. Each figure is the median (and the 90th
percentile) of `--runs` requests, with the CPU time of this process (the database server's is not
in it; on a loaded machine it is the steadier figure); "SQL" is the statements one request runs,
counted on the engine.
Baselines in the same run: `/` (a signed-in page with no figures: the floor of any page), the
per-unit design the query layer replaced (`naive_children`: two counts per child, each child's
subtree found level by level), and the export written with openpyxl's write-only mode (the design
`web/xlsx_writer.py` replaced; with lxml when it is installed). Figures and how to read them: bench/stats.md.
"""
from __future__ import annotations

import argparse
import io
import os
import re
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

import openpyxl  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot import create_app  # noqa: E402
from bot.extensions import database_of  # noqa: E402
from models.accounts import create_account  # noqa: E402
from models.audit import COMMAND_LINE  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.project import Project, ProjectStatus  # noqa: E402
from models.round import Round  # noqa: E402
from models.seed import seed_demo  # noqa: E402
from models.stats import round_stats  # noqa: E402
from models.unit import Unit, UnitKind, units_under  # noqa: E402
from simulator.bulk_city import seed_bulk  # noqa: E402
from web import stats_export  # noqa: E402
from web.xlsx_writer import Styled  # noqa: E402

PASSWORD = "bench-password-1"
SLOW = "export, openpyxl"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_app(url: str, instance: Path) -> Any:
    """The application on `url`, with settings a test would use."""
    return create_app({"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wxbench", "WECHAT_APP_SECRET": "s",
                       "SECRET_KEY": "bench", "DATABASE_URL": url, "INSTANCE_PATH": str(instance),
                       "WECHAT_API_BASE": "http://127.0.0.1:9", "WECHAT_AES_KEY": ""})


def fresh_postgresql(url: str) -> None:
    """Drop and recreate the public schema of the bench's own PostgreSQL database."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed(app: Any, projects: int, units: int) -> dict[str, int]:
    """Generate the city and two accounts; return the ids the pages need."""
    db = database_of(app)
    upgrade(db.engine)
    start = time.perf_counter()
    with db.transaction() as session:
        now = utcnow()
        round_ = seed_demo(session, now)
        top = session.scalars(select(Unit).where(Unit.parent_id.is_(None))).one()
        report = seed_bulk(session, round_, top, now, projects, units)
        mine = session.scalars(select(Unit.id).where(Unit.kind == UnitKind.mine).order_by(Unit.id.desc())).first()
        assert mine is not None
        for username, role, unit_id in (("staff", "staff", None), ("coord", "coordinator", mine)):
            create_account(session, COMMAND_LINE, username=username, password=PASSWORD, role=role, now=now,
                           unit_id=unit_id, name=username)
        ids = {"round": round_.id, "top": top.id, "mine": mine}
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"  generated in {time.perf_counter() - start:.1f} s: {report}", flush=True)
    return ids


def signed_in(app: Any, username: str) -> FlaskClient:
    """A test client signed in through the login form."""
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 302, answer.status_code
    return client


def naive_children(session: Session, round_id: int, unit_id: int) -> list[tuple[int, int, int]]:
    """The replaced design: each child's subtree found level by level, then two counts per child."""
    rows = []
    for child in session.scalars(select(Unit.id).where(Unit.parent_id == unit_id)):
        ids = units_under(session, child)
        base = select(func.count()).select_from(Project).where(Project.round_id == round_id, Project.unit_id.in_(ids))
        rows.append((child, session.scalar(base.where(Project.status.in_(ProjectStatus.live()))) or 0,
                     session.scalar(base.where(Project.status.in_(ProjectStatus.approved()))) or 0))
    return rows


def openpyxl_export(session: Session, round_id: int, unit_id: int) -> bytes:
    """The replaced export design: the same sheets written with openpyxl's write-only mode."""
    stats = round_stats(session, round_id, unit_id)
    workbook = Workbook(write_only=True)
    for sheet in stats_export.sheets(session, session.get(Round, round_id), stats):  # type: ignore[arg-type]
        target = workbook.create_sheet(sheet.title)
        target.append(list(sheet.header))
        for row in sheet.rows:
            target.append([cell.value if isinstance(cell, Styled) else cell for cell in row])
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def own_export(session: Session, round_id: int, unit_id: int) -> bytes:
    """The export as the page makes it, without the HTTP request around it."""
    stats = round_stats(session, round_id, unit_id)
    return stats_export.stats_workbook(session, session.get(Round, round_id), stats).getvalue()  # type: ignore[arg-type]


def measure(app: Any, ids: dict[str, int], runs: int) -> list[tuple[str, list[float], list[float], int]]:
    """Time every page and call `runs` times, in rotating order; return (name, seconds, CPU seconds, statements)."""
    db = database_of(app)
    counted: list[int] = [0]
    event.listen(db.engine, "before_cursor_execute", lambda *args: counted.__setitem__(0, counted[0] + 1))
    staff, coordinator = signed_in(app, "staff"), signed_in(app, "coord")
    r, top, mine = ids["round"], ids["top"], ids["mine"]

    def page(client: FlaskClient, path: str) -> Callable[[], object]:
        """Request a page and insist on a 200."""
        def get() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.data
        return get

    def model(call: Callable[[Session], object]) -> Callable[[], object]:
        """Run a query-layer call in its own session."""
        def run() -> object:
            with db.sessions() as session:
                return call(session)
        return run

    designs: dict[str, Callable[[], object]] = {
        "/ (signed in, no figures)": page(staff, "/"),
        "/stats (city, staff)": page(staff, f"/stats?round={r}"),
        "/stats?unit=mine (staff)": page(staff, f"/stats?round={r}&unit={mine}"),
        "/stats (coordinator of a mine)": page(coordinator, f"/stats?round={r}"),
        "/stats/export.xlsx (city)": page(staff, f"/stats/export.xlsx?round={r}"),
        "round_stats(city)": model(lambda s: round_stats(s, r, top)),
        "export, own xlsx writer (city)": model(lambda s: own_export(s, r, top)),
        f"export, openpyxl write-only, lxml {'on' if openpyxl.LXML else 'off'} (city)":
            model(lambda s: openpyxl_export(s, r, top)),
        "naive children of the city's enterprises": model(lambda s: [naive_children(s, r, k) for k in
                                                                      s.scalars(select(Unit.id).where(
                                                                          Unit.parent_id == top))]),
    }
    times: dict[str, list[float]] = {name: [] for name in designs}
    cpu: dict[str, list[float]] = {name: [] for name in designs}
    statements: dict[str, int] = {}
    names = list(designs)
    for name in names:  # one warm-up each: templates compiled, caches filled
        counted[0] = 0
        designs[name]()
        statements[name] = counted[0]
    for round_number in range(runs):
        order = names[round_number % len(names):] + names[:round_number % len(names)]
        for name in order:
            if name.startswith(SLOW) and len(times[name]) >= 3:
                continue  # the replaced export design: three samples tell enough, at 10-20 s each
            start, start_cpu = time.perf_counter(), time.process_time()
            designs[name]()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return [(name, times[name], cpu[name], statements[name]) for name in names]


def report(database: str, rows: list[tuple[str, list[float], list[float], int]]) -> None:
    """Print one database's table: median and p90 in milliseconds, this process's CPU, statements per request."""
    print(f"\n{database}\n")
    print("| page / call | median ms | p90 ms | CPU ms (this process, median) | SQL statements |")
    print("|---|---:|---:|---:|---:|")
    for name, times, cpu, statements in rows:
        ordered = sorted(times)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        print(f"| {name} | {statistics.median(times) * 1000:.0f} | {p90 * 1000:.0f} | "
              f"{statistics.median(cpu) * 1000:.0f} | {statements} |", flush=True)


def main() -> None:
    """Parse the options and run the benchmark on each database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgresql", default=os.environ.get("BENCH_DATABASE_URL",
                                                               "postgresql://postgres@127.0.0.1:5432/test_stats"))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"on {os.cpu_count()} cores; {args.projects} projects, {args.units} units, {args.runs} runs")
    for database in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix="bench-stats-"))
        try:
            if database == "sqlite":
                url = f"sqlite:///{work / 'bench.sqlite3'}"
            else:
                url = args.postgresql
                fresh_postgresql(url)
            app = make_app(url, work / "instance")
            print(f"{database}:", flush=True)
            ids = seed(app, args.projects, args.units)
            report(database, measure(app, ids, args.runs))
            database_of(app).dispose()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
