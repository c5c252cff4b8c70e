"""How fast `zuofang import sampling` reads a large notice: a 20,000-row national 不合格 layout
(.xlsx, title rows above the header, one sample in four spanning two rows with merged cells)
imported into a copy of the demo registry. Prints rows/s for reading the file and for the whole
import, and the share of rows placed automatically.
Usage: python bench/bench_import.py [ROWS]   (default 20000)
"""
from __future__ import annotations

import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.merge import MergedCellRange

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_builder.importers.run import run_import  # noqa: E402
from site_builder.importers.sources import read_files  # noqa: E402

HEADER = ["序号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址", "食品名称", "规格型号", "商标",
          "生产日期/批号", "不合格项目", "检验结果", "标准值", "检验机构", "分类", "抽样编号", "备注"]


def notice(path: Path, rows: int) -> None:
    """Rows cycle through the demo's workshops (by name and address) and an unregistered maker."""
    with open(REPO / "data" / "operators.csv", encoding="utf-8", newline="") as f:
        makers = [o for o in csv.DictReader(f) if o["kind"] == "workshop"]
    wb = Workbook()
    ws = wb.active
    ws.append(["演示市市场监督管理局关于2026年第9期食品安全监督抽检信息的通告（演示数据，虚构）"])
    ws.append(["2026年10月20日"])
    ws.append(HEADER)
    seq, r = 0, 0
    while r < rows:
        seq += 1
        op = makers[seq % len(makers)]
        name, address = (op["name"], op["address"]) if seq % 10 else (f"虚构食品厂{seq}（演示）", "运城市稷山县演示村1号")
        base = [seq, name, address, "演示超市（虚构）", "运城市盐湖区演示路1号", "麻花", "250g/袋", "/", 45901]
        items = [("酸价(以脂肪计)(KOH)", "5.2mg/g", "≤3.0mg/g"), ("过氧化值", "0.41g/100g", "≤0.25g/100g")]
        span = 2 if seq % 4 == 0 else 1
        for item in items[:span]:
            ws.append(base + list(item) + ["演示检测中心（虚构）", "糕点", f"DC26{seq:08d}", "/"])
            r += 1
        if span == 2:
            at = r + 3  # the sheet row just written (3 rows above the data)
            for col in "ABCDEFGHIMNOP":
                # ws.merge_cells checks each new range against every earlier one (quadratic):
                # these never overlap, so add them directly.
                merged = MergedCellRange(ws, f"{col}{at - 1}:{col}{at}")
                ws.merged_cells.ranges.add(merged)
                merged.format()
    wb.save(path)


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(REPO / "data", data)
        path = tmp / "notice.xlsx"
        started = time.perf_counter()
        notice(path, rows)
        print(f"wrote a {rows:,}-row notice ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        read_files([path])
        reading = time.perf_counter() - started
        started = time.perf_counter()
        report = run_import("sampling", [path], data)
        total = time.perf_counter() - started
        started = time.perf_counter()
        again = run_import("sampling", [path], data)
        second = time.perf_counter() - started
    print(f"read the file (openpyxl, merged cells): {reading:.1f} s = {rows / reading:,.0f} rows/s")
    print(f"import (read, match, check, write): {total:.1f} s = {report.rows_read / total:,.0f} rows/s; "
          f"{report.added:,} samplings added, {report.rows_placed:,} of {report.rows_read:,} rows placed "
          f"({report.placed_share:.1%}), {report.rows_unplaced:,} to review")
    print(f"same file again (nothing changes): {second:.1f} s = {again.rows_read / second:,.0f} rows/s; "
          f"added {again.added}, updated {again.updated}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
