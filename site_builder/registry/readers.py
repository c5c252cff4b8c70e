"""Finds and reads a registry table as the bureau exported it: CSV (UTF-8, UTF-8 with BOM,
GB18030) or XLSX. Parsing is pure: it returns header and rows of strings, and leaves
typing and checking to the validator.
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Iterator

from ..errors import ZuofangError

#: Tried in order. GB18030 is a superset of GBK/GB2312, which older exports use.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

#: Limits on one table file. A province-scale registry (50,000 businesses, about 200,000
#: products) stays far below them: its largest table has about 400,000 rows, 26 MB as CSV and
#: 110 MB unzipped as XLSX. Past them a file is refused (rule too-large) before it is read whole,
#: because reading it could exhaust the memory: a 3 MB XLSX can unzip to 3 GiB.
MAX_FILE_BYTES = 512 * 2**20   # a CSV file, an XLSX file, and an XLSX's members once unzipped
MAX_ROWS = 2_000_000           # rows of one table, header and blank rows included
MAX_CELLS_PER_ROW = 200        # the widest table (operators) has 18 columns
MAX_CELL_CHARS = 32_767        # the most one Excel cell can hold

#: A path that starts with a scheme (https:, file:, javascript: …) is an address, not a file.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class TableReadError(ZuofangError):
    """A table file is missing, unreadable, truncated or not in a known format."""

    def __init__(self, file: str, rule: str, message: str, row: int | None = None, field: str | None = None):
        self.file, self.rule, self.row, self.field, self.detail = file, rule, row, field, message
        super().__init__(f"{file}：{message}")


@dataclass(frozen=True)
class TableSource:
    """Where a table's rows come from and how they are encoded."""

    path: Path
    format: str  # "csv" or "xlsx"
    encoding: str | None  # for CSV: the encoding that decoded it


class UnsafePath(ZuofangError):
    """A table's path leads out of the data folder: declared as an address, an absolute path or
    with "..", or a table file that is a symbolic link to a file elsewhere. `file` is where the
    fault is: datapackage.json (`declared`) or the table file itself; `rule` is the validator's."""

    rule = "file-path"

    def __init__(self, file: str, message: str, declared: bool):
        self.file, self.detail, self.declared = file, message, declared
        super().__init__(f"{file}：{message}")


class TwoTableFiles(UnsafePath):
    """Two files could hold one table (operators.csv beside operators.xlsx): reading either would
    silently ignore the other, perhaps the one with the new businesses. Refused wherever an unsafe
    path is, so that no reader picks one."""

    rule = "duplicate-file"

    def __init__(self, table: str, names: list[str]):
        self.names = names
        shown = " 和 ".join(names)
        super().__init__(names[0], f"{table} 表有 {len(names)} 个文件：{shown}。只能有一个，否则另一个会被悄悄忽略"
                         f"（其中可能正是新登记的内容）。请核对后只保留要发布的那个文件，把另一个删去或移出数据目录。", False)


def locate(data_dir: Path, table: str, declared_path: object = None) -> Path | None:
    """The file holding `table`: the path the package declares, else <table>.csv or <table>.xlsx;
    None when there is none. Raises UnsafePath rather than return a file outside `data_dir`, and
    TwoTableFiles when more than one of them is there (which one the clerk meant is not ours to guess).

    The one check every reader of a table file goes through (Package.table_file): what the
    descriptor says and what a symbolic link points to are input, and input must not make
    the validator read, or the site publish, another file on the clerk's disk."""
    data_dir = Path(data_dir)
    candidates = []
    if declared_path is not None and declared_path != "":
        _check_declared(table, declared_path)
        if PurePosixPath(os.path.normpath(declared_path)).parts[:1] == ("..",):
            raise UnsafePath("datapackage.json", f"{table} 表的 path“{declared_path}”指向数据目录之外。"
                             f"表文件须放在数据目录 {data_dir} 中，path 只写文件名，如“{table}.csv”。", True)
        candidates.append(declared_path)
    candidates += [f"{table}.csv", f"{table}.xlsx"]
    found: dict[Path, tuple[str, Path]] = {}
    for name in candidates:
        try:
            path = within(data_dir, name)
        except LeadsOutside as exc:
            raise UnsafePath(name, f"这个文件是指向数据目录之外（{exc.target}）的符号链接，不会被读取。"
                             f"请把表文件本身复制到数据目录 {data_dir} 中。", False) from None
        if path is not None:
            found.setdefault(path.resolve(), (name, path))  # the declared path and <table>.csv may be one file
    if len(found) > 1:
        raise TwoTableFiles(table, [PurePosixPath(name).as_posix() for name, _ in found.values()])
    return next((path for _, path in found.values()), None)


