"""`zuofang serve` as a user runs it: one port for the site and Datasette, stopped cleanly."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tiny_registry import write_tiny_registry

from site_builder.database import build_database
from site_builder.package import Package

ZUOFANG = Path(sys.executable).with_name("zuofang")


def free_port_pair() -> int:
    """A port p with p and p + 1 both free (the site and Datasette)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_serve_site_and_datasette_on_one_port_then_stop(tmp_path):
    out = tmp_path / "out"
    build_database(Package.load(write_tiny_registry(tmp_path / "data")), out / "registry.db")
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text('<html lang="zh-CN"><body>首页</body></html>', encoding="utf-8")
    port = free_port_pair()
    process = subprocess.Popen([str(ZUOFANG), "serve", str(out), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8")
    try:
        lines = [process.stdout.readline() for _ in range(2)]  # printed once both answer
        assert lines[0].strip() == f"网站 Site: http://127.0.0.1:{port}/"
        assert lines[1].strip() == f"Datasette: http://127.0.0.1:{port}/datasette/"
        status, body = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and "首页" in body.decode("utf-8")
        status, body = fetch(f"http://127.0.0.1:{port}/datasette/registry/operators.json"
                             "?_search=%E9%BA%BB%E8%8A%B1&_shape=array")  # 麻花
        assert status == 200 and [r["id"] for r in json.loads(body)] == ["w1"]
        status, body = fetch(f"http://127.0.0.1:{port}/datasette/registry/products")
        assert 'href="/datasette/registry/products/p1"' in body.decode("utf-8")  # base_url not doubled
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    # Datasette (the child on port + 1) stopped with it.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port + 1)) != 0


def test_serve_without_a_site_folder_still_serves_datasette(tmp_path):
    out = tmp_path / "out"
    build_database(Package.load(write_tiny_registry(tmp_path / "data")), out / "registry.db")
    port = free_port_pair()
    process = subprocess.Popen([str(ZUOFANG), "serve", str(out), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8")
    try:
        process.stdout.readline()
        status, body = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and "zuofang build" in body.decode("utf-8")
        status, body = fetch(f"http://127.0.0.1:{port}/datasette/-/versions.json")
        assert status == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def test_serve_without_a_database_says_how_to_build(tmp_path):
    result = subprocess.run([str(ZUOFANG), "serve", str(tmp_path)], capture_output=True, encoding="utf-8", timeout=30)
    assert result.returncode != 0 and "zuofang build" in result.stderr
