"""The statistics workbook (`/stats/export.xlsx`): the page's figures, sheet by sheet, and every project.

A renderer only: the figures are the `RoundStats` the page showed, and the project list is
`models.export.round_project_lines`, which counts what they count, so each sheet's total equals
the page's. `sheets` gives the sheets as rows of values; `web/xlsx_writer.py` writes them (the
openpyxl design was measured too slow at 20,000 projects, see bench/stats.md). Words live in
`web/data/stats_sheet.json`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from handlers import texts
from models.clock import local, utcnow
from models.export import round_project_lines
from models.round import Round
from models.stats import RoundStats, Share
from web.xlsx_writer import PERCENT, YUAN, Sheet, Styled, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORDS: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "stats_sheet.json").read_text(encoding="utf-8"))


def export_name(round_: Round, stats: RoundStats) -> str:
    """The file name people see when they save it."""
    return str(WORDS["file_name"]).format(round=round_.name, unit=stats.unit.name)


def _sheet(key: str, widths: Sequence[float], rows: Iterable[Sequence[Any]]) -> Sheet:
    """A sheet with its title and header from the words."""
    return Sheet(WORDS[key]["title"], widths, WORDS[key].get("headers", ()), rows)


def _percent(value: float | None) -> Styled | None:
    """A share shown as a percentage."""
    return None if value is None else Styled(value, PERCENT)


def _overview(round_: Round, stats: RoundStats) -> Sheet:
    """The headline figures, one per row."""
    words = WORDS["overview"]["rows"]
    p, b, f, u = stats.participation, stats.benefit, stats.funnel, stats.unit
    approximate = words["approximate_unknown"] if b.approximate_yuan is None else Styled(b.approximate_yuan, YUAN)
    rows: list[tuple[str, Any]] = [
        ("round", round_.name), ("unit", u.name), ("generated_at", local(utcnow()).strftime("%Y-%m-%d %H:%M")),
        ("target", u.target), ("submitted", u.submitted), ("completion", _percent(u.completion)),
        ("workers", p.workers), ("bound_workers", p.bound_workers), ("worker_share", _percent(p.worker_share)),
        ("units", p.units), ("all_units", p.all_units), ("benefit", Styled(b.total_yuan, YUAN)),
        ("with_figure", b.projects_with_figure), ("approximate", approximate),
        ("funnel_submitted", f.submitted), ("funnel_unit_approved", f.unit_approved),
        ("funnel_reviewed", f.reviewed), ("funnel_awarded", f.awarded)]
    return _sheet("overview", (22, 40), [(words[key], value) for key, value in rows])


def _units(stats: RoundStats) -> Sheet:
    """The unit and every unit below it, depth first; the first row is the whole subtree."""
    kinds = WORDS["kinds"]
    rows = [(depth, "\u3000" * depth + p.name, kinds.get(p.kind, p.kind), p.target, p.submitted,
             _percent(p.completion), p.approved, p.pending, p.reviewed, p.awarded, Styled(p.benefit_yuan, YUAN))
            for depth, p in stats.subtree]
    return _sheet("units", (6, 28, 8, 8, 8, 9, 9, 8, 9, 8, 16), rows)


def _shares(key: str, shares: Sequence[Share], names: dict[str, str]) -> Sheet:
    """Projects and benefit by one grouping, with a total row."""
    rows: list[Sequence[Any]] = [(names.get(s.key, s.key) if s.key else WORDS["unset"], s.projects,
                                  Styled(s.benefit_yuan, YUAN)) for s in shares]
    total = sum((s.benefit_yuan for s in shares), Decimal(0))
    rows.append((WORDS["total"], sum(s.projects for s in shares), Styled(total, YUAN)))
    return _sheet(key, (16, 10, 18), rows)


def _weeks(stats: RoundStats) -> Sheet:
    """Submitted and approved per week, with the running total and a total row."""
    rows: list[Sequence[Any]] = [(w.start.isoformat(), w.submitted, w.approved, w.cumulative) for w in stats.weeks]
    rows.append((WORDS["total"], sum(w.submitted for w in stats.weeks), sum(w.approved for w in stats.weeks)))
    return _sheet("weeks", (14, 10, 10, 10), rows)


def _project_rows(session: Session, stats: RoundStats) -> Iterator[Sequence[Any]]:
    """Every submitted project of the subtree, then a total row (count and benefit)."""
    statuses, count, benefit = WORDS["statuses"], 0, Decimal(0)
    categories, systems = texts.CATEGORY_NAMES, texts.SYSTEM_NAMES
    for line in round_project_lines(session, stats.round_id, stats.unit.unit_id):
        yield (line.number, line.title, line.unit, categories.get(line.category or "", line.category),
               systems.get(line.system or "", line.system), statuses.get(line.status, line.status),
               line.benefit_yuan, line.worker_name,
               local(line.submitted_at).strftime("%Y-%m-%d %H:%M") if line.submitted_at else None)
        count, benefit = count + 1, benefit + (line.benefit_yuan or 0)
    yield (WORDS["total"], count, None, None, None, None, Styled(benefit, YUAN))


def sheets(session: Session, round_: Round, stats: RoundStats) -> list[Sheet]:
    """The workbook's sheets in order; the project list is read as it is written."""
    return [_overview(round_, stats), _units(stats), _shares("systems", stats.by_system, texts.SYSTEM_NAMES),
            _shares("categories", stats.by_category, texts.CATEGORY_NAMES), _weeks(stats),
            _sheet("projects", (12, 40, 30, 10, 10, 10, 16, 10, 17), _project_rows(session, stats))]


def stats_workbook(session: Session, round_: Round, stats: RoundStats) -> BytesIO:
    """The whole workbook as bytes ready to send."""
    return write_xlsx(sheets(session, round_, stats))
