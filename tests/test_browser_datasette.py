"""Datasette's pages in a real browser, as `zuofang serve` serves them: Chinese throughout, nothing
loaded from another host, no console error, and axe-core finds no violation on the index,
database, table, row and query pages."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from site_builder import urls, vocabulary
from sitecheck import free_port

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ZUOFANG = Path(sys.executable).with_name("zuofang")
TITLE = vocabulary.DATABASE_TITLE.zh


@pytest.fixture(scope="module")
def server(demo_build):
    port = free_port()
    process = subprocess.Popen([str(ZUOFANG), "serve", str(demo_build), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + urls.datasette_home(), timeout=5).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def demo_db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    yield conn
    conn.close()


def visit(browser, base: str, address: str) -> dict:
    page = browser.new_page()
    requests, errors, failed = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(base + address)
    page.add_script_tag(path=str(AXE))
    axe = page.evaluate("async () => (await axe.run(document)).violations.map(v => ({id: v.id, "
                        "nodes: v.nodes.length, first: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    result = {"status": response.status, "requests": requests, "errors": errors, "failed": failed, "axe": axe,
              "lang": page.get_attribute("html", "lang"), "title": page.title(), "text": page.inner_text("body"),
              "page": page}
    return result


def assert_clean(result, base):
    assert result["status"] == 200
    assert result["lang"] == "zh-CN"
    assert result["failed"] == [] and result["errors"] == []
    assert [u for u in result["requests"] if not u.startswith(base)] == []
    assert result["axe"] == []
    assert "演示数据" in result["text"]
    assert "registry" not in result["title"]


def test_index(browser, server):
    result = visit(browser, server, urls.datasette_home())
    assert_clean(result, server)
    assert TITLE in result["text"]


def test_database(browser, server):
    result = visit(browser, server, urls.datasette_home() + urls.DATASETTE_DB)
    assert_clean(result, server)
    assert result["title"].startswith(TITLE)
    assert "预设查询" in result["text"]


def test_table_in_chinese(browser, server, demo_dir):
    from site_builder.registry.package import Package

    title = next(f["title"] for f in Package.load(demo_dir).public_fields("operators") if f["name"] == "region_code")
    result = visit(browser, server, urls.datasette_table("operators") + "?_facet=kind")
    assert_clean(result, server)
    page, text = result["page"], result["text"]
    assert TITLE in page.inner_text(".crumbs:not(.zuofang-site)")
    header = page.inner_text("th.col-region_code")
    assert title in header and "region_code" in header  # the schema's title with the field name
    kinds = page.locator("td.col-kind").all_inner_texts()
    assert f'{vocabulary.KINDS["eatery"].zh} eatery' in kinds  # a code shows its word, the code beside it
    assert vocabulary.OPERATOR_STATUS["active"].zh in text
    assert "包含" in page.inner_text("select[name=_filter_op]")  # filter operators in Chinese
    assert page.locator("#facet-kind").count() == 1


def test_row(browser, server, demo_db):
    code = demo_db.execute("select code from products order by rowid limit 1").fetchone()[0]
    result = visit(browser, server, urls.datasette_row("products", code))
    assert_clean(result, server)
    assert "产品编码" in result["text"]


def test_query_and_its_error_in_chinese(browser, server):
    result = visit(browser, server, urls.datasette_home() + urls.DATASETTE_DB + "/recalls_by_level")
    assert_clean(result, server)
    broken = visit(browser, server, urls.datasette_home() + urls.DATASETTE_DB + "?sql=select+nope+from+operators")
    assert broken["axe"] == []
    assert "没有这个字段" in broken["text"] and "nope" in broken["text"]
