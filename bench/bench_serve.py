"""Requests/s of a Datasette row JSON through `zuofang serve`, from one kept-alive httpx client.

What a journalist's script does: one row after another on one connection. The first pass asks
for rows not asked before (Datasette answers each), the second asks for one row over and over
(the response cache answers). Needs no wrk. A figure near 25 req/s means every answer waits
for a delayed ACK (40 ms): the listening socket must let asyncio turn Nagle off.
Usage: python bench/bench_serve.py [OPERATORS] [REQUESTS]   (default: 320 500)
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
from bench_datasette import free_port, registry_db, wait_for


def rate(client: httpx.Client, urls: list[str]) -> float:
    started = time.perf_counter()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return len(urls) / (time.perf_counter() - started)


def main(n: int, requests: int) -> int:
    out = registry_db(n)
    ids = [r[0] for r in sqlite3.connect(out / "registry.db").execute(
        "select id from operators order by rowid limit ?", (requests,))]
    port = free_port()
    serve = subprocess.Popen([str(Path(sys.executable).with_name("zuofang")), "serve", str(out), "--port", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/datasette/registry/operators"
    try:
        wait_for(f"http://127.0.0.1:{port}/datasette/-/versions.json")
        with httpx.Client() as client:
            fresh = rate(client, [f"{base}/{i}.json" for i in ids])
            cached = rate(client, [f"{base}/{ids[0]}.json"] * requests)
    finally:
        serve.terminate()
        serve.wait()
    print(f"row JSON through zuofang serve: {fresh:7.0f} req/s ({len(ids)} different rows), "
          f"{cached:7.0f} req/s (one row, cached)")
    print(f"operators: {n}; load average {open('/proc/loadavg').read().split()[0]}")
    return 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(args[0] if args else 320, args[1] if len(args) > 1 else 500))
