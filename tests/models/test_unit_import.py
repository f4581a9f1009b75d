"""Importing units and targets from Excel: good sheets land whole, bad rows are reported one by one."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.database import Database
from bot.cli import main
from models.rounds import create_round
from models.stats import unit_progress
from models.unit import Unit
from models.unit_import import import_units
from tests.models.test_reminders import shanghai


def sheet(path: Path, rows: list[list[Any]]) -> Path:
    """Write an .xlsx with the header row staff use and the given rows."""
    workbook = Workbook()
    workbook.active.append(["单位名称", "上级单位", "类型", "目标"])
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def make_round(db: Database) -> int:
    """A round to hold the targets."""
    with db.transaction() as session:
        return create_round(session, "2026年度五小竞赛", 2026, shanghai("2026-09-01 08:00"),
                            shanghai("2026-12-04 17:00"), shanghai("2026-12-14 17:00"),
                            shanghai("2027-01-10 17:00")).id


GOOD = [["晋源能源集团", "", "集团", 60], ["一矿", "晋源能源集团", "矿", 36],
        ["综采一队", "晋源能源集团/一矿", "队组", 20], ["掘进一队", "晋源能源集团/一矿", "队组", 16],
        ["甲班", "晋源能源集团/一矿/综采一队", "班组", None]]


def test_good_sheet_creates_the_tree_with_targets(db: Database, tmp_path: Path) -> None:
    """Five rows: five units under the right parents, targets visible in the progress."""
    round_id = make_round(db)
    with db.transaction() as session:
        report = import_units(session, sheet(tmp_path / "units.xlsx", GOOD), round_id)
        assert report.errors == [] and (report.created, report.targets) == (5, 4)
        mine = session.scalars(select(Unit).where(Unit.name == "一矿")).one()
        rows = unit_progress(session, round_id, mine.id)
    assert [(p.name, p.target) for p in rows] == [("一矿", 36), ("综采一队", 20), ("掘进一队", 16)]


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(db: Database, tmp_path: Path,
                                                                    settings_overrides: dict[str, object]) -> None:
    """Unknown parent, unknown kind, a target of "many" and an empty name: four lines, no units."""
    round_id = make_round(db)
    bad = [*GOOD[:2], ["机电队", "二矿", "队组", 5], ["通风队", "晋源能源集团/一矿", "车间", 3],
           ["运输队", "晋源能源集团/一矿", "队组", "很多"], [None, "晋源能源集团", "矿", 1]]
    path = sheet(tmp_path / "bad.xlsx", bad)
    group = main
    result = CliRunner().invoke(group, ["import-units", str(path), "--round", str(round_id)],
                                env={k: str(v) for k, v in settings_overrides.items()})
    assert result.exit_code == 1
    assert result.output.splitlines()[:4] == [
        "row 4: parent unit '二矿' not found", "row 5: unknown kind '车间'",
        "row 6: target '很多' is not a number", "row 7: unit name is empty"]
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_importing_again_updates_instead_of_duplicating(db: Database, tmp_path: Path) -> None:
    """The same sheet twice: the second run updates the five units."""
    round_id = make_round(db)
    path = sheet(tmp_path / "units.xlsx", GOOD)
    with db.transaction() as session:
        import_units(session, path, round_id)
    with db.transaction() as session:
        report = import_units(session, path, round_id)
        assert (report.created, report.updated) == (0, 5)
        assert session.scalar(select(func.count()).select_from(Unit)) == 5
