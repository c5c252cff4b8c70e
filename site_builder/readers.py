"""Finds and reads a registry table as the bureau exported it: CSV (UTF-8, UTF-8 with BOM,
GB18030) or XLSX. Parsing is pure: it returns header and rows of strings, and leaves
typing and checking to the validator.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import ZuofangError

#: Tried in order. GB18030 is a superset of GBK/GB2312, which older exports use.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class TableReadError(ZuofangError):
    """A table file is missing, unreadable, truncated or not in a known format."""

    def __init__(self, file: str, rule: str, message: str, row: int | None = None):
        self.file, self.rule, self.row, self.detail = file, rule, row, message
        super().__init__(f"{file}：{message}")


@dataclass(frozen=True)
class TableSource:
    """Where a table's rows come from and how they are encoded."""

    path: Path
    format: str  # "csv" or "xlsx"
    encoding: str | None  # for CSV: the encoding that decoded it


def locate(data_dir: Path, table: str, declared_path: str | None = None) -> Path | None:
    """The file holding `table`: the path the package declares, else <table>.csv or <table>.xlsx."""
    candidates = [declared_path] if declared_path else []
    candidates += [f"{table}.csv", f"{table}.xlsx"]
    for name in candidates:
        path = Path(data_dir) / name
        if path.is_file():
            return path
    return None


def detect(path: Path) -> TableSource:
    """Decide the format and, for CSV, the encoding, from the bytes themselves."""
    raw = path.read_bytes()
    if is_xlsx(path, raw):
        return TableSource(path, "xlsx", None)
    return TableSource(path, "csv", detect_encoding(path.name, raw))


def is_xlsx(path: Path, raw: bytes) -> bool:
    """By name or by content: an XLSX is a zip, whatever it is called."""
    return raw[:4] == b"PK\x03\x04" or path.suffix.lower() == ".xlsx"


def detect_encoding(name: str, raw: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes are UTF-8, else GB18030.

    GB18030 decodes most byte soup without complaint, so a UTF-8 file with a few broken
    bytes would otherwise pass as GB18030 and turn into nonsense Chinese. When the text
    before the first bad byte already holds valid multi-byte UTF-8, the file is UTF-8
    (a GB18030 file fails at its first Chinese character) and the bad byte is the error.
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise TableReadError(name, "encoding", "文件是 UTF-16 编码（Excel 的“Unicode 文本”格式）。"
                             "请在表格软件中另存为“CSV UTF-8（逗号分隔）”。", 1)
    try:
        raw.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        bad = exc.start
    prefix = raw[:bad]
    if not prefix.isascii():
        raise _encoding_error(name, raw, bad)
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise _encoding_error(name, raw, bad) from None


def _encoding_error(name: str, raw: bytes, bad: int) -> TableReadError:
    line_start = raw.rfind(b"\n", 0, bad) + 1
    # Spreadsheet row = CSV records before this line + 1 (a quoted cell may span lines).
    before = raw[:line_start].decode("utf-8-sig", errors="replace")
    row = len(list(csv.reader(io.StringIO(before, newline="")))) + 1
    return TableReadError(
        name, "encoding", f"第 {row} 行有无法识别的字节（文件第 {bad + 1} 个字节，0x{raw[bad]:02X}），"
        "文件既不是 UTF-8 也不是 GB18030 编码，或在传输中损坏。请在表格软件中另存为“CSV UTF-8”后重试。",
        row)


def read_rows(source: TableSource) -> tuple[list[str], list[list[str]]]:
    """Header and data rows, every cell a string ('' for empty); blank spreadsheet rows left out."""
    if source.format == "xlsx":
        rows = [r for r in read_sheet(source.path) if r]
        width = len(rows[0])
        return rows[0], [(r + [""] * width)[:width] for r in rows[1:]]
    text = source.path.read_bytes().decode(source.encoding)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise TableReadError(source.path.name, "empty-file", "文件是空的，没有表头。")
    return rows[0], rows[1:]


def csv_truncation(text: str, width: int) -> str | None:
    """What is wrong with a CSV text's last row when it looks cut off, or None.

    Two signs of a cut: a quoted cell never closed (the parser would silently swallow the
    rest of the file into one cell), or a last line without a line break that has fewer
    cells than the header's `width`. Cheap checks first: this runs on every file.
    """
    if text.count('"') % 2:
        try:
            for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
                pass
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                return ('有一个引号（"）没有闭合，从这里到文件末尾都被读成了一个单元格。'
                        "可能是文件被截断，也可能是这一行的某个单元格多了一个引号：请检查这一行，或重新导出")
    if text.endswith(("\n", "\r")):
        return None
    last = text[text.rfind("\n") + 1:]
    if last.count('"') % 2:
        return None  # the last row spans lines: its cells cannot be counted from one line
    cells = next(csv.reader([last]), [])
    if 0 < len(cells) < width:
        return (f"这是最后一行，只有 {len(cells)} 个单元格（表头有 {width} 列），且没有换行结尾："
                "文件可能在保存或传输中被截断。请重新导出")
    return None


def read_sheet(path: Path) -> list[list[str]]:
    """Every row of the first sheet as text, at its sheet position (row 1 first), blank rows as [].

    Cells become the text a CSV export would hold, so a table validates the same in either
    form. Formulas are read as their formula text, not their cached value: a registry
    cell should hold data, and "=…" is then caught as formula injection.
    Trailing blank rows and empty cells beyond the last used column are dropped
    (spreadsheets keep formatted-but-empty cells).
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            cells = ["" if v is None else _cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
        workbook.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, EOFError) as exc:
        raise TableReadError(path.name, "unreadable-file",
                             f"无法读取 XLSX 文件（{type(exc).__name__}: {exc}）。文件可能已损坏或不完整，请重新导出。") from exc
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise TableReadError(path.name, "empty-file", "工作表是空的，没有表头。")
    return rows


def _cell_text(value) -> str:
    """Spreadsheet cells come typed; the registry compares text, as CSV would give it."""
    from datetime import date, datetime

    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