class LeadsOutside(ZuofangError):
    """A file name leads out of its folder once symbolic links are followed (`target`: where to)."""

    def __init__(self, target: Path):
        self.target = target
        super().__init__(str(target))


def within(folder: Path, name: str) -> Path | None:
    """The regular file `name` (relative, from the descriptor or a row) names inside `folder`,
    or None when there is none. Raises LeadsOutside when it, or a symbolic link on its way, is
    outside `folder`: the one check of every input file a registry names (tables, photos)."""
    path = Path(folder) / name
    if not path.is_file():
        return None
    real = path.resolve()
    if not real.is_relative_to(Path(folder).resolve()):
        raise LeadsOutside(real)
    return path


def _check_declared(table: str, declared: object) -> None:
    example = f"请只写数据目录中的文件名，如“{table}.csv”。"
    if not isinstance(declared, str):
        raise UnsafePath("datapackage.json", f"{table} 表的 path 应为一个文件名（文本），现为 {declared!r}。{example}", True)
    scheme = _SCHEME.match(declared)
    if scheme and len(scheme.group()) > 2:  # "C:" is a Windows drive, not a scheme
        raise UnsafePath("datapackage.json", f"{table} 表的 path“{declared}”是网址：只读取数据目录中的文件，"
                         f"不会下载。请把该文件下载后放进数据目录，path 只写文件名，如“{table}.csv”。", True)
    if scheme or PurePosixPath(declared).is_absolute() or PureWindowsPath(declared).is_absolute():
        raise UnsafePath("datapackage.json", f"{table} 表的 path“{declared}”是绝对路径：只读取数据目录中的文件。"
                         f"{example}", True)


def read_bytes(path: Path, file: str) -> bytes:
    """The file's bytes, unless it is larger than MAX_FILE_BYTES (checked before reading)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise TableReadError(file, "too-large", f"文件有 {_mb(size)}，超过上限 {_mb(MAX_FILE_BYTES)}"
                             "（一个省的登记数据每张表也远小于此）。请确认导出的是这张登记表本身；"
                             "表确实这么大时，请联系技术人员。")
    return path.read_bytes()


def csv_rows(text: str, file: str) -> Iterator[list[str]]:
    """The CSV text's rows, refused with rule too-large past MAX_ROWS rows, MAX_CELLS_PER_ROW
    cells in a row or MAX_CELL_CHARS characters in a cell (a row of a million commas would
    otherwise become a million problems)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    long_cells_possible = len(text) > MAX_CELL_CHARS
    number, header = 0, []
    try:
        for row in reader:
            number += 1
            if number > MAX_ROWS:
                raise too_many_rows(file)
            if len(row) > MAX_CELLS_PER_ROW:
                raise too_many_cells(file, number, len(row))
            if long_cells_possible and row and max(map(len, row)) > MAX_CELL_CHARS:
                raise too_long_cell(file, number, header, next(i for i, c in enumerate(row) if len(c) > MAX_CELL_CHARS))
            header = header or row
            yield row
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            raise
        raise too_long_cell(file, number + 1, header, None) from None


def too_many_rows(file: str) -> TableReadError:
    return TableReadError(file, "too-large", f"表超过 {MAX_ROWS:,} 行（含空行），超过上限（一个省的登记数据每张表也远少于此）。"
                          "请确认导出范围，并删除表格末尾大量的空行。")


def too_many_cells(file: str, row: int, cells: int) -> TableReadError:
    return TableReadError(file, "too-large", f"第 {row} 行有 {cells:,} 个单元格，超过上限 {MAX_CELLS_PER_ROW}"
                          "（登记表最宽的也只有十几列）。请删除表格右侧多余的列后重新导出。", row)


