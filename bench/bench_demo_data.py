"""How fast `zuofang demo-data` writes registries of 1k, 10k and 50k operators, and in how much memory.

Wall seconds depend on what else the machine runs; CPU seconds (whole child, including
the import) are steadier. Each size runs in a fresh child process, so its peak RSS (getrusage) is its own; a second
child measures the peak of Python allocations with tracemalloc (which slows the run, so
the time is taken from the first). Usage: python bench/bench_demo_data.py [N ...]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (1_000, 10_000, 50_000)

CHILD = r"""
import json, resource, sys, time, tracemalloc
from site_builder.demo.data import write_demo_registry
n, out, traced = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
if traced:
    tracemalloc.start()
started = time.perf_counter()
counts = write_demo_registry(out, operators=n, seed=2026)
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if traced else None
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "rows": sum(counts.values()), "peak_py": peak,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "maxrss_kb": usage.ru_maxrss}))
"""


def run(n: int, traced: bool) -> dict:
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(n), out, "1" if traced else "0"],
                              capture_output=True, text=True, check=True)
        size = sum(p.stat().st_size for p in Path(out).iterdir())
    result = json.loads(proc.stdout)
    result["bytes"] = size
    return result


def main(sizes) -> None:
    print(f"{'operators':>10} {'rows':>10} {'seconds':>8} {'CPU s':>6} {'rows/s':>9} {'MB written':>10} "
          f"{'peak RSS MB':>11} {'tracemalloc peak MB':>19}")
    for n in sizes:
        plain, traced = run(n, False), run(n, True)
        print(f"{n:>10,} {plain['rows']:>10,} {plain['seconds']:>8.2f} {plain['cpu']:>6.2f} "
              f"{plain['rows'] / plain['seconds']:>9,.0f} "
              f"{plain['bytes'] / 1e6:>10.1f} {plain['maxrss_kb'] / 1024:>11.1f} {traced['peak_py'] / 1e6:>19.2f}",
              flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or SIZES)
