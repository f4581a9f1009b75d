"""A generated city at the scale of the seed city, for the statistics benchmark and for trying the pages.

`python -m bot seed-demo --projects 20000 --units 300` adds, under the demo tree, enterprises,
mines, teams and groups up to the number of units, one worker for every 2.5 projects, the projects
spread over the round so far with a realistic spread of statuses, and each project's status
history (about 2.5 events a project: 50,000 for 20,000). Targets go to mines and teams, a little
above what they submitted, so some units lag. Rows go in with bulk inserts; the same seed gives
the same city. Names and titles come from `simulator/data/bulk_city.json` (invented).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from models.project import Project, ProjectEvent, ProjectStatus as S
from models.round import Round
from models.unit import Target, Unit, UnitKind
from models.worker import Worker

WORDS: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "bulk_city.json").read_text(encoding="utf-8"))
#: Final statuses and how often each happens, with the status path that leads there.
PATHS: list[tuple[float, list[S]]] = [
    (0.05, [S.draft]), (0.22, [S.submitted]), (0.05, [S.submitted, S.returned]),
    (0.28, [S.submitted, S.unit_approved]), (0.15, [S.submitted, S.unit_approved, S.under_review]),
    (0.05, [S.submitted, S.unit_approved, S.under_review, S.awarded]),
    (0.15, [S.submitted, S.unit_approved, S.under_review, S.not_awarded]), (0.05, [S.submitted, S.withdrawn]),
]
SYSTEMS = ["mining", "tunneling", "electromechanical", "transport", "ventilation", "preparation", "management",
           "logistics"]
CATEGORIES = ["invention", "creation", "innovation", "design", "suggestion"]
BATCH = 5000
#: Generated workers' openids start with this (real openids start with "o" and a letter or digit, never "_").
OPENID_PREFIX = "o_bulk_"


@dataclass(frozen=True)
class BulkReport:
    """What the generator added."""

    units: int
    workers: int
    projects: int
    events: int


def _units(session: Session, top: Unit, wanted: int, rng: random.Random) -> list[int]:
    """Add enterprises → mines → teams → groups under `top` until `wanted` units; return the leaves' ids."""
    enterprises = [Unit(name=WORDS["enterprise"].format(n=i + 1), kind=UnitKind.enterprise, parent=top)
                   for i in range(max(1, wanted // 75))]
    mines = [Unit(name=WORDS["mine"].format(n=i + 1), kind=UnitKind.mine, parent=enterprises[i % len(enterprises)])
             for i in range(max(1, len(enterprises) * 5))]
    left = max(0, wanted - len(enterprises) - len(mines))
    teams_count = left - left // 3
    teams = [Unit(name=WORDS["teams"][i % len(WORDS["teams"])].format(n=i // len(mines) + 1), kind=UnitKind.team,
                  parent=mines[i % len(mines)]) for i in range(teams_count)]
    groups = [Unit(name=WORDS["group"].format(n=i + 1), kind=UnitKind.group, parent=rng.choice(teams))
              for i in range(left - teams_count)] if teams else []
    new = [*enterprises, *mines, *teams, *groups]
    session.add_all(new)
    session.flush()
    parents = {u.parent_id for u in new}
    return [u.id for u in new if u.id not in parents]


def _workers(session: Session, leaves: list[int], count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Bind `count` new workers to random leaves; return (worker id, unit id) pairs."""
    start = session.scalar(select(func.count()).select_from(Worker)) or 0
    rows = [{"openid": f"{OPENID_PREFIX}{start + i:07d}", "name": WORDS["worker"].format(n=start + i + 1),
             "unit_id": rng.choice(leaves)} for i in range(count)]
    ids = _insert(session, Worker, rows)
    return [(w, row["unit_id"]) for w, row in zip(ids, rows, strict=True)]


def _insert(session: Session, model: type[Worker] | type[Project], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in batches; return their new ids in the rows' order."""
    ids: list[int] = []
    for i in range(0, len(rows), BATCH):
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(session.scalars(statement, rows[i:i + BATCH]))
    return ids


def _path(rng: random.Random) -> list[S]:
    """A status history: a final status drawn by PATHS' weights, with a return-and-resubmit now and then."""
    path = list(rng.choices([p for _, p in PATHS], weights=[w for w, _ in PATHS])[0])
    if len(path) > 1 and path[1] != S.withdrawn and rng.random() < 0.2:
        path[1:1] = [S.returned, S.submitted]
    return path


def _project(round_: Round, number: int, worker: tuple[int, int], path: list[S], at: datetime,
             rng: random.Random) -> dict[str, Any]:
    """One project's row."""
    draft = path == [S.draft]
    benefit = None if draft or rng.random() < 0.3 else Decimal(int(rng.lognormvariate(9.5, 1.3))).quantize(Decimal(1))
    title = rng.choice(WORDS["title_objects"]) + rng.choice(WORDS["title_actions"])
    return {"round_id": round_.id, "number": None if draft else f"{round_.year}-{number:05d}", "title": title,
            "description": title, "category": rng.choice(CATEGORIES), "system": rng.choice(SYSTEMS),
            "annual_benefit_yuan": benefit, "members": [], "status": path[-1], "unit_id": worker[1],
            "worker_id": worker[0], "created_at": at, "updated_at": at, "submitted_at": None if draft else at}


def seed_bulk(session: Session, round_: Round, top: Unit, now: datetime, projects: int, units: int,
              seed: int = 13) -> BulkReport:
    """Add a generated city under `top` in `round_` (nothing when one is there); see the module text."""
    if session.scalars(select(Worker.id).where(Worker.openid.like(f"{OPENID_PREFIX}%")).limit(1)).first():
        return BulkReport(0, 0, 0, 0)
    rng = random.Random(seed)
    existing = session.scalar(select(func.count()).select_from(Unit)) or 0
    leaves = _units(session, top, max(0, units - existing), rng)
    workers = _workers(session, leaves, max(1, int(projects / 2.5)), rng)
    span = max((min(now, round_.submission_deadline) - round_.opens_at).total_seconds(), 3600.0)
    paths = [_path(rng) for _ in range(projects)]
    times = [round_.opens_at + timedelta(seconds=rng.uniform(0, span)) for _ in range(projects)]
    rows = [_project(round_, i + 1, rng.choice(workers), paths[i], times[i], rng) for i in range(projects)]
    ids = _insert(session, Project, rows)
    events = []
    for project_id, path, at, row in zip(ids, paths, times, rows, strict=True):
        step = at
        for before, after in zip([S.draft, *path], path, strict=False):
            if after == S.draft:
                continue
            events.append({"project_id": project_id, "actor_id": row["worker_id"], "at": step,
                           "from_status": before, "to_status": after, "reason": None})
            step = min(step + timedelta(hours=rng.uniform(2, 72)), now)
    for i in range(0, len(events), BATCH):
        session.execute(insert(ProjectEvent), events[i:i + BATCH])
    _targets(session, round_, rows, rng)
    return BulkReport(len(leaves), len(workers), projects, len(events))


def _targets(session: Session, round_: Round, rows: list[dict[str, Any]], rng: random.Random) -> None:
    """Give the generated mines and teams a target a little above what they submitted (some lag)."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).tuples().all())
    kinds = dict(session.execute(select(Unit.id, Unit.kind)).tuples().all())
    submitted: dict[int, int] = {}
    for row in rows:
        unit_id: int | None = row["unit_id"] if row["status"] != S.draft else None
        while unit_id is not None:
            submitted[unit_id] = submitted.get(unit_id, 0) + 1
            unit_id = parents[unit_id]
    have = set(session.scalars(select(Target.unit_id).where(Target.round_id == round_.id)))
    targets = [{"unit_id": u, "round_id": round_.id, "count": int(n * rng.uniform(0.9, 1.3))}
               for u, n in submitted.items() if kinds[u] in (UnitKind.mine, UnitKind.team) and u not in have]
    if targets:
        session.execute(insert(Target), targets)
