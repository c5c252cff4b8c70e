"""Runs every benchmark in bench/ (bench_*.py), one after another, and keeps their output.

Benchmarks measure speed and memory; tests never do. Each bench_*.py is a standalone script
that prints its figures; this runner saves what each printed under bench/results/.
Usage: python bench/run.py [NAME ...]   (e.g. `validate site`; default: all)
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        output = proc.stdout + (f"\n[stderr]\n{proc.stderr}" if proc.returncode else "")
        (results / f"{script.stem}.txt").write_text(output, encoding="utf-8")
        print(output.rstrip())
        print(f"-- {script.stem}: exit {proc.returncode}, {time.perf_counter() - started:.0f} s", flush=True)
        failed += proc.returncode != 0
    return int(failed > 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
