"""A small streaming .xlsx writer: sheets of plain values, three number formats, a bold header row.

Why not openpyxl for writing: at 20,000 projects its write-only mode spends about 3.5 s of CPU
on the 160,000 cells (with lxml; three times that without), where this writer, which formats each
row as one string of SpreadsheetML, needs a few hundredths of a second (bench/stats.md has the
designs' figures). Text goes into one shared-strings table (each distinct text escaped once and
stored once: unit names, categories and statuses repeat on every row), rows carry their number
but cells no reference (SpreadsheetML places a cell after the one before it, an empty cell being
`<c/>`; a reference per cell was a fifth of the writer's time), and each sheet is
written to the archive a block of rows at a time. openpyxl reads every file this writes in the
tests, and the format is the plain Office Open XML one.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import IO, Any
from xml.sax.saxutils import quoteattr

#: Style indexes in STYLES below.
PLAIN, PERCENT, YUAN, HEADER = 0, 1, 2, 3
#: Text escaped for XML in one pass; characters XML 1.0 does not allow are dropped (a pasted control
#: character must not break the file).
_TEXT = {**{c: None for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]},
         ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
#: Whether a text needs `_TEXT` at all (most do not; searching is much cheaper than translating).
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@dataclass(frozen=True)
class Styled:
    """A value with a number format (PERCENT or YUAN)."""

    value: Any
    style: int


@dataclass
class Sheet:
    """One worksheet: its title, column widths, a header row (bold) and the rows below it."""

    title: str
    widths: Sequence[float] = ()
    header: Sequence[str] = ()
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


#: Rows formatted before they are written to the archive (a block is a few hundred kB of XML).
BLOCK = 2000
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class SharedStrings:
    """The workbook's table of distinct texts: a text's cell holds its index in `index`."""

    def __init__(self) -> None:
        """An empty table."""
        self.index: dict[str, int] = {}

    def add(self, text: str) -> int:
        """The index of a text, added when new (the hot loop in `_row` does the same inline)."""
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        """The shared-strings part: each text escaped once, leading or trailing spaces kept."""
        items = []
        for text in self.index:
            if _SPECIAL.search(text):
                text = text.translate(_TEXT)
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            items.append(f"<si><t{space}>{text}</t></si>")
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
                f'uniqueCount="{len(self.index)}">{"".join(items)}</sst>')


def _other(value: Any, style: int, strings: SharedStrings) -> str:
    """The cell of a value that is not text, a number or None: a Styled value, a boolean, a date."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, Styled):
        return _row([value.value], value.style, strings)
    if isinstance(value, bool):
        return f'<c t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, date):
        value = value.isoformat()
    return f'<c t="s"{s}><v>{strings.add(str(value))}</v></c>'


def _row(values: Sequence[Any], style: int, strings: SharedStrings) -> str:
    """The cells of one row, in order, with `<c/>` for an empty one (the hot loop: no call for text or numbers)."""
    s = f' s="{style}"' if style else ""
    cells: list[str] = []
    add, index = cells.append, strings.index
    for value in values:
        kind = type(value)
        if kind is str:
            found = index.get(value)
            if found is None:
                found = index[value] = len(index)
            add(f'<c t="s"{s}><v>{found}</v></c>')
        elif value is None:
            add("<c/>")
        elif kind is Decimal:
            add(f"<c{s}><v>{value:f}</v></c>")
        elif kind is int or kind is float:
            add(f"<c{s}><v>{value}</v></c>")
        else:
            add(_other(value, style, strings))
    return "".join(cells)


def _sheet_blocks(sheet: Sheet, strings: SharedStrings) -> Iterator[str]:
    """The worksheet part of one sheet, a block of rows at a time."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
    if sheet.widths:
        head += "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                   for i, w in enumerate(sheet.widths, start=1)) + "</cols>"
    block, number = [head, "<sheetData>"], 0
    if sheet.header:
        number = 1
        block.append(f'<row r="1">{_row(sheet.header, HEADER, strings)}</row>')
    for values in sheet.rows:
        number += 1
        block.append(f'<row r="{number}">{_row(values, PLAIN, strings)}</row>')
        if len(block) >= BLOCK:
            yield "".join(block)
            block = []
    block.append("</sheetData></worksheet>")
    yield "".join(block)


def _write(archive: zipfile.ZipFile, name: str, blocks: Iterable[str]) -> None:
    """One part of the package, written as its blocks come."""
    target: IO[bytes]
    with archive.open(name, "w") as target:
        for block in blocks:
            target.write(block.encode())


def _package(archive: zipfile.ZipFile, sheets: Sequence[Sheet]) -> None:
    """The parts that list the sheets, the styles and the shared strings."""
    count = len(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
                        for i in range(1, count + 1))
    archive.writestr("[Content_Types].xml", (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_TYPE}"/>{overrides}</Types>'))
    archive.writestr("_rels/.rels", (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
    names = "".join(f'<sheet name={quoteattr(s.title[:31])} sheetId="{i}" r:id="rId{i}"/>'
                    for i, s in enumerate(sheets, start=1))
    archive.writestr("xl/workbook.xml", (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
        f'xmlns:r="{RELS}"><sheets>{names}</sheets></workbook>'))
    links = "".join(f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, count + 1))
    archive.writestr("xl/_rels/workbook.xml.rels", (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELS}">'
        f'{links}<Relationship Id="rId{count + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{count + 2}" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"))
    archive.writestr("xl/styles.xml", STYLES)


def write_xlsx(sheets: Sequence[Sheet]) -> BytesIO:
    """The workbook of these sheets, as bytes ready to send (each sheet's rows are read once, as written)."""
    data, strings = BytesIO(), SharedStrings()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _package(archive, sheets)
        for i, sheet in enumerate(sheets, start=1):
            _write(archive, f"xl/worksheets/sheet{i}.xml", _sheet_blocks(sheet, strings))
        archive.writestr("xl/sharedStrings.xml", strings.xml())
    data.seek(0)
    return data
