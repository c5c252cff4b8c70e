"""The print pages /w/<id>/labels/ and /w/<id>/poster/, printed as a bureau prints them: Chromium's
print to PDF (the DevTools printToPDF that `chromium --print-to-pdf` runs, here through Playwright
so that one browser prints them all), then poppler's raster read back by zxing-cpp. Every page is
A4, every code decodes to exactly its address, labels sit where the 70 × 38 mm stock has them; on
screen the pages pass axe-core, load nothing from elsewhere and stay readable on a phone."""
from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sitecheck import StaticServer
from test_browser import AXE, LARGE_TEXT, PHONE

from qr import labels, print_pages
from qr.codes import make_matrix
from qr.records import Product, Workshop
from site_builder import urls

DPI = 300
A4_PT = (595.28, 841.89)
MM = 25.4 / DPI  # millimetres per pixel of the raster


@pytest.fixture(scope="module")
def db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    yield conn
    conn.close()


def print_page(browser, html: Path, out: Path) -> list[Image.Image]:
    """Print `html` as Chromium prints it (the page's own @page size, no header or footer), check
    that every page is A4 and return the pages rasterised at DPI."""
    page = browser.new_page()
    page.goto(html.as_uri())
    page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
    page.close()
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(out)], check=True, capture_output=True, text=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"^Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info, re.M)]
    assert sizes and all(size == pytest.approx(A4_PT, abs=1) for size in sizes), sizes
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(out), str(out.with_suffix(""))], check=True)
    pages = [Image.open(p) for p in sorted(out.parent.glob(f"{out.stem}-*.png"))]
    assert len(pages) == len(sizes)
    return pages


def decoded(image: Image.Image) -> list[zxingcpp.Barcode]:
    return [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def site_file(demo_build: Path, address: str) -> Path:
    return demo_build / "site" / urls.output_path(address)


def site_url(db) -> str:
    return db.execute("SELECT site_url FROM _build").fetchone()[0]


def workshops(db, status: str, limit: int) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT o.id FROM operators o LEFT JOIN products p ON p.operator_id = o.id AND p.status = 'active' "
        "WHERE o.kind = 'workshop' AND o.status = ? GROUP BY o.id ORDER BY count(p.code) DESC, o.id LIMIT ?",
        (status, limit))]


def test_every_workshop_has_both_print_pages_and_other_businesses_none(demo_build, db):
    kinds = dict(db.execute("SELECT id, kind FROM operators"))
    for operator_id, kind in kinds.items():
        for address in (urls.label_page(operator_id), urls.poster_page(operator_id)):
            assert site_file(demo_build, address).is_file() == (kind == "workshop"), address
    business_page = site_file(demo_build, urls.operator(workshops(db, "active", 1)[0])).read_text(encoding="utf-8")
    operator_id = workshops(db, "active", 1)[0]
    assert f'href="{urls.label_page(operator_id)}"' in business_page
    assert f'href="{urls.poster_page(operator_id)}"' in business_page
    assert not (demo_build / "site" / "labels").exists() and not (demo_build / "site" / "posters").exists()


def test_label_pages_print_on_a4_and_every_code_is_one_of_the_workshops_active_products(demo_build, db, browser,
                                                                                      tmp_path):
    base = site_url(db)
    for operator_id in workshops(db, "active", 3):
        active = [urls.absolute(base, urls.product(c)) for (c,) in db.execute(
            "SELECT code FROM products WHERE operator_id = ? AND status = 'active'", (operator_id,))]
        assert active, operator_id
        pages = print_page(browser, site_file(demo_build, urls.label_page(operator_id)), tmp_path / f"{operator_id}.pdf")
        assert len(pages) == 1  # the demo's workshops have at most 21 active products
        assert sorted(r.text for r in decoded(pages[0])) == sorted(active)


def test_a_workshop_that_may_not_operate_gets_a_label_page_saying_why_and_a_void_poster(demo_build, db, browser,
                                                                                      tmp_path):
    base = site_url(db)
    for status, says in (("revoked", "不得印制和使用产品标签"), ("suspended", "暂停期间不得印制和使用产品标签")):
        operator_id = workshops(db, status, 1)[0]
        html = site_file(demo_build, urls.label_page(operator_id))
        assert says in html.read_text(encoding="utf-8")
        pages = print_page(browser, html, tmp_path / f"labels-{operator_id}.pdf")
        assert len(pages) == 1 and decoded(pages[0]) == []
        poster = site_file(demo_build, urls.poster_page(operator_id))
        assert "不得生产经营" in poster.read_text(encoding="utf-8")
        pages = print_page(browser, poster, tmp_path / f"poster-{operator_id}.pdf")
        assert len(pages) == 1
        assert [r.text for r in decoded(pages[0])] == [urls.absolute(base, urls.operator(operator_id))]


def test_posters_print_on_one_a4_page_with_the_code_of_the_business_page(demo_build, db, browser, tmp_path):
    base = site_url(db)
    graded = [r[0] for r in db.execute(
        "SELECT min(o.id) FROM operators o JOIN current_grades g ON g.operator_id = o.id "
        "WHERE o.kind = 'workshop' AND o.status = 'active' GROUP BY g.grade ORDER BY 1")]
    assert len(graded) >= 3  # one of each grade: A, B, C
    for operator_id in graded:
        html = site_file(demo_build, urls.poster_page(operator_id))
        pages = print_page(browser, html, tmp_path / f"{operator_id}.pdf")
        assert len(pages) == 1
        (code,) = decoded(pages[0])
        assert code.text == urls.absolute(base, urls.operator(operator_id))
        width = (code.position.top_right.x - code.position.top_left.x) * MM
        assert width >= 40  # 52 mm with its quiet zone: readable from across the shop
        assert "12315" in html.read_text(encoding="utf-8")


