"""The statistics workbook (`/stats/export.xlsx`): the page's figures, sheet by sheet, and every project.

A renderer only: the figures are the `RoundStats` the page showed, and the project list is
`models.export.round_project_lines`, which counts what they count, so each sheet's total equals
the page's. Written with openpyxl's write-only mode, which streams rows instead of holding every
cell as an object (20,000 projects in well under a second, see bench/stats.md). Words live in
`web/data/stats_sheet.json`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from handlers import texts
from models.clock import local, utcnow
from models.export import round_project_lines
from models.round import Round
from models.stats import RoundStats, Share

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORDS: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "stats_sheet.json").read_text(encoding="utf-8"))
PERCENT, YUAN = "0.0%", "#,##0.00"


def export_name(round_: Round, stats: RoundStats) -> str:
    """The file name people see when they save it."""
    return str(WORDS["file_name"]).format(round=round_.name, unit=stats.unit.name)


def _sheet(workbook: Workbook, key: str, widths: Sequence[int]) -> WriteOnlyWorksheet:
    """A new sheet with its title, column widths and header row."""
    sheet = workbook.create_sheet(WORDS[key]["title"])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    if "headers" in WORDS[key]:
        sheet.append(WORDS[key]["headers"])
    return sheet


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str) -> Cell:
    """A cell with a number format (write-only sheets take formats only on cells made this way)."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _overview(workbook: Workbook, round_: Round, stats: RoundStats) -> None:
    """The headline figures, one per row."""
    sheet, words = _sheet(workbook, "overview", (22, 40)), WORDS["overview"]["rows"]
    p, b, f, u = stats.participation, stats.benefit, stats.funnel, stats.unit
    approximate = words["approximate_unknown"] if b.approximate_yuan is None else b.approximate_yuan
    rows: list[tuple[str, Any, str | None]] = [
        ("round", round_.name, None), ("unit", u.name, None),
        ("generated_at", local(utcnow()).strftime("%Y-%m-%d %H:%M"), None),
        ("target", u.target, None), ("submitted", u.submitted, None), ("completion", u.completion, PERCENT),
        ("workers", p.workers, None), ("bound_workers", p.bound_workers, None),
        ("worker_share", p.worker_share, PERCENT),
        ("units", p.units, None), ("all_units", p.all_units, None), ("benefit", b.total_yuan, YUAN),
        ("with_figure", b.projects_with_figure, None), ("approximate", approximate, None),
        ("funnel_submitted", f.submitted, None), ("funnel_unit_approved", f.unit_approved, None),
        ("funnel_reviewed", f.reviewed, None), ("funnel_awarded", f.awarded, None)]
    for key, value, number_format in rows:
        sheet.append([words[key], _cell(sheet, value, number_format) if number_format else value])


def _units(workbook: Workbook, stats: RoundStats) -> None:
    """The unit and every unit below it, depth first; the first row is the whole subtree."""
    sheet = _sheet(workbook, "units", (6, 28, 8, 8, 8, 9, 9, 8, 9, 8, 16))
    kinds = WORDS["kinds"]
    for depth, p in stats.subtree:
        sheet.append([depth, "\u3000" * depth + p.name, kinds.get(p.kind, p.kind), p.target, p.submitted,
                      _cell(sheet, p.completion, PERCENT), p.approved, p.pending, p.reviewed, p.awarded,
                      _cell(sheet, p.benefit_yuan, YUAN)])


def _shares(workbook: Workbook, key: str, shares: Iterable[Share], names: dict[str, str]) -> None:
    """Projects and benefit by one grouping, with a total row."""
    sheet = _sheet(workbook, key, (16, 10, 18))
    projects, benefit = 0, Decimal(0)
    for share in shares:
        sheet.append([names.get(share.key, share.key) if share.key else WORDS["unset"], share.projects,
                      _cell(sheet, share.benefit_yuan, YUAN)])
        projects, benefit = projects + share.projects, benefit + share.benefit_yuan
    sheet.append([WORDS["total"], projects, _cell(sheet, benefit, YUAN)])


def _weeks(workbook: Workbook, stats: RoundStats) -> None:
    """Submitted and approved per week, with the running total and a total row."""
    sheet = _sheet(workbook, "weeks", (14, 10, 10, 10))
    for week in stats.weeks:
        sheet.append([week.start.isoformat(), week.submitted, week.approved, week.cumulative])
    sheet.append([WORDS["total"], sum(w.submitted for w in stats.weeks), sum(w.approved for w in stats.weeks), None])


def _projects(workbook: Workbook, session: Session, stats: RoundStats) -> None:
    """Every submitted project of the subtree, with a total row (count and benefit)."""
    sheet = _sheet(workbook, "projects", (12, 40, 30, 10, 10, 10, 16, 10, 17))
    statuses, count, benefit = WORDS["statuses"], 0, Decimal(0)
    for line in round_project_lines(session, stats.round_id, stats.unit.unit_id):
        sheet.append([line.number, line.title, line.unit, texts.CATEGORY_NAMES.get(line.category or "", line.category),
                      texts.SYSTEM_NAMES.get(line.system or "", line.system), statuses.get(line.status, line.status),
                      line.benefit_yuan, line.worker_name,
                      local(line.submitted_at).strftime("%Y-%m-%d %H:%M") if line.submitted_at else None])
        count, benefit = count + 1, benefit + (line.benefit_yuan or 0)
    sheet.append([WORDS["total"], count, None, None, None, None, _cell(sheet, benefit, YUAN)])


def stats_workbook(session: Session, round_: Round, stats: RoundStats) -> BytesIO:
    """The whole workbook as bytes ready to send."""
    workbook = Workbook(write_only=True)
    _overview(workbook, round_, stats)
    _units(workbook, stats)
    _shares(workbook, "systems", stats.by_system, texts.SYSTEM_NAMES)
    _shares(workbook, "categories", stats.by_category, texts.CATEGORY_NAMES)
    _weeks(workbook, stats)
    _projects(workbook, session, stats)
    data = BytesIO()
    workbook.save(data)
    data.seek(0)
    return data
