"""Validation speed and memory at 1k, 10k and 50k operators (generated registries).

Each size runs in its own process, so the peak memory (ru_maxrss) is that size's alone.
Registries are generated once into /tmp/zf-bench-<N> by `zuofang demo-data` and reused.
CPU seconds are printed beside wall seconds: on a shared machine the wall clock also
measures the neighbours.
A last line converts the 10k registry's two biggest referenced tables (operators,
products) to XLSX, to show what reading spreadsheets costs.
Usage: python bench/bench_validate.py [N ...]
"""
from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

SIZES = (1_000, 10_000, 50_000)
ZUOFANG = Path(sys.executable).with_name("zuofang")


def registry(operators: int) -> Path:
    from generated import registry as generated

    return generated(operators)


def xlsx_registry(operators: int, tables=("operators", "products")) -> Path:
    from openpyxl import Workbook

    out = Path(f"/tmp/zf-bench-{operators}-xlsx")
    if not (out / "datapackage.json").exists():
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(registry(operators), out)
        for table in tables:
            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            with open(out / f"{table}.csv", encoding="utf-8", newline="") as f:
                for row in csv.reader(f):
                    sheet.append(row)
            book.save(out / f"{table}.xlsx")
            (out / f"{table}.csv").unlink()
    return out


def measure(data: str) -> None:
    """Child process: validate once, print figures as JSON."""
    from site_builder.validate.whole import validate_registry

    wall, cpu = time.perf_counter(), time.process_time()
    report = validate_registry(data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = sum(report.counts.values())
    print(json.dumps({"rows": rows, "wall": wall, "cpu": cpu, "problems": len(report.problems),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "bytes": sum(p.stat().st_size for p in Path(data).iterdir()
                                     if p.suffix in (".csv", ".xlsx"))}))


def main(sizes: list[int]) -> None:
    print(f"{'operators':>9}  {'rows':>8}  {'MB data':>7}  {'wall s':>7}  {'cpu s':>6}  {'rows/s (cpu)':>12}  {'peak MB':>7}  problems")
    runs = [(str(n), registry(n)) for n in sizes]
    if 10_000 in sizes:
        runs.append(("10000+xlsx", xlsx_registry(10_000)))
    for label, data in runs:
        out = subprocess.run([sys.executable, __file__, "--child", str(data)], check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        f = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{label:>9}  {f['rows']:>8}  {f['bytes'] / 1e6:>7.1f}  {f['wall']:>7.1f}  {f['cpu']:>6.1f}  "
              f"{f['rows'] / f['cpu']:>12,.0f}  {f['peak_mb']:>7.0f}  {f['problems']}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        measure(sys.argv[2])
    else:
        main([int(a) for a in sys.argv[1:]] or list(SIZES))
