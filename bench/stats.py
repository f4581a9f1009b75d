"""Speed of the statistics pages, the export, the API's statistics and the public showcase at the seed city's scale.

Run (one command; the database named is emptied: its public schema is dropped, so name your own):
    .venv/bin/python bench/stats.py --postgresql postgresql://postgres@127.0.0.1:5432/NAME [--quick]
Options: --runs N (default 15; --quick: 5), --projects 20000, --units 300, --databases postgresql,sqlite,
--reuse (keep a city an earlier run generated in that database), --baselines (also the replaced designs).

For each database: migrate a fresh one, generate the city with `simulator.bulk_city.seed_bulk`
(what `python -m bot seed-demo --projects … --units …` runs), sign a staff account and a mine's
coordinator in through the real login form, make an API token, and request each page through the
Flask test client, the pages in turn, their order rotated every round. Per page: the median and
90th percentile of the wall time, the median CPU time of this process, the PostgreSQL backends'
CPU per request (read from /proc for the connections this process opened, mean over the runs: the
kernel counts in 10 ms ticks), and the SQL statements one request runs, counted on the engine.
On a shared machine read the CPU columns, and compare each page with its floor: `/` signed in
(a staff page with no figures) and `/display/notices` (a public page with no search).
Figures and how to read them: bench/stats.md.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.stats_designs import BASELINES, EXPORT_DESIGNS  # noqa: E402
from bot import create_app  # noqa: E402
from bot.extensions import database_of  # noqa: E402
from models.account import Account  # noqa: E402
from models.accounts import create_account  # noqa: E402
from models.api_token import create_token  # noqa: E402
from models.audit import COMMAND_LINE  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.project import Project, ProjectStatus  # noqa: E402
from models.round import Round  # noqa: E402
from models.seed import seed_demo  # noqa: E402
from models.stats import round_stats, unit_progress  # noqa: E402
from models.unit import Unit, UnitKind  # noqa: E402
from simulator.bulk_city import seed_bulk  # noqa: E402

PASSWORD = "bench-password-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TICK = os.sysconf("SC_CLK_TCK")
#: The issue's targets (median, PostgreSQL, 20,000 projects), by the start of a page's name.
TARGETS = {"/stats/export": 1000, "/stats": 300, "/api/statistics": 300, "/display": 100}


def make_app(url: str, instance: Path) -> Any:
    """The application on `url`, with settings a test would use."""
    return create_app({"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wxbench", "WECHAT_APP_SECRET": "s",
                       "SECRET_KEY": "bench", "DATABASE_URL": url, "INSTANCE_PATH": str(instance),
                       "WECHAT_API_BASE": "http://127.0.0.1:9", "WECHAT_AES_KEY": "",
                       "DATABASE_TIMEOUT_SECONDS": 4.5})  # the most it may be: a busy host makes slow pages, not errors


def fresh_postgresql(url: str) -> None:
    """Drop and recreate the public schema of the bench's own PostgreSQL database."""
    if url.rsplit("/", 1)[-1].split("?")[0] in ("test", "bench", "postgres"):
        raise SystemExit(f"refusing to empty {url}: name a database of your own")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _ids(session: Session) -> dict[str, int]:
    """The round, the top of the tree and the last mine (the coordinator's): what the pages ask for."""
    round_ = session.scalars(select(Round.id).order_by(Round.id)).first()
    top = session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))).one()
    mine = session.scalars(select(Unit.id).where(Unit.kind == UnitKind.mine).order_by(Unit.id.desc())).first()
    assert round_ is not None and mine is not None
    return {"round": round_, "top": top, "mine": mine}


def seed(app: Any, projects: int, units: int) -> dict[str, int]:
    """Generate the city and two accounts (unless they are there); return the ids the pages need."""
    db = database_of(app)
    upgrade(db.engine)
    start = time.perf_counter()
    with db.transaction() as session:
        if session.scalar(select(func.count()).select_from(Account).where(Account.username == "staff")):
            print(f"  reusing the city already generated: {session.scalar(select(func.count(Project.id)))} projects")
            return _ids(session)
        now = utcnow()
        round_ = seed_demo(session, now)
        top = session.scalars(select(Unit).where(Unit.parent_id.is_(None))).one()
        report = seed_bulk(session, round_, top, now, projects, units)
        session.flush()
        ids = _ids(session)
        for username, role, unit_id in (("staff", "staff", None), ("coord", "coordinator", ids["mine"])):
            create_account(session, COMMAND_LINE, username=username, password=PASSWORD, role=role, now=now,
                           unit_id=unit_id, name=username)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SET statement_timeout = 0"))
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does to a live database soon after a load
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