def too_long_cell(file: str, row: int, header: list[str], column: int | None) -> TableReadError:
    """`column` counts from 0; None when the reader could not say which cell it was."""
    label = header[column] if column is not None and column < len(header) and row > 1 else None
    where = f"第 {row} 行第 {column + 1} 列" if column is not None else f"第 {row} 行"
    return TableReadError(file, "too-large", f"{where}的单元格超过 {MAX_CELL_CHARS:,} 个字符（Excel 一个单元格最多能存的字数）。"
                          "可能是整张表被粘贴进了一个单元格，或引号没有成对。请检查这个单元格。", row, label)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def detect(path: Path) -> TableSource:
    """Decide the format and, for CSV, the encoding, from the bytes themselves."""
    raw = read_bytes(path, path.name)
    if is_xlsx(path, raw):
        return TableSource(path, "xlsx", None)
    return TableSource(path, "csv", detect_encoding(path.name, raw))


def is_xlsx(path: Path, raw: bytes) -> bool:
    """By name or by content: an XLSX is a zip, whatever it is called."""
    return raw[:4] == b"PK\x03\x04" or path.suffix.lower() == ".xlsx"


def detect_encoding(name: str, raw: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes are UTF-8, else GB18030 when charset-normalizer
    finds the bytes to be coherent GB18030 text; otherwise an `encoding` problem at the first byte
    that is not UTF-8.

    GB18030 decodes much byte soup without complaint, so a UTF-8 file with a few broken bytes must
    not pass as GB18030 and turn into nonsense Chinese; nor may a real GB18030 export be refused
    because its first characters' bytes happen to form valid UTF-8 too (山 is C9 BD in GB18030,
    and "ɽ" in UTF-8). charset-normalizer judges the decoded text as a whole (how much of it is
    mess), which tells the two apart where looking at the first bad byte cannot. A file of a line
    or two is too short for any detector to be sure; a registry table is not.
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise TableReadError(name, "encoding", "文件是 UTF-16 编码（Excel 的“Unicode 文本”格式）。"
                             "请在表格软件中另存为“CSV UTF-8（逗号分隔）”。", 1)
    try:
        raw.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _is_gb18030_text(raw):
        return "gb18030"
    raise _encoding_error(name, raw, bad)


def _is_gb18030_text(raw: bytes) -> bool:
    from charset_normalizer import from_bytes

    # Only the two encodings a registry may be in; UTF-8 already failed, so this asks whether the
    # GB18030 reading decodes every byte and reads as text rather than mess.
    best = from_bytes(raw, cp_isolation=["utf_8", "gb18030"]).best()
    return best is not None and best.encoding == "gb18030"


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
    text = read_bytes(source.path, source.path.name).decode(source.encoding)
    rows = list(csv_rows(text, source.path.name))
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
        check_unzipped_size(path)
        workbook = load_workbook(path, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        # The sheet's stated size would pad every row to the width it states (a tiny file can
        # state 16,384 columns, 16,384 values a row): rows are read as they are stored instead,
        # which gives the same cells once the trailing blanks are dropped.
        sheet.reset_dimensions()
        rows, header = [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if number > MAX_ROWS:
                raise too_many_rows(path.name)
            cells = ["" if v is None else _cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if len(cells) > MAX_CELLS_PER_ROW:
                raise too_many_cells(path.name, number, len(cells))
            for column, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    raise too_long_cell(path.name, number, header, column)
            header = header or cells
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


def check_unzipped_size(path: Path) -> None:
    """Refuse an XLSX whose members unzip to more than MAX_FILE_BYTES, before anything is unzipped.

    The sizes are those the zip's directory states; Python's zipfile never inflates a member
    past its stated size (it stops there and the checksum fails), so a lie cannot get round this."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    if total > MAX_FILE_BYTES:
        raise TableReadError(path.name, "too-large", f"这个 XLSX 解压后有 {_mb(total)}，超过上限 {_mb(MAX_FILE_BYTES)}"
                             "（一个省的登记数据每张表解压后也远小于此），没有打开。文件可能已损坏，或是恶意构造的"
                             "“压缩炸弹”。请从登记系统重新导出，或另存为 CSV。")


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
