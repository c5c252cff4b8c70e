"""Small files in the layouts `zuofang import` reads, written by the tests themselves.

Names are fictional; the ones meant to match are businesses of the bundled demo (data/)."""
from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

REPO = Path(__file__).resolve().parent.parent


def demo_copy(tmp_path: Path) -> Path:
    """A copy of the bundled demo registry to import into."""
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    return target


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = (), sheet: str = "Sheet1",
         extra_sheets: dict[str, list[list]] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    for name, more in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in more:
            other.append(row)
    wb.save(path)
    return path


def xls(path: Path, rows: list[list], merges: tuple[tuple[int, int, int, int], ...] = (), at: tuple[int, int] = (0, 0)) -> Path:
    """An old-Excel file (xlwt); merges are (first row, last row, first col, last col), 0-based."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    merged = {(r1, c1): (r2, c2) for r1, r2, c1, c2 in merges}
    covered = {(r, c) for r1, r2, c1, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            rr, cc = r + at[0], c + at[1]
            if (rr, cc) in covered and (rr, cc) not in merged:
                continue
            style = dates if isinstance(value, datetime) else xlwt.Style.default_style
            if (rr, cc) in merged:
                r2, c2 = merged[(rr, cc)]
                ws.write_merge(rr, r2, cc, c2, value, style)
            else:
                ws.write(rr, cc, value, style)
    book.save(str(path))
    return path


def csv_file(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def zip_of(path: Path, members: dict[str, bytes], gbk_names: bool = False) -> Path:
    """A zip; with gbk_names the names are stored in GBK without the UTF-8 flag, as Chinese Windows does."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(_GbkName(name) if gbk_names else name, data)
    return path


class _GbkName(zipfile.ZipInfo):
    """A member name stored as GBK bytes with no UTF-8 flag (zipfile itself would write UTF-8)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


NATIONAL_HEADER = ["序号", "标称生产企业\n名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址", "食品名称", "规格型号",
                   "商标", "生产日期/批号", "不合格项目", "检验结果", "标准值", "检验机构", "分类", "备注", "备注"]
LAB = "演示检测中心（虚构）"
