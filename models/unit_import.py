"""Import units and targets from an Excel sheet (openpyxl), checking every row and reporting each error.

The sheet has a header row; columns are found by name: unit, parent (a path like
"Group/Mine No. 1", empty for a top unit), kind and target (optional). Rows may refer to units
made by earlier rows. Nothing is imported unless every row is good (the caller rolls back).
"""
from __future__ import annotations

import json
from io import BytesIO
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.targets import set_target
from models.unit import Unit, UnitKind

#: The sheet's own words (header names, unit kinds as staff write them), kept as data.
_WORDS = json.loads((Path(__file__).parent / "data" / "unit_sheet_words.json").read_text(encoding="utf-8"))
#: Header names to column keys.
HEADERS: dict[str, str] = _WORDS["headers"]
#: Unit kinds as staff write them (or the English value itself), to UnitKind values.
KINDS: dict[str, str] = {**_WORDS["kinds"], **{k.value: k.value for k in UnitKind}}
PATH_SEPARATOR = "/"


@dataclass
class ImportReport:
    """What an import did or found wrong, row by row (row numbers as Excel shows them)."""

    created: int = 0
    updated: int = 0
    targets: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The errors as lines for the operator."""
        return [f"row {row}: {message}" for row, message in self.errors]


def _header(cells: tuple[Any, ...]) -> dict[str, int]:
    """Map column keys to their index from the header row."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        label = str(cell or "").strip()
        key = HEADERS.get(label) or HEADERS.get(label.lower())
        if key is not None and key not in found:
            found[key] = index
    return found


def _find(session: Session, parent: Unit | None, name: str) -> Unit | None:
    """The unit of that name directly under `parent` (or at the top)."""
    parent_clause = Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id
    return session.scalars(select(Unit).where(parent_clause, Unit.name == name).order_by(Unit.id)).first()


def _resolve(session: Session, path: str) -> Unit | None | str:
    """The unit at a path like "集团/一矿" ("" is the top); an error message if a part is missing."""
    unit: Unit | None = None
    for part in (p.strip() for p in path.split(PATH_SEPARATOR) if p.strip()):
        found = _find(session, unit, part)
        if found is None and unit is None:
            found = session.scalars(select(Unit).where(Unit.name == part).order_by(Unit.id)).first()
        if found is None:
            return f"parent unit {path!r} not found"
        unit = found
    return unit


def _target(value: Any, round_id: int | None) -> int | None | str:
    """The row's target as a whole number, or an error message."""
    if value is None or str(value).strip() == "":
        return None
    if round_id is None:
        return "a target needs --round"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"target {value!r} is not a number"
    return int(number) if number >= 0 and number == int(number) else f"target {value!r} is not a whole number ≥ 0"


def import_row(session: Session, cells: dict[str, Any], round_id: int | None, report: ImportReport) -> str | None:
    """Create or update one unit (and its target); return an error message for a bad row."""
    name = str(cells.get("name") or "").strip()
    if not name:
        return "unit name is empty"
    kind = KINDS.get(str(cells.get("kind") or "team").strip())
    if kind is None:
        return f"unknown kind {cells.get('kind')!r}"
    parent = _resolve(session, str(cells.get("parent") or ""))
    target = _target(cells.get("target"), round_id)
    if isinstance(parent, str) or isinstance(target, str):
        return parent if isinstance(parent, str) else str(target)
    unit = _find(session, parent, name)
    if unit is None:
        unit = Unit(name=name, kind=kind, parent=parent)
        session.add(unit)
        report.created += 1
    else:
        unit.kind = kind
        report.updated += 1
    session.flush()
    if target is not None and round_id is not None:
        set_target(session, round_id, unit.id, target)
        report.targets += 1
    return None


def import_units(session: Session, path: Path, round_id: int | None = None) -> ImportReport:
    """Read the first sheet and import every row; check `report.errors` before committing."""
    report = ImportReport()
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    columns = _header(rows[0] if rows else ())
    if "name" not in columns:
        report.errors.append((1, "the header row has no unit-name column"))
        return report
    for number, values in enumerate(rows[1:], start=2):
        if not any(v is not None and str(v).strip() for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        error = import_row(session, cells, round_id, report)
        if error:
            report.errors.append((number, error))
    return report


def template_workbook() -> BytesIO:
    """An .xlsx with the headers `import_units` reads, example rows that import cleanly, and notes."""
    spec = _WORDS["template"]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec["sheet"]
    sheet.append(spec["headers"])
    for row in spec["rows"]:
        sheet.append([None if cell == "" else cell for cell in row])
    for column, width in zip("ABCD", (18, 30, 10, 8), strict=True):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet(spec["notes_sheet"])
    for line in spec["notes"]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    data = BytesIO()
    workbook.save(data)
    data.seek(0)
    return data
