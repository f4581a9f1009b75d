"""The streaming .xlsx writer: openpyxl reads back the values, the formats and awkward text."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from web.xlsx_writer import PERCENT, YUAN, Sheet, Styled, write_xlsx


def test_values_formats_and_text_come_back_as_written():
    rows = [["甲班 & <乙班>", 3, Decimal("1234.50"), Styled(0.375, PERCENT), None, date(2026, 11, 16)],
            ["tab\tand bell\x07", -1.5, True, Styled(Decimal("99.99"), YUAN), "", "=SUM(A1:A2)"],
            ["\u3000\u3000甲班", " 前后空格 "]]
    data = write_xlsx([Sheet("按单位", (10, 20), ("单位", "数"), rows), Sheet("空", rows=[])])
    workbook = load_workbook(data)
    assert workbook.sheetnames == ["按单位", "空"]
    sheet = workbook["按单位"]
    assert [c.value for c in sheet[1]] == ["单位", "数", None, None, None, None] and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["甲班 & <乙班>", 3, 1234.5, 0.375, None, "2026-11-16"]
    assert sheet["D2"].number_format == "0.0%" and sheet["D3"].number_format == "#,##0.00"
    assert [c.value for c in sheet[3]][:4] == ["tab\tand bell", -1.5, True, 99.99]  # the control character dropped
    assert sheet["F3"].value == "=SUM(A1:A2)" and sheet["F3"].data_type == "s"  # text stays text, never a formula
    assert [c.value for c in sheet[4]][:2] == ["\u3000\u3000甲班", " 前后空格 "]  # a unit's indent stays
    assert sheet.column_dimensions["B"].width == 20
    assert workbook["空"].max_row == 1 and workbook["空"]["A1"].value is None


def test_wide_rows_get_the_right_column_letters():
    data = write_xlsx([Sheet("wide", rows=[list(range(30))])])
    sheet = load_workbook(data)["wide"]
    assert sheet["Z1"].value == 25 and sheet["AD1"].value == 29