def _workshop(n_products: int) -> tuple[Workshop, list[Product]]:
    workshop = Workshop("w-print", "印制测试作坊（演示）", "晋小作坊登字0000000001", None, "测试路1号", "糕点",
                        "active", "2030-01-01", None, "A", "2026-01-01")
    return workshop, [Product(f"p{i:03d}", workshop.id, f"测试糕点{i}号", "500g/袋", None, "active")
                      for i in range(n_products)]


def test_more_than_21_products_print_on_two_sheets_with_every_label_millimetre_exact(browser, tmp_path):
    workshop, products = _workshop(labels.PER_PAGE + 4)
    matrices = {p.code: make_matrix(f"https://zf.example.cn/p/{p.code}/") for p in products}
    facts = print_pages.Facts(True, "2026-11-01", "https://zf.example.cn", False)
    html = tmp_path / "labels.html"
    html.write_text(print_pages.label_page(workshop, products, matrices, workshop.standing(date(2026, 11, 1)), facts),
                    encoding="utf-8")
    pages = print_page(browser, html, tmp_path / "labels.pdf")
    assert len(pages) == 2
    found = [decoded(page) for page in pages]
    assert [len(codes) for codes in found] == [labels.PER_PAGE, 4]
    expected = {m.text: (i % labels.PER_PAGE, m) for i, m in enumerate(matrices.values())}
    assert sorted(r.text for codes in found for r in codes) == sorted(expected)
    for codes in found:
        for result in codes:
            index, matrix = expected[result.text]
            module = labels.QR_SIZE / matrix.size
            # The symbol's corner: the label's corner, the padding, then the 4-module quiet zone.
            left = (index % labels.COLUMNS) * labels.LABEL_W + labels.PADDING + 4 * module
            top = labels.TOP + (index // labels.COLUMNS) * labels.LABEL_H + (labels.LABEL_H - labels.QR_SIZE) / 2 + 4 * module
            corner = result.position.top_left
            assert (corner.x * MM, corner.y * MM) == pytest.approx((left, top), abs=0.3)
            width = (result.position.top_right.x - corner.x) * MM
            assert width == pytest.approx(matrix.symbol_size * module, abs=0.3)


@pytest.fixture(scope="module")
def server(demo_build):
    with StaticServer(demo_build / "site") as srv:
        yield srv


@pytest.mark.parametrize("address", [urls.label_page, urls.poster_page], ids=["labels", "poster"])
def test_print_pages_on_screen_pass_axe_and_read_on_a_phone_with_large_text(address, browser, server, db):
    for operator_id in (workshops(db, "active", 1)[0], workshops(db, "revoked", 1)[0]):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        assert page.goto(server.url + address(operator_id)).status == 200
        page.add_script_tag(path=str(AXE))
        assert page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)") == []
        page.add_style_tag(content=LARGE_TEXT)
        measured = page.evaluate("""() => {
            const root = document.documentElement;
            const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
            const out = [...document.body.querySelectorAll('*')].filter(e => !scrolls(e) &&
                e.getBoundingClientRect().right > root.clientWidth + 1).map(e => e.tagName);
            return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, out,
                    first: document.querySelector('.screen').innerText};
        }""")
        assert measured["scrollWidth"] <= measured["clientWidth"] == PHONE["width"] and measured["out"] == []
        assert "100%" in measured["first"] and "演示数据" in measured["first"]  # how to print it; what it is
        assert page.evaluate("document.scripts.length") == 1  # axe's, added here: the page has none
        assert [u for u in requests if not u.startswith(server.url)] == []
        context.close()


def test_a_workshop_job_makes_each_matrix_once_and_hands_back_bytes_only(monkeypatch):
    """Its products' PNG, SVG and labels, and its poster, from one matrix per address; no matrix
    leaves the worker (the main process holds none)."""
    from dataclasses import replace as copy

    from qr import codes, drawing
    from qr.records import Registry

    workshop, products = _workshop(3)
    products[2] = copy(products[2], status="withdrawn")  # no label, but its PNG and SVG
    made = []
    real = codes.make_matrix
    monkeypatch.setattr(drawing, "make_matrix", lambda text: made.append(text) or real(text))
    registry = Registry(date(2026, 11, 1), True, "https://zf.example.cn", [], [])
    job = drawing.Job(tuple(p.code for p in products), workshop, tuple(products), None, ("labels", "poster"))
    facts = print_pages.Facts(True, "2026-11-01", "https://zf.example.cn", False)
    (drawn,) = drawing.run(drawing.draw, [job], 1, registry, None, facts)
    assert sorted(made) == sorted([f"https://zf.example.cn/p/{p.code}/" for p in products] + [
        "https://zf.example.cn/w/w-print/"])
    assert all(isinstance(v, (bytes, str)) for v in drawn.content.values())
    assert set(drawn.content) == {f"{ext}:{p.code}" for p in products for ext in ("png", "svg")} | {"labels", "poster"}
    assert drawn.content["labels"].count('class="qr"') == 2 and drawn.content["poster"].count('class="qr"') == 1
