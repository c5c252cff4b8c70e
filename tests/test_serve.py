"""`zuofang serve` as a user runs it: one port for the site and Datasette, stopped cleanly,
following each new build, and leaving nothing behind."""
from __future__ import annotations

import contextlib
import html
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tiny_registry import write_tiny_registry

from site_builder.build.output import JOURNAL
from site_builder.build.pipeline import build
from site_builder.database.build import build_database
from site_builder.registry.package import Package

ZUOFANG = Path(sys.executable).with_name("zuofang")


def free_port_pair() -> int:
    """A port p with p and p + 1 both free (the site, and the port Datasette once used)."""
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


def get(url: str) -> tuple[int, str, bytes]:
    """Status, Content-Type and body, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def start(out: Path, port: int) -> subprocess.Popen:
    """`zuofang serve OUT --port PORT`, once it has printed its two addresses."""
    process = subprocess.Popen([str(ZUOFANG), "serve", str(out), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8")
    lines = read_lines(process, 2)
    assert lines == [f"网站 Site: http://127.0.0.1:{port}/", f"Datasette: http://127.0.0.1:{port}/datasette/"], lines
    return process


def read_lines(process: subprocess.Popen, n: int, timeout: float = 60) -> list[str]:
    """The first n lines serve prints, or fewer if it has not printed them within `timeout`."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(process.stdout.readline().strip()) for _ in range(n)],
                     daemon=True).start()
    found, deadline = [], time.monotonic() + timeout
    with contextlib.suppress(queue.Empty):
        while len(found) < n:
            found.append(lines.get(timeout=max(0.01, deadline - time.monotonic())))
    return found


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=20)


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def product_name(port: int, code: str) -> str:
    status, body = fetch(f"http://127.0.0.1:{port}/datasette/registry/products/{code}.json?_shape=objects")
    return json.loads(body)["rows"][0]["name"]


@pytest.fixture
def tiny_out(tmp_path) -> Path:
    out = tmp_path / "out"
    build_database(Package.load(write_tiny_registry(tmp_path / "data")), out / "registry.db")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory, small_registry) -> tuple[Path, Path]:
    """(registry, OUT_DIR) of a whole `zuofang build`, for tests that only read it."""
    root = tmp_path_factory.mktemp("serve-built")
    data = Path(shutil.copytree(small_registry, root / "data"))
    build(data, root / "out")
    return data, root / "out"