class Backends:
    """The PostgreSQL backends of this process's connections, and the CPU they have used (from /proc)."""

    def __init__(self, engine: Any) -> None:
        """Note the backend of every connection the engine opens from now on."""
        self.pids: set[int] = set()
        if engine.dialect.name != "postgresql":
            return
        engine.dispose()  # connections opened before would not be noted

        @event.listens_for(engine, "connect")
        def note(dbapi_connection: Any, _record: Any) -> None:
            """Ask the new connection for its backend's process id."""
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pids.add(cursor.fetchone()[0])

    def cpu_seconds(self) -> float:
        """User + system CPU the backends have used so far (a backend that ended counts 0)."""
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / TICK


@dataclass
class Figures:
    """One page's samples."""

    name: str
    seconds: list[float]
    cpu: list[float]
    server_cpu: float  # total over the samples
    statements: int


def cases(app: Any, ids: dict[str, int], baselines: bool) -> dict[str, Callable[[], object]]:
    """Every page and call to time, by name, floors first."""
    db = database_of(app)
    staff, coordinator, public = signed_in(app, "staff"), signed_in(app, "coord"), app.test_client()
    with db.transaction() as session:
        _token, secret = create_token(session, COMMAND_LINE, f"bench-{time.time_ns()}", None, utcnow())
        awarded = session.scalars(select(Project).where(Project.status == ProjectStatus.awarded)
                                  .order_by(Project.id)).all()
        middle = awarded[len(awarded) // 2]
        word, sample, system = middle.title[:2], middle.id, awarded[0].system
    bearer = {"Authorization": f"Bearer {secret}"}
    r, top, mine = ids["round"], ids["top"], ids["mine"]
    print(f"  {len(awarded)} public projects; /display searches for {word!r}", flush=True)

    def page(client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> Callable[[], object]:
        """Request a page and insist on a 200."""
        def get() -> object:
            response = client.get(path, headers=headers or {})
            assert response.status_code == 200, (path, response.status_code)
            return response.data
        return get

    def model(call: Callable[[Session], object]) -> Callable[[], object]:
        """Run a call in its own session, inside a request context (templates and url_for work)."""
        def run() -> object:
            with app.test_request_context(), db.sessions() as session:
                return call(session)
        return run

    found: dict[str, Callable[[], object]] = {
        "/ (staff, no figures: floor)": page(staff, "/"),
        "/stats (city, staff)": page(staff, f"/stats?round={r}"),
        "/stats?unit=mine (staff, drill-down)": page(staff, f"/stats?round={r}&unit={mine}"),
        "/stats (coordinator of a mine)": page(coordinator, f"/stats?round={r}"),
        "/api/statistics (city)": page(public, f"/api/statistics?round={r}", bearer),
        "/api/statistics?unit=mine": page(public, f"/api/statistics?round={r}&unit={mine}", bearer),
        "/stats/export.xlsx (city)": page(staff, f"/stats/export.xlsx?round={r}"),
        "/display/notices (public, no search: floor)": page(public, "/display/notices"),
        "/display (first page, all)": page(public, "/display"),
        f"/display?q={word}": page(public, f"/display?q={word}"),
        "/display?system&unit=mine": page(public, f"/display?system={system}&unit={mine}"),
        "/display?q&year&system": page(public, f"/display?q={word}&year=2026&system={system}"),
        "/display/<id> (one project)": page(public, f"/display/{sample}"),
        "/api/projects?limit=50": page(public, "/api/projects?limit=50", bearer),
        "/api/units (city)": page(public, f"/api/units?round={r}", bearer),
        "round_stats(city), no HTTP": model(lambda s: round_stats(s, r, top)),
        "unit_progress(mine), the chat's 统计": model(lambda s: unit_progress(s, r, mine)),
    }
    for name, design in EXPORT_DESIGNS.items():
        found[f"export design: {name}"] = model(lambda s, design=design: design(s, r, top))
    if baselines:
        for name, design in BASELINES.items():
            found[f"replaced: {name}"] = model(lambda s, design=design: design(s, r, top))
    return found


def measure(app: Any, ids: dict[str, int], runs: int, baselines: bool) -> list[Figures]:
    """Time every case `runs` times in rotating order (one warm-up each, which counts the statements)."""
    db = database_of(app)
    backends = Backends(db.engine)
    counted = [0]
    event.listen(db.engine, "before_cursor_execute", lambda *args: counted.__setitem__(0, counted[0] + 1))
    designs = cases(app, ids, baselines)
    names = list(designs)
    figures = {name: Figures(name, [], [], 0.0, 0) for name in names}
    for name in names:
        counted[0] = 0
        designs[name]()
        figures[name].statements = counted[0]
    for round_number in range(runs):
        for name in names[round_number % len(names):] + names[:round_number % len(names)]:
            if name.startswith("replaced: openpyxl") and len(figures[name].seconds) >= 3:
                continue  # several seconds each: three samples tell enough
            server, start, start_cpu = backends.cpu_seconds(), time.perf_counter(), time.process_time()
            designs[name]()
            figures[name].seconds.append(time.perf_counter() - start)
            figures[name].cpu.append(time.process_time() - start_cpu)
            figures[name].server_cpu += backends.cpu_seconds() - server
    return [figures[name] for name in names]


def _target(name: str) -> str:
    """The issue's target for a page, in ms, or "" for the floors and the calls without HTTP."""
    if "floor" in name or not name.startswith("/"):
        return ""
    return next((str(ms) for start, ms in TARGETS.items() if name.startswith(start)), "")


def report(database: str, rows: list[Figures]) -> None:
    """Print one database's table (milliseconds; on SQLite the database's CPU is in this process's)."""
    load = os.getloadavg()
    print(f"\n{database} (load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})\n")
    print("| page / call | target ms | median ms | p90 ms | own CPU ms (median) | PG CPU ms (mean) "
          "| CPU ms together | SQL statements |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for f in rows:
        ordered = sorted(f.seconds)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        own, server = statistics.median(f.cpu) * 1000, f.server_cpu / len(f.seconds) * 1000
        shown = f"{server:.1f}" if database == "postgresql" else "(in own)"
        print(f"| {f.name} | {_target(f.name)} | {statistics.median(f.seconds) * 1000:.0f} | {p90 * 1000:.0f} | "
              f"{own:.0f} | {shown} | {own + server:.0f} | {f.statements} |", flush=True)


def main() -> None:
    """Parse the options and run the benchmark on each database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--runs", type=int, default=None, help="repetitions per page (15; 5 with --quick)")
    parser.add_argument("--quick", action="store_true", help="5 repetitions instead of 15")
    parser.add_argument("--databases", default="postgresql", help="postgresql, sqlite or both (comma-separated)")
    parser.add_argument("--postgresql", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="the PostgreSQL database to empty and use (or BENCH_DATABASE_URL)")
    parser.add_argument("--reuse", action="store_true", help="keep the city an earlier run left in the database")
    parser.add_argument("--baselines", action="store_true", help="also time the designs this code replaced")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    if "postgresql" in args.databases and not args.postgresql:
        parser.error("--postgresql postgresql://postgres@127.0.0.1:5432/NAME is needed (it will be emptied)")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"{args.projects} projects, {args.units} units, {runs} runs")
    for database in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix="bench-stats-"))
        try:
            if database == "sqlite":
                url = f"sqlite:///{work / 'bench.sqlite3'}"
            else:
                url = args.postgresql
                if not args.reuse:
                    fresh_postgresql(url)
            app = make_app(url, work / "instance")
            print(f"{database}:", flush=True)
            report(database, measure(app, seed(app, args.projects, args.units), runs, args.baselines))
            database_of(app).dispose()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
