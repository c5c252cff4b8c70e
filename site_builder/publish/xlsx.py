"""Each published table as an Excel workbook (/data/<table>.xlsx), written with openpyxl.

A CSV opened in Excel loses what the registry means: 6901234567892 becomes 6.90123E+12, a region
code 140824 a number, a date text. Here every schema string (codes, barcodes, licence numbers) is
a text cell, dates are dates, numbers numbers; the header row holds the field names (what pandas
and the CSV call the columns) and stays frozen, and a second sheet, 字段说明 Columns, gives each
field's Chinese title, type and meaning.

Same rows give the same bytes: the workbook's dates (docProps) are the release date, and every
zip entry carries that date too (openpyxl would stamp the wall clock on both).
"""
from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

NOTES_SHEET = "字段说明 Columns"
NOTES_HEADER = ["字段 Field", "中文名称 Title", "类型 Type", "说明 Description", "取值 Values"]
#: A table's rows fit one sheet (Excel's limit is 1,048,576 rows, the header included).
MAX_ROWS = 1_048_575


class TooManyRows(ValueError):
    """A table has more rows than one Excel sheet holds."""


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose every entry is dated `when`, whatever openpyxl asks for."""

    def __init__(self, file, when: tuple[int, int, int]):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.when = (*when, 0, 0, 0)

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        if not isinstance(name, zipfile.ZipInfo):
            name = zipfile.ZipInfo(name, date_time=self.when)
            name.compress_type = zipfile.ZIP_DEFLATED
            name.external_attr = 0o644 << 16
            name.create_system = 3
        super().writestr(name, data, compress_type=compress_type, compresslevel=compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl's write-only sheets arrive as temporary files, dated when they were written.
        with open(filename, "rb") as f:
            self.writestr(arcname or filename, f.read())


def _caster(kind: str):
    if kind == "date":
        return lambda v: date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 else v
    if kind == "datetime":
        return lambda v: _datetime(v)
    if kind == "boolean":
        return lambda v: bool(v) if v in (0, 1) else v
    if kind in ("integer", "number", "year"):
        return lambda v: v
    return lambda v: None if v is None else str(v)


def _datetime(value):
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return value


def export_xlsx(conn: sqlite3.Connection, table: str, fields: list[dict], notes: list[list[str]],
                when: date) -> bytes:
    """`table`'s rows (database order) as a workbook; `fields` its published schema fields,
    `notes` one row of NOTES_HEADER per field."""
    count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    if count > MAX_ROWS:
        raise TooManyRows(f"数据表 {table} 有 {count:,} 行，超过 Excel 一张工作表的上限 {MAX_ROWS:,} 行。")
    wb = Workbook(write_only=True)
    stamp = datetime(when.year, when.month, when.day)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "Zuofang"
    sheet = wb.create_sheet(table)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_styled(sheet, f["name"], font=bold) for f in fields])
    casts = [_caster(f["type"]) for f in fields]
    text = [f["type"] not in ("integer", "number", "year", "boolean", "date", "datetime") for f in fields]
    columns = ", ".join(f'"{f["name"]}"' for f in fields)
    for row in conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY rowid'):
        cells = []
        for value, cast, is_text in zip(row, casts, text):
            value = cast(value)  # a date becomes a date cell, formatted yyyy-mm-dd by openpyxl
            if is_text and isinstance(value, str) and value.startswith("="):
                cells.append(_styled(sheet, value, data_type="s"))  # text, never a formula
            else:
                cells.append(value)
        sheet.append(cells)
    notes_sheet = wb.create_sheet(NOTES_SHEET)
    notes_sheet.append([_styled(notes_sheet, h, font=bold) for h in NOTES_HEADER])
    wrap = Alignment(wrap_text=True, vertical="top")
    for note in notes:
        # The notes come from the registry's descriptor: a description starting with = is text too.
        notes_sheet.append([_styled(notes_sheet, v, alignment=wrap,
                                    data_type="s" if isinstance(v, str) and v.startswith("=") else None)
                            for v in note])
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, (when.year, when.month, when.day)) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()


def _styled(sheet, value, font=None, alignment=None, data_type=None):
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if data_type is not None:
        cell.data_type = data_type
    return cell