def test_serve_site_and_datasette_on_one_port_then_stop(tiny_out):
    out = tiny_out
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text('<html lang="zh-CN"><body>首页</body></html>', encoding="utf-8")
    port = free_port_pair()
    process = subprocess.Popen([str(ZUOFANG), "serve", str(out), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8")
    try:
        lines = read_lines(process, 2)  # printed once both answer
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
    # Nothing is left listening, on the port or on the next one.
    for p in (port, port + 1):
        assert not listening(p)


def test_serve_without_a_site_folder_still_serves_datasette(tiny_out):
    port = free_port_pair()
    process = subprocess.Popen([str(ZUOFANG), "serve", str(tiny_out), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8")
    try:
        read_lines(process, 1)
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


def test_a_rebuild_while_serving_is_served_by_datasette_and_the_site(built, tmp_path):
    from test_site_pages_build import edit_csv, first

    data = Path(shutil.copytree(built[0], tmp_path / "data"))
    out = Path(shutil.copytree(built[1], tmp_path / "out"))
    product = first(data / "products.csv", "code")
    port = free_port_pair()
    process = start(out, port)
    try:
        assert product_name(port, product["code"]) == product["name"]  # now in the response cache too
        edit_csv(data / "products.csv", "code", product["code"], "name", "虚构新品麻花")
        build(data, out)
        assert wait_until(lambda: product_name(port, product["code"]) == "虚构新品麻花")
        status, page = fetch(f"http://127.0.0.1:{port}/p/{product['code']}/")
        assert "虚构新品麻花" in page.decode("utf-8")
        status, body = fetch(f"http://127.0.0.1:{port}/datasette/registry/products.json"
                             "?_search=%E8%99%9A%E6%9E%84%E6%96%B0%E5%93%81&_shape=array&_col=code")  # 虚构新品
        assert [r["code"] for r in json.loads(body)] == [product["code"]]
    finally:
        assert stop(process) == 0


def test_a_build_still_moving_its_files_in_is_not_served_yet(tiny_out, tmp_path):
    """While the commit's journal is there the new database may not match its metadata yet:
    the previous build is served until the commit is complete."""
    port = free_port_pair()
    process = start(tiny_out, port)
    try:
        assert product_name(port, "p1") == "稷山麻花"
        new = tmp_path / "new.db"
        shutil.copy(tiny_out / "registry.db", new)
        with sqlite3.connect(new) as conn:
            conn.execute("update products set name = '虚构改名麻花' where code = 'p1'")
        conn.close()
        (tiny_out / JOURNAL).write_text('{"stage": "x", "remove": []}', encoding="utf-8")
        os.replace(new, tiny_out / "registry.db")  # as output.apply moves a staged file in
        time.sleep(3)  # three times the interval at which serve looks for a new build
        assert product_name(port, "p1") == "稷山麻花"
        (tiny_out / JOURNAL).unlink()
        assert wait_until(lambda: product_name(port, "p1") == "虚构改名麻花")
    finally:
        assert stop(process) == 0


def test_a_database_that_does_not_open_leaves_the_previous_one_served(tiny_out, tmp_path):
    port = free_port_pair()
    process = start(tiny_out, port)
    try:
        good = tmp_path / "good.db"
        shutil.copy(tiny_out / "registry.db", good)
        with sqlite3.connect(good) as conn:
            conn.execute("update products set name = '虚构改名麻花' where code = 'p1'")
        conn.close()
        damaged = tmp_path / "damaged.db"
        damaged.write_bytes(b"not a database" * 100)
        os.replace(damaged, tiny_out / "registry.db")
        time.sleep(3)
        # Many at once, so that every one of Datasette's SQL threads answers one: each must read
        # the database it was started on, not the file now at its path.
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda _: product_name(port, "p1"), range(24))) == {"稷山麻花"}
        os.replace(good, tiny_out / "registry.db")
        assert wait_until(lambda: product_name(port, "p1") == "虚构改名麻花")
    finally:
        assert stop(process) == 0


def test_after_sigkill_nothing_holds_the_port_and_serve_starts_again(tiny_out):
    port = free_port_pair()
    process = start(tiny_out, port)
    assert product_name(port, "p1") == "稷山麻花"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert wait_until(lambda: not listening(port) and not listening(port + 1), timeout=5)
    again = start(tiny_out, port)
    try:
        assert product_name(port, "p1") == "稷山麻花"
    finally:
        assert stop(again) == 0


def test_a_taken_port_is_named_with_how_to_choose_another(tiny_out):
    port = free_port_pair()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        result = subprocess.run([str(ZUOFANG), "serve", str(tiny_out), "--port", str(port)],
                                capture_output=True, encoding="utf-8", timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"端口 {port} 已被" in result.stderr and f"Port {port} is already in use" in result.stderr
    assert "--port" in result.stderr


def test_only_the_port_asked_for_needs_to_be_free(tiny_out):
    port = free_port_pair()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port + 1))
        other.listen()
        process = start(tiny_out, port)
        try:
            assert product_name(port, "p1") == "稷山麻花"
        finally:
            assert stop(process) == 0


def test_unknown_address_gets_the_site_404_page(built):
    out = built[1]
    port = free_port_pair()
    process = start(out, port)
    try:
        for path in ("/p/NO-SUCH-CODE/", "/no/such/page.html", "/qr/nothing.png"):
            status, kind, body = get(f"http://127.0.0.1:{port}{path}")
            assert status == 404, path
            assert body == (out / "site" / "404.html").read_bytes()
            assert "找不到这个页面" in body.decode("utf-8")
            assert kind == "text/html; charset=utf-8"
    finally:
        assert stop(process) == 0


def test_text_is_served_as_utf8(built):
    out = built[1]
    site = out / "site"
    code = next((site / "p").iterdir()).name
    port = free_port_pair()
    process = start(out, port)
    try:
        text = ["/", f"/p/{code}/", "/static/site.css", "/static/search.js", "/static/icon.svg", "/robots.txt",
                "/sitemap.xml", "/feeds/recalls.atom", "/data/products.csv", "/data/datapackage.json",
                "/search/index/meta.json", "/datasette/", "/datasette/registry/products.json",
                "/datasette/registry/products.csv"]
        for path in text:
            status, kind, _body = get(f"http://127.0.0.1:{port}{path}")
            assert status == 200 and "charset=utf-8" in kind.replace(" ", "").lower(), (path, kind)
        status, kind, _body = get(f"http://127.0.0.1:{port}/qr/{code}.png")
        assert (status, kind) == (200, "image/png")
        status, kind, _body = get(f"http://127.0.0.1:{port}/handbook/sitemap.xml.gz")
        assert (status, kind) == (200, "application/gzip")
    finally:
        assert stop(process) == 0


def test_the_icon_every_page_names_is_served(built):
    """The site's pages and Datasette's alike name the site's icon (no request for a missing /favicon.ico)."""
    out = built[1]
    code = next((out / "site" / "p").iterdir()).name
    port = free_port_pair()
    process = start(out, port)
    try:
        for page in ("/", f"/p/{code}/", "/datasette/", "/datasette/registry/products"):
            html = get(f"http://127.0.0.1:{port}{page}")[2].decode("utf-8")
            icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
            assert icon, page
            status, kind, body = get(f"http://127.0.0.1:{port}{icon.group(1)}")
            assert status == 200 and kind.startswith("image/svg+xml") and body.startswith(b"<svg"), page
    finally:
        assert stop(process) == 0


def test_every_link_on_datasette_pages_answers(built):
    """Datasette's links (tables, rows, JSON, CSV, facets, canned queries, its static files) and
    its links to the site, followed through serve: the /datasette/ prefix is right everywhere."""
    out = built[1]
    operator = sqlite3.connect(out / "registry.db").execute("select id from operators limit 1").fetchone()[0]
    port = free_port_pair()
    process = start(out, port)
    base = f"http://127.0.0.1:{port}"
    todo = ["/datasette/", "/datasette/registry", "/datasette/registry/products",
            f"/datasette/registry/operators/{operator}", f"/datasette/registry/business_record?id={operator}"]
    seen, failed = set(), []
    try:
        while todo and len(seen) < 150:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            status, kind, body = get(base + path)
            if status != 200:
                failed.append((status, path))
            if kind.startswith("text/html") and path.startswith("/datasette/"):
                todo += [html.unescape(h) for h in re.findall(r'(?:href|src)="(/[^"]*)"', body.decode("utf-8"))]
    finally:
        assert stop(process) == 0
    assert len(seen) >= 100 and not failed, failed
    assert any(p.startswith("/p/") for p in seen) and any(".csv" in p for p in seen)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_it_with_a_connection_open(tiny_out, sig):
    port = free_port_pair()
    process = start(tiny_out, port)
    held = socket.create_connection(("127.0.0.1", port))  # a browser's idle keep-alive connection
    try:
        held.sendall(b"GET /datasette/-/versions.json HTTP/1.1\r\nHost: x\r\n\r\n")
        assert re.match(rb"HTTP/1\.[01] 200 ", held.recv(100))
        process.send_signal(sig)
        assert process.wait(timeout=15) == 0
    finally:
        held.close()
        stop(process)
    assert not listening(port)
