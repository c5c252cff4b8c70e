"""Reads the files bureaus publish into sheets of text rows: .xlsx, .xls, .csv (UTF-8, UTF-8
with BOM or GB18030, as the validator accepts) and .zip archives of them.

Every cell becomes text as a clerk reads it: merged cells give their value to every cell they
cover (a sample spanning rows has its name on each), dates become ISO dates, whole numbers
lose their ".0". Nothing is extracted to disk: a zip's members are read in memory, so a member
named "../x" goes nowhere. Errors name the file and say how to fix it.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ZuofangError
from ..registry import readers

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
#: A zip member larger than this is refused rather than inflated into memory.
MAX_MEMBER_BYTES = 512 * 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


class ImportFileError(ZuofangError):
    """A file given to `zuofang import` cannot be read as a spreadsheet."""

    def __init__(self, file: str, message: str):
        self.file, self.detail = file, message
        super().__init__(f"{file}：{message}")


@dataclass
class Sheet:
    """One worksheet (or a CSV file) as text rows; rows[i] is spreadsheet row i + 1."""

    file: str    # as reported: "a.xlsx", or "notices.zip/a.xlsx" for a zip member
    name: str    # the sheet's name ("" for CSV)
    rows: list[list[str]]
    sheets_in_file: int = 1

    @property
    def source(self) -> str:
        """How a record names where it came from: the file, and the sheet when there are several."""
        return f"{self.file}：{self.name}" if self.sheets_in_file > 1 and self.name else self.file


def read_files(paths) -> tuple[list[Sheet], list[str]]:
    """Every sheet of every file, and warnings (zip members skipped). Raises ImportFileError
    for the first file that cannot be read, before anything has been written."""
    sheets, warnings = [], []
    for path in paths:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ImportFileError(path.name, f"无法打开文件（{exc.strerror or exc}）。请检查文件名和路径。") from exc
        found, skipped = read_bytes(path.name, raw)
        sheets += found
        warnings += skipped
    return sheets, warnings


def read_bytes(name: str, raw: bytes) -> tuple[list[Sheet], list[str]]:
    """The sheets in one file's bytes, judged by content (a renamed file is still read right)."""
    if not raw.strip():
        raise ImportFileError(name, "文件是空的。请重新下载或导出。")
    if raw.startswith(_ZIP):
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise ImportFileError(name, f"文件像是 zip 或 xlsx，但已损坏（{exc}）。请重新下载。") from exc
        members = set(archive.namelist())
        if "[Content_Types].xml" in members or "xl/workbook.xml" in members:
            return _xlsx(name, raw), []
        return _zip(name, archive)
    if raw.startswith(_OLE2):
        return _xls(name, raw), []
    head = raw[:4096].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<table" in head:
        raise ImportFileError(name, "这个文件其实是网页（HTML），不是 Excel 表格（有些网站导出的 .xls 是网页）。"
                                    "请用 Excel 或 WPS 打开后另存为 .xlsx，再导入。")
    if head.startswith(b"%pdf"):
        raise ImportFileError(name, "这是 PDF 文件，不是表格。请下载公告的 Excel 附件（.xlsx、.xls）或 CSV。")
    if b"\x00" in raw[:4096]:
        raise ImportFileError(name, "这不是表格文件（含有二进制内容）。请导入 .xlsx、.xls、.csv 或它们的 .zip 包。")
    return [_csv(name, raw)], []


def _csv(name: str, raw: bytes) -> Sheet:
    try:
        encoding = readers.detect_encoding(name, raw)
    except readers.TableReadError as exc:
        raise ImportFileError(name, exc.detail) from exc
    text = raw.decode(encoding)
    first = text.split("\n", 5)[:5]
    delimiter = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in first))
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return Sheet(name, "", _trim(rows))


def _xlsx(name: str, raw: bytes) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        # Not read-only: only a full load exposes merged cells. Cached values, not formulas:
        # a notice's cell shows what the clerk sees.
        book = load_workbook(io.BytesIO(raw), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(name, f"无法读取 xlsx 文件（{type(exc).__name__}: {exc}）。文件可能已损坏，请重新下载。") from exc
    found = []
    for ws in book.worksheets:
        rows = [["" if v is None else readers._cell_text(v).strip() for v in row]
                for row in ws.iter_rows(values_only=True)]
        for merged in ws.merged_cells.ranges:
            value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else ""
            for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
                row = rows[r - 1]
                row.extend([""] * (merged.max_col - len(row)))
                for c in range(merged.min_col, merged.max_col + 1):
                    row[c - 1] = value
        found.append(Sheet(name, ws.title, _trim(rows)))
    return _counted(found)


def _xls(name: str, raw: bytes) -> list[Sheet]:
    import xlrd

    try:
        # formatting_info is what makes xlrd read the merged ranges.
        book = xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=False)
    except Exception:
        try:
            book = xlrd.open_workbook(file_contents=raw)
        except Exception as exc:
            raise ImportFileError(name, f"无法读取 xls 文件（{type(exc).__name__}: {exc}）。请用 Excel 或 WPS 打开后另存为 .xlsx。") from exc
    found = []
    for sh in book.sheets():
        rows = [[_xls_text(book, sh.cell(r, c)) for c in range(sh.ncols)] for r in range(sh.nrows)]
        for rlo, rhi, clo, chi in sh.merged_cells:
            value = rows[rlo][clo]
            for r in range(rlo, rhi):
                for c in range(clo, chi):
                    rows[r][c] = value
        found.append(Sheet(name, sh.name, _trim(rows)))
    return _counted(found)


def _xls_text(book, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return readers._cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError):
            return str(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return readers._cell_text(cell.value).strip()


def _zip(name: str, archive: zipfile.ZipFile) -> tuple[list[Sheet], list[str]]:
    sheets, skipped = [], []
    for info in archive.infolist():
        member = _member_name(info)
        base = member.rsplit("/", 1)[-1]
        if info.is_dir() or member.startswith("__MACOSX/") or base.startswith((".", "~$")):
            continue
        label = f"{name}/{member}"
        if not base.lower().endswith(SPREADSHEET_SUFFIXES):
            skipped.append(f"{label}：不是表格（.xlsx、.xls、.csv），已跳过 skipped")
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise ImportFileError(label, f"解压后有 {info.file_size:,} 字节，超过上限，未读取。请解压后分别导入。")
        found, more = read_bytes(label, archive.read(info))
        sheets += found
        skipped += more
    if not sheets:
        raise ImportFileError(name, "zip 包里没有表格文件（.xlsx、.xls、.csv）。")
    return sheets, skipped


def _member_name(info: zipfile.ZipInfo) -> str:
    """Chinese Windows zips store names in GBK without saying so; Python reads them as CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _trim(rows: list[list[str]]) -> list[list[str]]:
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _counted(sheets: list[Sheet]) -> list[Sheet]:
    for sheet in sheets:
        sheet.sheets_in_file = len(sheets)
    return sheets
