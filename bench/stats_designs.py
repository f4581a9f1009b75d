"""The export's designs side by side, and the designs the code replaced, for bench/stats.py.

Each design is a function `(session, round_id, unit_id)` run inside a request context:

- the page's export (`web.stats_export.stats_workbook`: project rows as Core tuples, the
  shared-strings writer), beside the same sheets through the writer it replaced (inline strings,
  a reference on every cell, one string per sheet), and the project rows alone read three ways
  (ORM objects, one list of Core rows, and the Core rows streamed in blocks as the export reads them);
- replaced designs (`--baselines`): openpyxl's write-only mode, and the per-unit counts (two
  statements per child, each child's subtree found level by level).
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.export import round_project_lines
from models.project import Project, ProjectStatus
from models.round import Round
from models.stats import round_stats
from models.unit import Unit, units_under
from models.unit_tree import unit_tree
from models.worker import Worker
from web import stats_export, xlsx_writer
from web.xlsx_writer import HEADER, MAIN, Sheet, Styled

Design = Callable[[Session, int, int], object]


def _sheets(session: Session, round_id: int, unit_id: int) -> list[Sheet]:
    """The export's sheets as the page makes them (the project rows are read as they are written)."""
    round_ = session.get(Round, round_id)
    assert round_ is not None
    return stats_export.sheets(session, round_, round_stats(session, round_id, unit_id))


def page_export(session: Session, round_id: int, unit_id: int) -> bytes:
    """The export as /stats/export.xlsx makes it, without the HTTP request around it."""
    round_ = session.get(Round, round_id)
    assert round_ is not None
    return stats_export.stats_workbook(session, round_, round_stats(session, round_id, unit_id)).getvalue()


def _inline_cell(ref: str, value: Any, style: int) -> str:
    """The replaced writer's cell: a reference on every cell, text inline, escaped where it stands."""
    s = f' s="{style}"' if style else ""
    if type(value) is str:
        if xlsx_writer._SPECIAL.search(value):
            value = value.translate(xlsx_writer._TEXT)
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return f'<c r="{ref}" t="inlineStr"{s}><is><t{space}>{value}</t></is></c>'
    if value is None:
        return ""
    if type(value) is Styled:
        return _inline_cell(ref, value.value, value.style)
    if type(value) is Decimal:
        return f'<c r="{ref}"{s}><v>{value:f}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return _inline_cell(ref, str(value), style)


def _inline_sheet(sheet: Sheet) -> str:
    """The replaced writer's worksheet part, built as one string."""
    letters = [chr(65 + i) for i in range(26)]
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"><sheetData>']
    rows: list[tuple[Sequence[Any], int]] = [(sheet.header, HEADER)] if sheet.header else []
    for number, (values, style) in enumerate([*rows, *((row, 0) for row in sheet.rows)], start=1):
        mark = str(number)
        cells = "".join([_inline_cell(letters[i] + mark, v, style) for i, v in enumerate(values) if v is not None])
        parts.append(f'<row r="{mark}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def inline_export(session: Session, round_id: int, unit_id: int) -> bytes:
    """The same sheets through the replaced writer (the package parts left out: they cost nothing)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i, sheet in enumerate(_sheets(session, round_id, unit_id), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _inline_sheet(sheet))
    return data.getvalue()


def read_orm(session: Session, round_id: int, unit_id: int) -> int:
    """The export's project rows read as ORM objects with their worker and unit loaded."""
    ids = unit_tree(session).subtree(unit_id)
    query = (select(Project).options(selectinload(Project.worker), selectinload(Project.unit))
             .where(Project.round_id == round_id, Project.status.in_(ProjectStatus.live()), Project.unit_id.in_(ids))
             .order_by(Project.number, Project.id))
    return sum(1 for p in session.scalars(query) if p.worker.name is not None or p.unit is not None)


def read_core(session: Session, round_id: int, unit_id: int) -> int:
    """The export's project rows as the export reads them (Core tuples streamed in blocks, as named tuples)."""
    return sum(1 for _ in round_project_lines(session, round_id, unit_id))


def read_core_list(session: Session, round_id: int, unit_id: int) -> int:
    """The same select read as one list of rows (fetchall), the design the streaming replaced."""
    project, worker = Project.__table__.c, Worker.__table__.c
    ids = unit_tree(session).subtree(unit_id)
    query = (select(project.number, project.title, project.unit_id, project.category, project.system,
                    project.status, project.annual_benefit_yuan, worker.name, project.submitted_at)
             .join_from(Project.__table__, Worker.__table__, worker.id == project.worker_id)
             .where(project.round_id == round_id, project.status.in_(ProjectStatus.live()),
                    project.unit_id.in_(ids)).order_by(project.number, project.id))
    return len(session.connection().execute(query).all())


def openpyxl_export(session: Session, round_id: int, unit_id: int) -> bytes:
    """The first design: the same sheets written with openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    for sheet in _sheets(session, round_id, unit_id):
        target = workbook.create_sheet(sheet.title)
        target.append(list(sheet.header))
        for row in sheet.rows:
            target.append([cell.value if isinstance(cell, Styled) else cell for cell in row])
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def naive_children(session: Session, round_id: int, unit_id: int) -> list[tuple[int, int, int]]:
    """The first statistics design: each child's subtree found level by level, then two counts per child."""
    rows = []
    for enterprise in session.scalars(select(Unit.id).where(Unit.parent_id == unit_id)).all():
        for child in session.scalars(select(Unit.id).where(Unit.parent_id == enterprise)).all():
            base = select(func.count()).select_from(Project).where(Project.round_id == round_id,
                                                                   Project.unit_id.in_(units_under(session, child)))
            rows.append((child, session.scalar(base.where(Project.status.in_(ProjectStatus.live()))) or 0,
                         session.scalar(base.where(Project.status.in_(ProjectStatus.approved()))) or 0))
    return rows


EXPORT_DESIGNS: dict[str, Design] = {
    "page's export (Core rows, shared strings)": page_export,
    "same sheets, replaced writer (inline strings, cell refs)": inline_export,
    "project rows only, as ORM objects": read_orm,
    "project rows only, Core select read as one list": read_core_list,
    "project rows only, Core select streamed, yield_per 2000 (the export's)": read_core,
}
BASELINES: dict[str, Design] = {
    f"openpyxl write-only export (lxml {'on' if openpyxl.LXML else 'off'})": openpyxl_export,
    "per-unit counts, children of the enterprises": naive_children,
}
