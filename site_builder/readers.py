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

    def __init__(self, file: str, rule: str, message: str):
        self.file, self.rule = file, rule
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
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() == ".xlsx":
        return TableSource(path, "xlsx", None)
    for encoding in CSV_ENCODINGS:
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return TableSource(path, "csv", encoding)
    raise TableReadError(path.name, "encoding", "无法识别文件编码。请另存为 UTF-8 或 GB18030 编码的 CSV。")


def read_rows(source: TableSource) -> tuple[list[str], list[list[str]]]:
    """Header and data rows, every cell a string ('' for empty)."""
    if source.format == "xlsx":
        return _read_xlsx(source.path)
    text = source.path.read_bytes().decode(source.encoding)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise TableReadError(source.path.name, "empty-file", "文件是空的，没有表头。")
    return rows[0], rows[1:]


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableReadError(path.name, "unreadable-file", f"无法读取 XLSX 文件（{exc}）。文件可能已损坏或不完整，请重新导出。") from exc
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else _cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    rows = [r for r in rows if any(c != "" for c in r)]
    if not rows:
        raise TableReadError(path.name, "empty-file", "工作表是空的，没有表头。")
    width = len(rows[0])
    return rows[0], [(r + [""] * width)[:width] for r in rows[1:]]


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
