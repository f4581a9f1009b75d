"""The review results and the award list as Excel workbooks, one row per project, as union offices file them.

Columns: number, title, unit, system, category, members, yearly benefit, each criterion's mean,
total, reviewers, spread, panel flag, rank, level, prize. The headings are in `handlers/texts.py`
(criteria by the score sheet's own names); the figures come from `models.scoring.results`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from handlers import texts
from models.awards import Award, level_name
from models.review_config import ReviewConfig
from models.scoring import ResultRow

H = texts.WORKBOOK_HEADERS


def _headers(config: ReviewConfig) -> list[str]:
    """The heading row."""
    criteria = [H["criterion"].format(name=c.name) for c in config.score_sheet.criteria]
    return [H["number"], H["title"], H["unit"], H["system"], H["category"], H["members"], H["benefit"], *criteria,
            H["total"], H["reviewers"], H["spread"], H["flagged"], H["rank"], H["level"], H["prize"]]


def _row(row: ResultRow, config: ReviewConfig, award: Award | None) -> list[object]:
    """One project's cells (numbers as numbers, so the sheet can sum and sort them)."""
    project, score = row.project, row.score
    unit = project.unit.full_name() or project.unit.name if project.unit else ""
    criteria = [float(score.criteria[c.key]) if score else None for c in config.score_sheet.criteria]
    benefit = float(project.annual_benefit_yuan) if project.annual_benefit_yuan is not None else None
    return [project.number, project.title, unit, texts.SYSTEM_NAMES.get(project.system or "", project.system),
            texts.CATEGORY_NAMES.get(project.category or "", project.category),
            texts.MEMBER_SEPARATOR.join(str(m) for m in project.members or []), benefit, *criteria,
            float(score.total) if score else None, len(row.cards), float(score.spread) if score else None,
            texts.WORKBOOK_YES if score and score.flagged else "", row.rank,
            level_name(config.awards, award.level) if award else "", award.prize if award else None]


def results_workbook(rows: Sequence[ResultRow], config: ReviewConfig, awards: Mapping[int, Award],
                     only_awarded: bool = False) -> Workbook:
    """A workbook of the results (or, with `only_awarded`, the award list), awards by project id."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = texts.WORKBOOK_TITLES["awards" if only_awarded else "results"]
    sheet.append(_headers(config))
    for row in rows:
        award = awards.get(row.project.id)
        if not only_awarded or award is not None:
            sheet.append(_row(row, config, award))
    sheet.freeze_panes = "A2"
    for index, width in enumerate((12, 30, 24, 10, 10, 18, 14), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return workbook


def xlsx_response(workbook: Workbook) -> BytesIO:
    """The workbook's bytes, ready for `send_file`."""
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
