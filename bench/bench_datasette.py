"""Datasette throughput on loopback at 50k operators: a row JSON and a faceted table JSON.

Builds registry.db from a generated 50k-operator registry (cached under /tmp/zf-bench-50000),
starts Datasette exactly as `zuofang serve` does (same settings, metadata, plugins), and runs
a bounded `wrk` against it, once without the response cache plugin (every request computes
its facets, but a whole table's facets come from the counts the build made: datasette/facets.py)
and once with it; then the same URLs through `zuofang serve`, uncached and cached (the same
Datasette in-process, mounted under /datasette/ beside the site's static files).
Targets: table JSON >= 150 req/s, row JSON >= 450 req/s.
Needs wrk (Debian: scripts/ensure-debian-packages wrk).
Usage: python bench/bench_datasette.py [OPERATORS] [SECONDS]   (default: 50000 10)
The registry and its database are kept under $ZUOFANG_BENCH_TMP (default /tmp) between runs.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from site_builder.database.build import build_database
from site_builder.registry.package import Package
from site_builder.serve.live import datasette_command

WORK = Path(os.environ.get("ZUOFANG_BENCH_TMP", "/tmp"))
TARGETS = {"row JSON": 450, "faceted table JSON": 150, "table JSON, no facets": 150}


def registry_db(n: int) -> Path:
    from generated import registry

    data = registry(n, WORK / f"zf-bench-{n}")
    out = WORK / f"zf-bench-{n}-out"
    # build_database keeps a database only if the same code made it from the same registry, so a
    # database cached by older code is made again rather than measured.
    started = time.perf_counter()
    how = build_database(Package.load(data), out / "registry.db")
    print(f"registry.db for {n} operators {how} in {time.perf_counter() - started:.1f} s")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str, seconds: int) -> tuple[float, str]:
    """Requests/s and the 99th percentile latency of a bounded wrk run."""
    urllib.request.urlopen(url, timeout=30).read()  # warm caches once
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses")
    return rps, p99


def main(n: int, seconds: int) -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: scripts/ensure-debian-packages wrk")
        return 1
    out = registry_db(n)
    operator = sqlite3.connect(out / "registry.db").execute(
        "select id from operators order by rowid limit 1 offset 1234").fetchone()[0]
    paths = {
        "row JSON": f"/registry/operators/{operator}.json",
        # Facets region_code, kind and status come from the metadata, as every visitor gets them.
        "faceted table JSON": "/registry/operators.json",
        "table JSON, no facets": "/registry/operators.json?_nofacet=1",
    }
    failed = 0
    for cache in ("0", "1"):  # response_cache plugin off, then on (as `zuofang serve` runs it)
        port = free_port()
        datasette = subprocess.Popen(datasette_command(out, "127.0.0.1", port), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env={**os.environ, "ZUOFANG_DATASETTE_CACHE": cache})
        try:
            wait_for(f"http://127.0.0.1:{port}/-/versions.json")
            for name, path in paths.items():
                rps, p99 = wrk(f"http://127.0.0.1:{port}{path}", seconds)
                label = "cached" if cache == "1" else "uncached"
                ok = rps >= TARGETS[name]
                failed += cache == "1" and not ok
                print(f"Datasette {label:<8} {name:<20} {rps:8.1f} req/s  p99 {p99:>9}  target >= {TARGETS[name]}  "
                      f"{'OK' if ok else 'BELOW TARGET'}   ({path})")
        finally:
            datasette.terminate()
            datasette.wait()
    # The same requests through `zuofang serve` (Datasette mounted under /datasette/).
    for cache in ("0", "1"):
        site_port = free_port()
        serve = subprocess.Popen([str(Path(sys.executable).with_name("zuofang")), "serve", str(out), "--port", str(site_port)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "ZUOFANG_DATASETTE_CACHE": cache})
        try:
            wait_for(f"http://127.0.0.1:{site_port}/datasette/-/versions.json")
            for name, path in paths.items():
                rps, p99 = wrk(f"http://127.0.0.1:{site_port}/datasette{path}", seconds)
                label = "cached" if cache == "1" else "uncached"
                print(f"via zuofang serve ({label:<8}) {name:<20} {rps:8.1f} req/s  p99 {p99:>9}")
        finally:
            serve.terminate()
            serve.wait()
    print(f"operators: {n}; wrk -t2 -c8 -d{seconds}s on 127.0.0.1; load average {open('/proc/loadavg').read().split()[0]}")
    return int(failed > 0)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(args[0] if args else 50000, args[1] if len(args) > 1 else 10))
