"""registry.db: build time at 1k, 10k and 50k operators; Chinese search against a substring scan.

Generates each registry with `write_demo_registry` (deterministic, cached under
/tmp/zf-bench-<N>), builds the database, then for the largest one compares `search`
with a brute-force scan for many 1–6 character strings: precision, recall, query times.
Usage: python bench/bench_database.py [N ...]   (default: 1000 10000 50000)
"""
from __future__ import annotations

import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from site_builder.database.build import build_database
from site_builder.database.fts import SEARCHABLE, search, substring_scan
from site_builder.registry.package import Package

#: Named in the brief, plus strings that cross a word boundary or do not occur.
NAMED = ["麻", "饼", "麻花", "芝麻糖", "稷山麻花", "永济牛肉饼", "牛肉", "核桃饼", "锅巴", "演示", "县城",
         "花糕", "糖、", "红枣、鸡蛋", "不存在的词"]


def registry(n: int) -> Path:
    from generated import registry as generated

    return generated(n)


def build(n: int, out: Path) -> Path:
    data = registry(n)
    db = out / f"registry-{n}.db"
    started = time.perf_counter()
    build_database(Package.load(data), db)
    seconds = time.perf_counter() - started
    conn = sqlite3.connect(db)
    operators = conn.execute("select count(*) from operators").fetchone()[0]
    rows = sum(conn.execute(f"select count(*) from [{t}]").fetchone()[0]
               for (t,) in conn.execute("select table_name from _build_files"))
    print(f"build {n:>6} operators: {seconds:6.2f} s  ({rows:,} rows, {rows / seconds:,.0f} rows/s, "
          f"{db.stat().st_size / 1e6:.1f} MB)  operators={operators}")
    return db


def queries(conn: sqlite3.Connection, table: str, rng: random.Random, count: int) -> list[str]:
    """Substrings of real text, 1–6 characters, plus the named strings."""
    _pk, columns = SEARCHABLE[table]
    texts = [t for row in conn.execute(f"select {', '.join(columns)} from [{table}] order by random() limit 3000")
             for t in row if t]
    found = set(NAMED)
    while len(found) < count:
        text = rng.choice(texts)
        size = rng.randint(1, 6)
        start = rng.randint(0, max(0, len(text) - size))
        piece = text[start:start + size].strip()
        if piece:
            found.add(piece)
    return sorted(found)


def compare(db: Path, per_table: int = 200) -> None:
    conn = sqlite3.connect(db)
    rng = random.Random(2026)
    for table in SEARCHABLE:
        tp = fp = fn = 0
        fts_ms, scan_ms = [], []
        for q in queries(conn, table, rng, per_table):
            started = time.perf_counter()
            got = search(conn, table, q)
            fts_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            truth = substring_scan(conn, table, q)
            scan_ms.append((time.perf_counter() - started) * 1000)
            got_set, truth_set = set(got), set(truth)
            tp += len(got_set & truth_set)
            fp += len(got_set - truth_set)
            fn += len(truth_set - got_set)
        rows = conn.execute(f"select count(*) from [{table}]").fetchone()[0]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"search {table:<9} {rows:>7,} rows, {len(fts_ms)} queries: precision {precision:.4f} recall {recall:.4f} "
              f"(tp {tp}, fp {fp}, fn {fn}); fts median {statistics.median(fts_ms):.2f} ms "
              f"p95 {sorted(fts_ms)[int(len(fts_ms) * 0.95)]:.2f} ms max {max(fts_ms):.2f} ms; "
              f"scan median {statistics.median(scan_ms):.2f} ms")
    for q in ("麻花", "芝麻糖", "稷山麻花", "永济牛肉饼"):
        started = time.perf_counter()
        hits = search(conn, "products", q)
        ms = (time.perf_counter() - started) * 1000
        print(f"  products ?_search={q}: {len(hits)} hits in {ms:.2f} ms "
              f"(scan agrees: {hits == substring_scan(conn, 'products', q)})")


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = None
        for n in sizes:
            db = build(n, Path(tmp))
        compare(db)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 50000])
