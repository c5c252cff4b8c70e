"""A real browser (Debian's Chromium, driven by Playwright) loads the pages a visitor meets first:
no console error, no request to any host but the local server, and axe-core finds no violation."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sitecheck import StaticServer

from site_builder import urls

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def demo_db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def server(demo_build):
    with StaticServer(demo_build / "site") as srv:
        yield srv


def visit(browser, server, address: str, wait_for: str | None = None) -> dict:
    """Load `address`, run axe-core, and return what a tester would note down."""
    page = browser.new_page()
    requests, errors, failed = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(server.url + address)
    if wait_for:
        page.wait_for_selector(wait_for)
    page.add_script_tag(path=str(AXE))
    axe = page.evaluate("async () => (await axe.run(document)).violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))")
    result = {
        "status": response.status, "requests": requests, "errors": errors, "failed": failed, "axe": axe,
        "lang": page.get_attribute("html", "lang"), "text": page.inner_text("body"), "page": page,
    }
    return result


def assert_clean(result, server):
    assert result["status"] == 200
    assert result["lang"] == "zh-CN"
    assert result["failed"] == []
    assert result["errors"] == []
    assert [u for u in result["requests"] if not u.startswith(server.url)] == []
    assert result["axe"] == []
    assert "演示数据" in result["text"]


def one(conn, sql):
    row = conn.execute(sql).fetchone()
    assert row is not None, f"the demo has no row for: {sql}"
    return row[0]


def test_home(browser, server):
    assert_clean(visit(browser, server, urls.home()), server)


def test_business_page(browser, server, demo_db):
    operator_id = one(demo_db, "select operator_id from grades order by operator_id limit 1")
    result = visit(browser, server, urls.operator(operator_id))
    assert_clean(result, server)
    name = one(demo_db, f"select name from operators where id = '{operator_id}'")
    assert name in result["text"]


def test_provenance_page_under_ongoing_recall(browser, server, demo_db):
    code, title = demo_db.execute(
        "select product_code, title from recalls where status = 'ongoing' and product_code is not null "
        "order by id limit 1").fetchone()
    result = visit(browser, server, urls.product(code))
    assert_clean(result, server)
    product_name = one(demo_db, f"select name from products where code = '{code}'")
    text = result["text"]
    # The recall is the first thing a shopper reads: above the product itself.
    assert title in text and product_name in text
    assert text.index(title) < text.index(product_name)
    assert "召回" in text[: text.index(product_name)]


def test_withdrawn_product_keeps_its_page(browser, server, demo_db):
    code = one(demo_db, "select code from products where status = 'withdrawn' order by code limit 1")
    result = visit(browser, server, urls.product(code))
    assert_clean(result, server)
    assert "撤市" in result["text"]


def test_brand_page(browser, server, demo_db):
    brand_id, name = demo_db.execute("select id, name from brands where name = '稷山麻花' limit 1").fetchone()
    result = visit(browser, server, urls.brand(brand_id))
    assert_clean(result, server)
    assert name in result["text"]


def test_recall_list(browser, server, demo_db):
    result = visit(browser, server, urls.recalls())
    assert_clean(result, server)
    titles = [r[0] for r in demo_db.execute("select title from recalls order by issued_on desc, id")]
    positions = [result["text"].index(t) for t in titles]
    assert positions == sorted(positions), "recalls are listed newest first"


def index_files(requests: list[str], server) -> list[str]:
    """The search index files among the requested URLs, as index.py names them."""
    prefix = server.url + "/search/index/"
    return [u[len(prefix):].split("?")[0] for u in requests if u.startswith(prefix)]


def test_search_shows_20_results_and_the_next_20_on_request(browser, server, demo_build):
    """The browser's results are exactly the records the index holds for 麻花 (checked against a
    substring scan of the database in test_sitesearch), in the same order: the first 20, and
    显示更多 Show more adds the next 20, fetching only their record files; the browser fetches
    the files index.query() reads for the same pages."""
    from site_builder.search.index import PAGE, _Index, query

    site = demo_build / "site"
    expected = [r["url"] for r in query(site, "麻花")]
    assert len(expected) > 2 * PAGE
    result = visit(browser, server, urls.search() + "?q=麻花", wait_for="#search-results li")
    assert_clean(result, server)
    page, requests = result["page"], result["requests"]
    links = page.locator("#search-results li a")
    hrefs = lambda: links.evaluate_all("links => links.map(a => a.getAttribute('href'))")  # noqa: E731
    assert hrefs() == expected[:PAGE]
    assert f"找到 {len(expected)} 条结果" in page.inner_text("#search-status")
    index = _Index(site)
    query(site, "麻花", 0, PAGE, index=index)
    first = len(index.fetched)
    assert sorted(index_files(requests, server)) == sorted(index.fetched)

    before = len(requests)
    page.get_by_role("button", name="显示更多 Show more").click()
    page.wait_for_function(f"document.querySelectorAll('#search-results li').length > {PAGE}")
    assert hrefs() == expected[:2 * PAGE]
    query(site, "麻花", PAGE, 2 * PAGE, index=index)
    more = index_files(requests[before:], server)
    assert sorted(more) == sorted(index.fetched[first:]) and all(n.startswith("d/") for n in more)
    assert page.evaluate("document.activeElement.getAttribute('href')") == expected[PAGE], \
        "the keyboard goes on from the first new result"


def test_pages_work_without_javascript(browser, server, demo_db):
    code = one(demo_db, "select product_code from recalls where status = 'ongoing' and product_code is not null limit 1")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + urls.product(code))
    text = page.inner_text("body")
    assert "召回" in text and one(demo_db, f"select name from products where code = '{code}'") in text
    context.close()


# --- large text on a small phone: 360 px wide, root font 200 % ----------------------------------

PHONE = {"width": 360, "height": 640}
LARGE_TEXT = "html{font-size:200% !important}"  # what a reader's "largest text" setting does to rem


def large_text_visit(browser, server, address: str) -> dict:
    """Load `address` on a 360 × 640 screen with the root font at 200 %; measure what a reader sees."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(server.url + address)
    page.add_style_tag(content=LARGE_TEXT)
    page.add_script_tag(path=str(AXE))
    measured = page.evaluate("""async () => {
        const root = document.documentElement, v = document.querySelector('.verdict');
        const box = v ? v.getBoundingClientRect() : null;
        // Anything sticking out to the right, except inside a box that scrolls on its own (wide tables).
        const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
        const out = [...document.body.querySelectorAll('*')].filter(e => !scrolls(e) &&
            e.getBoundingClientRect().right > root.clientWidth + 1).map(e => e.tagName + ' ' + e.textContent.slice(0, 30));
        const axe = (await window.axe.run(document)).violations.map(v => v.id);
        return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, innerHeight: window.innerHeight,
                verdict: box && {top: box.top, bottom: box.bottom, text: v.innerText}, out, axe,
                fontSize: getComputedStyle(root).fontSize};
    }""")
    context.close()
    return {"status": response.status, "requests": requests, **measured}


