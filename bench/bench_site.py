"""The public site, built as `zuofang build` builds it: time and pages/s at 1k, 10k and 50k
operators, peak memory, the rebuild after one product changes, and the provenance page's weight
(raw and gzipped, HTML + CSS).

Each size runs in its own process (peak RSS is per process). The registry is generated once with
`write_demo_registry` (deterministic, cached under /tmp/zf-bench-<N> by bench/generated.py, shared with the other
benchmarks). Each build is a real staged `build()`: validation (only the new rows when the previous
build remembers the others, validate_changed.py), then the stages database, images and site, and the
commit (QR codes, PDFs and the handbook have their own benchmarks, bench_qr.py and
bench_handbook.py; the soundness stage needs the QR codes; `--all-stages` runs every stage).
Five builds: into an empty OUT_DIR, again with nothing changed, after one product is renamed,
after one grade is lowered and after one business is added. Wall time on a shared machine can be several
times the CPU time; both are printed.
With --all-stages (or --compare) each size also gets bench_render_compare.py's round: the same
product pages by Zuofang, Hugo and a bare Jinja loop, one core each, as ratios.
Usage: python bench/bench_site.py [--all-stages] [--compare] [N ...]   (default: 1000 10000 50000)
"""
from __future__ import annotations

import csv
import gzip
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE_STAGES = ("database", "downloads", "images", "site")  # the pages show the photos the images stage made


def registry(n: int) -> Path:
    from generated import registry as generated

    return generated(n)


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def rename_one_product(data: Path) -> str:
    """Rename the first product (in a copy of products.csv); returns its code."""
    rows = _rows(data / "products.csv")
    rows[0]["name"] += "（新包装）"
    _write(data / "products.csv", rows)
    return rows[0]["code"]


def change_one_grade(data: Path) -> str:
    """Lower the first A grade to C (in a copy of grades.csv); returns its business's id."""
    rows = _rows(data / "grades.csv")
    row = next(r for r in rows if r["grade"] == "A")
    row["grade"] = "C"
    _write(data / "grades.csv", rows)
    return row["operator_id"]


def add_one_business(data: Path) -> str:
    """Register one new food stall (a copy of the first stall with a new id, name and licence
    number, and no credit code, as a stall may have); returns its id."""
    rows = _rows(data / "operators.csv")
    stall = next(r for r in rows if r["kind"] == "stall")
    ids = {r["id"] for r in rows}
    new_id = next(f"s{n:05d}" for n in range(len(rows) + 1, 10 * len(rows) + 2) if f"s{n:05d}" not in ids)
    rows.append({**stall, "id": new_id, "name": "新开的凉皮摊点（演示）", "licence_no": f"{stall['licence_no']}-{new_id}",
                 "credit_code": ""})
    _write(data / "operators.csv", rows)
    return new_id


def timed_build(data: Path, out: Path, all_stages: bool):
    """One `zuofang build`; returns (wall s, CPU s, ctx)."""
    from site_builder.build import pipeline as build_module

    if not all_stages:
        build_module.STAGES = [s for s in build_module.STAGES if s[0] in PAGE_STAGES]
    started, cpu = time.perf_counter(), time.process_time()
    ctx = build_module.build(data, out)
    return time.perf_counter() - started, time.process_time() - cpu, ctx


#: How build._validate judged the registry.
JUDGED = {"same": "same files as the build in OUT_DIR", "changed": "new rows only", "all": "every row"}


def describe(label: str, n: int, run) -> str:
    seconds, cpu, ctx = run
    stages = ", ".join(f"{name} {s:.1f}" for name, s in ctx.timings.items())
    return (f"{n:>6} operators: {label}: {seconds:6.1f} s wall ({cpu:.1f} s CPU) = stages [{stages}] s + commit "
            f"(validated: {JUDGED[ctx.validation]}; registry.db {ctx.database or '-'}); record pages rendered {ctx.pages['records']:,}, "
            f"kept {ctx.pages['kept']:,}; site files written {ctx.pages['written']:,}")


def provenance_weight(site: Path) -> str:
    """The biggest /p/ page: bytes of HTML plus the stylesheets it links (inline CSS is in the HTML)."""
    pages = sorted((site / "p").glob("*/index.html"), key=lambda p: p.stat().st_size)
    sizes = [p.stat().st_size for p in pages]
    biggest = pages[-1]
    html = biggest.read_bytes()
    css = b"".join((site / href.lstrip("/")).read_bytes()
                   for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html))
    raw, gz = len(html) + len(css), len(gzip.compress(html, 9)) + (len(gzip.compress(css, 9)) if css else 0)
    return (f"provenance page: biggest {biggest.parent.name} {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzipped "
            f"(HTML + CSS; budget 14 KB gzipped); median {sorted(sizes)[len(sizes) // 2] / 1024:.1f} KB raw")


def one_size(n: int, all_stages: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=f"zf-bench-site-{n}-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(registry(n), data)
        out = Path(tmp) / "out"
        first = timed_build(data, out, all_stages)
        pages = first[2].pages["records"] + first[2].pages["overview"]
        print(describe("first build", n, first))
        print(f"{n:>6} operators:   {pages:,} pages: {pages / first[0]:,.0f} pages/s end to end, "
              f"{pages / first[2].timings['site']:,.0f} pages/s in the site stage", flush=True)
        print(describe("unchanged rebuild", n, timed_build(data, out, all_stages)), flush=True)
        code = rename_one_product(data)
        print(describe(f"rebuild after renaming product {code}", n, timed_build(data, out, all_stages)), flush=True)
        business = change_one_grade(data)
        print(describe(f"rebuild after lowering {business}'s grade", n, timed_build(data, out, all_stages)), flush=True)
        business = add_one_business(data)
        print(describe(f"rebuild after adding business {business}", n, timed_build(data, out, all_stages)), flush=True)
        print(f"{n:>6} operators: {provenance_weight(out / 'site')}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{n:>6} operators: peak memory {peak:,.0f} MB (the whole process: five builds), "
              f"{workers:,.0f} MB in the largest forked worker", flush=True)


def main(args: list[str]) -> None:
    flags = [a for a in args if a.startswith("--")]
    sizes = [int(a) for a in args if not a.startswith("--")] or [1000, 10000, 50000]
    print(f"load average at the start: {open('/proc/loadavg').read().split()[0]} (2 cores: above 2, wall times stretch)",
          flush=True)
    for n in sizes:
        # One process per size: peak memory is then that size's own.
        subprocess.run([sys.executable, __file__, "--one", str(n), *flags], check=True)
        if "--all-stages" in flags or "--compare" in flags:
            # The same product pages by Hugo and a bare Jinja loop, as ratios (bench_render_compare.py).
            subprocess.run([sys.executable, str(Path(__file__).with_name("bench_render_compare.py")), str(n)], check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one_size(int(sys.argv[2]), "--all-stages" in sys.argv)
    else:
        main(sys.argv[1:])
