"""Benchmark of `zuofang print`: one station's batch of label sheets and of posters, as one PDF each.

    .venv/bin/python bench/bench_print.py                       # the demo (its registry.db made here)
    .venv/bin/python bench/bench_print.py OUT_DIR [OUT_DIR …]   # each holding registry.db
    .venv/bin/python bench/bench_print.py build/site-out --station st-140821-1 --workers 1

For each OUT_DIR it prints, for its busiest station (or --station), the workshops, pages, codes,
seconds (wall and this process's CPU), milliseconds per workshop and the file's size, once with
the font's cut not yet kept (an empty cache folder: what the first print of a batch costs) and
once reusing it; and the machine's load. The PDFs go to a temporary folder, never into OUT_DIR.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qr import printing, records  # noqa: E402


def busiest_station(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT station_id FROM operators WHERE kind = 'workshop' AND station_id IS NOT NULL "
                            "GROUP BY station_id ORDER BY count(*) DESC, station_id LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dirs", nargs="*", type=Path, help="default: the demo's registry.db, made in a temporary folder")
    parser.add_argument("--station", default=None, help="default: each registry's busiest station")
    parser.add_argument("--workers", type=int, default=None, help="default: the number of cores")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zuofang-bench-print-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # the user's kept cuts are left alone
        if not args.out_dirs:
            from site_builder.database.build import build_database
            from site_builder.registry.package import Package

            demo = Path(tmp) / "demo"
            demo.mkdir()
            build_database(Package.load(ROOT / "data"), demo / "registry.db")
            args.out_dirs = [demo]
        for out_dir in args.out_dirs:
            station = args.station or busiest_station(out_dir / "registry.db")
            print(f"{out_dir}: station {station}")
            for kind in printing.KINDS:
                for cut in ("first", "kept cut"):
                    cpu, wall = time.process_time(), time.perf_counter()
                    printed = printing.print_batch(out_dir, kind, records.Selection(station=station),
                                                   Path(tmp) / f"{kind}.pdf", workers=args.workers)
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                    print(f"  {kind:7} ({cut:8}): {printed.workshops} workshops, {printed.pages} pages, "
                          f"{printed.codes} codes: {wall:.2f} s wall ({cpu:.2f} s CPU here), "
                          f"{wall / printed.workshops * 1000:.0f} ms per workshop, {printed.size / 1024:,.0f} KB")
    print("load:", Path("/proc/loadavg").read_text().strip() if Path("/proc/loadavg").exists() else "?")


if __name__ == "__main__":
    main()
