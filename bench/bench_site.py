"""The site stage: build time and pages/s at 1k, 10k and 50k operators, peak memory, the rebuild
after one product changes, and the provenance page's weight (raw and gzipped, HTML + CSS).

Each size runs in its own process (peak RSS is per process). The registry is generated once with
`write_demo_registry` (deterministic, cached under /tmp/zf-bench-<N>, shared with the other
benchmarks); registry.db is built first and not counted. Then `build_site` runs into an empty
site folder (first build), again unchanged (nothing rewritten), and after one product is renamed.
The site stage includes the other steps it calls (search index, /data/ downloads, changes page).
Wall time on a shared machine can be several times the CPU time; both are printed.
Usage: python bench/bench_site.py [N ...]   (default: 1000 10000 50000)
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


def registry(n: int) -> Path:
    path = Path(f"/tmp/zf-bench-{n}")
    if not (path / "datapackage.json").is_file():
        from site_builder.demo_data import write_demo_registry

        write_demo_registry(path, operators=n, seed=2026)
    return path


def rename_one_product(data: Path) -> str:
    """Rename the first product (in a copy of products.csv); returns its code."""
    path = data / "products.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["name"] += "（新包装）"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows[0]["code"]


#: The site stage's steps timed separately (module, function), wall seconds of the last build.
STEPS = [("site_builder.site.plugin", "load_registry"), ("site_builder.sitesearch", "write_search_index"),
         ("site_builder.publish", "publish_package"), ("site_builder.changes", "build_changes")]
step_seconds: dict[str, float] = {}


def _time_steps() -> None:
    """Wrap each step in STEPS with a timer (once per process)."""
    import importlib

    for module_name, name in STEPS:
        module = importlib.import_module(module_name)
        real = getattr(module, name)
        if getattr(real, "timed", False):
            continue

        def timed(*args, _real=real, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _real(*args, **kwargs)
            finally:
                step_seconds[_name] = time.perf_counter() - started
        timed.timed = True
        setattr(module, name, timed)


def steps() -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in step_seconds.items())


def site_build(data: Path, out: Path):
    from site_builder import files
    from site_builder.build import BuildContext
    from site_builder.database import build_database
    from site_builder.package import Package
    from site_builder.site import build_site

    package = Package.load(data)
    ctx = BuildContext(package, out, None)
    ctx.db_path.unlink(missing_ok=True)
    build_database(package, ctx.db_path)
    files.start_build()
    _time_steps()
    step_seconds.clear()
    started, cpu = time.perf_counter(), time.process_time()
    job = build_site(ctx)
    return time.perf_counter() - started, time.process_time() - cpu, job


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


def one_size(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix=f"zf-bench-site-{n}-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(registry(n), data)
        out = Path(tmp) / "out"
        out.mkdir()
        seconds, cpu, job = site_build(data, out)
        pages = sum(1 for a in job.addresses if a.endswith("/") or a.endswith(".html"))
        print(f"{n:>6} operators: first build {seconds:6.1f} s wall ({cpu:.1f} s CPU), {pages:,} pages, "
              f"{pages / seconds:,.0f} pages/s wall, {pages / cpu:,.0f} pages/s CPU")
        seconds, cpu, job = site_build(data, out)
        print(f"{n:>6} operators: unchanged rebuild {seconds:6.1f} s wall ({cpu:.1f} s CPU), "
              f"{job.written} files rewritten")
        print(f"{n:>6} operators:   steps: {steps()}")
        code = rename_one_product(data)
        seconds, cpu, job = site_build(data, out)
        print(f"{n:>6} operators: rebuild after renaming product {code}: {seconds:6.1f} s wall ({cpu:.1f} s CPU), "
              f"{job.written} files rewritten")
        print(f"{n:>6} operators:   steps: {steps()}")
        print(f"{n:>6} operators: {provenance_weight(out / 'site')}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>6} operators: peak memory {peak:,.0f} MB (process, including the database build)")


def main(sizes: list[int]) -> None:
    for n in sizes:
        # One process per size: peak memory is then that size's own.
        subprocess.run([sys.executable, __file__, "--one", str(n)], check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one_size(int(sys.argv[2]))
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 10000, 50000])