def assert_readable_on_a_phone(result, server, says: str):
    assert result["status"] == 200 and result["fontSize"] == "32px"
    assert [u for u in result["requests"] if not u.startswith(server.url)] == []
    assert result["scrollWidth"] <= result["clientWidth"] == PHONE["width"], result["out"]
    assert result["out"] == []
    verdict = result["verdict"]
    assert verdict is not None, "the page opens with its verdict"
    assert 0 <= verdict["top"] and verdict["bottom"] <= result["innerHeight"], "the verdict is on the first screen"
    assert says in verdict["text"]
    assert result["axe"] == []


def test_a_recalled_product_with_large_text_on_a_phone(browser, server, demo_db):
    code = one(demo_db, "select product_code from recalls where status = 'ongoing' and product_code is not null "
                        "order by id limit 1")
    assert_readable_on_a_phone(large_text_visit(browser, server, urls.product(code)), server, "召回中")


def test_a_withdrawn_product_with_large_text_on_a_phone(browser, server, demo_db):
    code = one(demo_db, "select code from products where status = 'withdrawn' and code not in "
                        "(select product_code from ongoing_recalls where product_code is not null) order by code limit 1")
    assert_readable_on_a_phone(large_text_visit(browser, server, urls.product(code)), server, "已撤市")


def test_a_revoked_business_with_large_text_on_a_phone(browser, server, demo_db):
    op_id = one(demo_db, "select id from operators where status = 'revoked' and id in (select operator_id from grades) "
                         "and id not in (select operator_id from ongoing_recalls) order by id limit 1")
    assert_readable_on_a_phone(large_text_visit(browser, server, urls.operator(op_id)), server, "登记证已吊销")


def test_an_ordinary_product_with_large_text_on_a_phone(browser, server, demo_db):
    code = one(demo_db, "select code from products where status = 'active' and code not in "
                        "(select product_code from recalls where product_code is not null) and operator_id in "
                        "(select operator_id from current_grades where in_force) order by code limit 1")
    assert_readable_on_a_phone(large_text_visit(browser, server, urls.product(code)), server, "登记有效")
