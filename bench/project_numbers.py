"""Benchmark: project numbers under concurrent submissions, three designs on both databases.

Many workers confirm at the same moment (threads released by one barrier, spread over two
`Database` handles as over two gunicorn workers). Each confirm is one transaction: load the draft,
`models.workflow.submit`, a few milliseconds more of handler work, commit. A confirm that fails is
delivered again, as WeChat does (up to 4 deliveries). With `--faults`, that share of first
deliveries fails after the number was taken (a handler fault, a connection lost before commit).

Designs (`models.workflow._assign_number` is replaced for the run):
- `counter`: the project's design, a counter row updated in the same transaction (models/counter.py);
- `sequence`: a PostgreSQL sequence per round (`nextval`, which a rollback does not give back); on
  SQLite, which has none, the same counter incremented in its own transaction first, as nextval is;
- `savepoint`: the old count-plus-one, retried inside a correctly scoped savepoint (everything
  else flushed first, only the number in the savepoint);
- `before`: the code as it was (count-plus-one retried in a savepoint around the whole flush).

Printed per design and database: median burst seconds, confirm latency p50/p95, failed deliveries,
projects submitted, distinct numbers, gaps (numbers never used below the highest), retries.
Figures: bench/project_numbers.md.

    .venv/bin/python bench/project_numbers.py [--workers 50] [--rounds 5] [--faults 0.1] [--pg-url URL] [--databases sqlite,postgres]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.database import Database  # noqa: E402
from models import workflow  # noqa: E402
from models.access import chat_actor  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.counter import next_value  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.project import Project, ProjectStatus  # noqa: E402
from models.round import Round  # noqa: E402
from models.unit import Unit  # noqa: E402
from models.worker import Worker  # noqa: E402

ORIGINAL = workflow._assign_number
HANDLER_WORK = 0.003  # seconds of handler work after the number, inside the transaction


class InjectedFault(Exception):
    """A first delivery that fails after taking its number."""


@dataclass
class Run:
    """What one design did on one database."""

    bursts: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failed_deliveries: int = 0
    injected: int = 0
    retries: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, exc: Exception) -> None:
        """Count a failed delivery by exception type."""
        with self.lock:
            self.failed_deliveries += 1
            name = type(exc).__name__
            self.errors[name] = self.errors.get(name, 0) + 1


def by_sequence(run: Run, is_postgres: bool, db: Database) -> Callable:
    """The sequence design."""
    def assign(session, project, round_) -> None:  # noqa: ANN001
        if is_postgres:
            value = session.execute(text(f"SELECT nextval('bench_number_{round_.id}')")).scalar_one()
        else:
            value = project._bench_number  # taken before the transaction (see deliver)
        project.number = f"{round_.year}-{value:04d}"
    return assign


def by_savepoint(run: Run) -> Callable:
    """The correctly scoped savepoint: flush the rest first, then retry only the number."""
    def assign(session, project, round_) -> None:  # noqa: ANN001
        session.flush()
        for _ in range(200):
            count = session.scalar(select(func.count()).select_from(Project)
                                   .where(Project.round_id == round_.id, Project.number.is_not(None))) or 0
            try:
                with session.begin_nested():
                    project.number = f"{round_.year}-{count + 1:04d}"
                    session.flush()
                return
            except IntegrityError:
                with run.lock:
                    run.retries += 1
        raise RuntimeError("no number after 200 tries")
    return assign


def prepare(url: str, workers: int, rounds: int) -> list[list[tuple[int, int]]]:
    """Migrate an empty database; add a round, a unit and one complete draft per worker and burst."""
    engine = create_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    db = Database(url)
    now = utcnow()
    bursts = []
    with db.transaction() as session:
        round_ = Round(name="bench", year=2026, opens_at=now - timedelta(days=1),
                       submission_deadline=now + timedelta(days=9), unit_review_deadline=now + timedelta(days=19),
                       city_review_deadline=now + timedelta(days=29))
        unit = Unit(name="运输队", kind="team")
        session.add_all([round_, unit])
        session.flush()
        for burst in range(rounds):
            pairs = []
            for i in range(workers):
                worker = Worker(openid=f"o_bench_{burst}_{i}", unit_id=unit.id, name=f"W{i}")
                session.add(worker)
                session.flush()
                project = Project(round_id=round_.id, worker_id=worker.id, unit_id=unit.id, title=f"项目{burst}-{i}",
                                  description="皮带机清扫器改进", category="innovation", system="transport",
                                  status=ProjectStatus.draft)
                session.add(project)
                session.flush()
                pairs.append((worker.id, project.id))
            bursts.append(pairs)
        round_id = round_.id
    if url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text(f"CREATE SEQUENCE bench_number_{round_id}"))
    db.dispose()
    return bursts


def deliver(db: Database, run: Run, worker_id: int, project_id: int, fault: bool, design: str) -> None:
    """One confirm, delivered until it succeeds (at most 4 times, as WeChat does)."""
    for delivery in range(4):
        started = time.perf_counter()
        try:
            pre = None
            if design == "sequence" and not db.is_postgres:
                with db.transaction() as session:
                    round_id = session.get(Project, project_id).round_id
                    pre = next_value(session, round_id, "bench", lambda: 0)
            with db.transaction() as session:
                project = session.get(Project, project_id)
                if project.status != ProjectStatus.draft:
                    return  # an earlier delivery committed
                project._bench_number = pre
                workflow.submit(session, project, chat_actor(session, session.get_one(Worker, worker_id)), utcnow())
                session.flush()
                time.sleep(HANDLER_WORK)
                if fault and delivery == 0:
                    with run.lock:
                        run.injected += 1
                    raise InjectedFault()
            with run.lock:
                run.latencies.append(time.perf_counter() - started)
            return
        except InjectedFault:
            continue
        except Exception as exc:  # noqa: BLE001 - counted by type: this is what the benchmark measures
            run.error(exc)


def measure(url: str, design: str, workers: int, rounds: int, faults: float, seed: int) -> dict:
    """Run the bursts with one design and return its figures."""
    bursts = prepare(url, workers, rounds)
    databases = [Database(url), Database(url)]
    run = Run()
    workflow._assign_number = {"counter": ORIGINAL, "before": ORIGINAL_BEFORE,
                               "savepoint": by_savepoint(run),
                               "sequence": by_sequence(run, databases[0].is_postgres, databases[0])}[design]
    rng = random.Random(seed)
    try:
        for pairs in bursts:
            barrier = threading.Barrier(len(pairs))

            def confirm(index: int, worker_id: int, project_id: int, fault: bool) -> None:
                barrier.wait()
                deliver(databases[index % 2], run, worker_id, project_id, fault, design)

            threads = [threading.Thread(target=confirm, args=(i, w, p, rng.random() < faults))
                       for i, (w, p) in enumerate(pairs)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            run.bursts.append(time.perf_counter() - started)
    finally:
        workflow._assign_number = ORIGINAL
    with databases[0].sessions() as session:
        numbers = [n for n in session.scalars(select(Project.number)) if n]
        submitted = session.scalar(select(func.count()).select_from(Project)
                                   .where(Project.status == ProjectStatus.submitted))
    for d in databases:
        d.dispose()
    values = sorted(int(n.split("-")[1]) for n in numbers)
    latencies = sorted(run.latencies)
    return {
        "design": design, "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "confirms": workers * rounds, "submitted": submitted, "distinct_numbers": len(set(values)),
        "gaps": (values[-1] - len(set(values))) if values else 0,
        "burst_seconds_median": round(statistics.median(run.bursts), 3),
        "latency_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
        "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1) if latencies else None,
        "failed_deliveries": run.failed_deliveries, "errors": run.errors, "injected_faults": run.injected,
        "savepoint_retries": run.retries,
    }


def _before(session, project, round_) -> None:  # noqa: ANN001
    """The code before this change, verbatim: count-plus-one retried in a savepoint around the flush."""
    for _ in range(20):
        count = session.scalar(select(func.count()).select_from(Project)
                               .where(Project.round_id == round_.id, Project.number.is_not(None))) or 0
        project.number = f"{round_.year}-{count + 1:04d}"
        try:
            with session.begin_nested():
                session.flush()
            return
        except IntegrityError:
            session.expire(project, ["number"])
            project.number = None
    raise RuntimeError("could not assign a project number")


ORIGINAL_BEFORE = _before


def main() -> None:
    """Measure every design on every database, alternating the order per repetition."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--faults", type=float, default=0.1, help="Share of first deliveries that fail after numbering.")
    parser.add_argument("--designs", default="counter,sequence,savepoint,before")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=2, help="Runs per design and database (order rotated).")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench_numbers")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    name = args.pg_url.rsplit("/", 1)[1]
    if name in ("test", "postgres"):
        raise SystemExit(f"refusing to empty the database {name!r}; pass another --pg-url")
    designs = args.designs.split(",")
    results = []
    for database in args.databases.split(","):
        for repeat in range(args.repeat):
            order = designs[repeat % len(designs):] + designs[:repeat % len(designs)]
            for design in order:
                url = args.pg_url if database == "postgres" else f"sqlite:///{tempfile.mkdtemp()}/numbers.sqlite3"
                result = measure(url, design, args.workers, args.rounds, args.faults, seed=repeat)
                print(json.dumps(result, ensure_ascii=False), flush=True)
                results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
