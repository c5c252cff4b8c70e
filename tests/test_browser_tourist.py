"""A real browser on the pages that draw: charts shown with their text equivalents, photos loaded
as the page asked, the verdict above the photo on a phone, and axe-core finds no violation."""
from __future__ import annotations

import re

import pytest
from test_browser import assert_clean, demo_db, one, server, visit  # noqa: F401 (fixtures)

from site_builder import urls

PHONE = {"width": 360, "height": 740}


def charts_on(result) -> list[dict]:
    """Every chart as the browser laid it out: its box, its accessible name and description, and
    the text of the table its section holds beside it."""
    return result["page"].eval_on_selector_all("figure.chart svg", """svgs => svgs.map(s => {
        const box = s.getBoundingClientRect();
        const [t, d] = s.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id));
        const table = s.closest('section').querySelector('table');
        return {width: box.width, height: box.height, title: t.textContent, desc: d.textContent,
                caption: s.closest('figure').querySelector('figcaption').textContent,
                table: table ? table.innerText : '',
                // words drawn outside the picture are cut off: each text's box within the viewBox
                clipped: [...s.querySelectorAll('text')].filter(t => { const b = t.getBBox();
                    return b.x < 0 || b.x + b.width > s.viewBox.baseVal.width; }).map(t => t.textContent)};
    })""")


def test_region_page_charts_and_their_tables(browser, server):
    result = visit(browser, server, urls.region("140824"))
    assert_clean(result, server)
    charts = charts_on(result)
    assert [c["title"].split(" ")[0] for c in charts] == ["2026年工作指标与目标", "各年量化分级占比", "各年抽检合格率"]
    assert all(c["width"] > 250 and c["height"] > 40 for c in charts), charts
    assert [c["clipped"] for c in charts] == [[], [], []]
    assert "达标" in charts[0]["desc"] and "目标" in charts[0]["desc"]
    for chart in charts:  # every figure the chart says is in the table beside it
        said = re.findall(r"\d+(?:\.\d+)?%", chart["desc"])
        assert said and [f for f in said if f not in chart["table"]] == [], chart
    assert "完成情况" in charts[0]["table"] and "合格率" in charts[2]["table"]


def test_grades_page_chart_says_each_county(browser, server, demo_db):
    result = visit(browser, server, urls.grades())
    assert_clean(result, server)
    [chart] = charts_on(result)
    for (name,) in demo_db.execute("SELECT name FROM regions WHERE level = 'county'"):
        assert f"{name}共" in chart["desc"] and name in result["text"]


def test_business_page_grade_timeline(browser, server, demo_db):
    operator_id = one(demo_db, "SELECT operator_id FROM grades GROUP BY operator_id HAVING count(*) > 1 ORDER BY 1 LIMIT 1")
    result = visit(browser, server, urls.operator(operator_id))
    assert_clean(result, server)
    [chart] = charts_on(result)
    assert chart["title"] == "量化分级的变化 Grade timeline" and chart["desc"].count("起") >= 2
    assert "Open in maps" in result["text"]


def test_brand_page_photo_loads_and_says_it_is_an_illustration(browser, server, demo_db):
    brand_id = one(demo_db, "SELECT id FROM brands WHERE name = '稷山麻花'")
    result = visit(browser, server, urls.brand(brand_id))
    assert_clean(result, server)
    page = result["page"]
    page.wait_for_function("document.querySelector('figure.photo img').complete")
    img = page.eval_on_selector("figure.photo img", "i => ({w: i.naturalWidth, src: i.currentSrc, alt: i.alt})")
    assert img["w"] > 0 and ".webp?v=" in img["src"], "the browser chose a WebP"
    assert img["alt"].startswith("示意插图") and "Illustration, not a photo" in result["text"]
    assert "Where it is made and sold" in result["text"] and "Jishan Mahua" in result["text"]


def test_on_a_phone_the_verdict_comes_before_the_photo(browser, server, demo_db):
    """The recall box and the maker's licence and grade are above the photo on a small screen,
    and the photo below the fold waits until it is scrolled near."""
    code = one(demo_db, "SELECT code FROM products WHERE photo IS NOT NULL ORDER BY code LIMIT 1")
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server.url + urls.product(code))
    boxes = page.evaluate("""() => ['#maker', 'figure.photo'].map(s => {
        const e = s === '#maker' ? document.getElementById('maker').closest('section') : document.querySelector(s);
        const b = e.getBoundingClientRect(); return {top: b.top, bottom: b.bottom};})""")
    maker, photo = boxes
    assert maker["bottom"] <= photo["top"], boxes
    shape = page.eval_on_selector("figure.photo img", "i => [i.getAttribute('loading'), i.width, i.height]")
    assert shape[0] == "lazy" and shape[1] > 0 and shape[2] > 0, "its box has its shape before it loads"
    if photo["top"] > PHONE["height"] * 2:
        assert not any("/photos/" in u for u in requested), "below the fold: not fetched yet"
    page.mouse.wheel(0, photo["top"])
    page.wait_for_function("document.querySelector('figure.photo img').complete && "
                           "document.querySelector('figure.photo img').naturalWidth > 0")
    src, slot = page.eval_on_selector("figure.photo img", "i => [i.currentSrc, i.clientWidth]")
    assert slot * 2 > 640, "the photo fills more device pixels than the 640-px image has"
    assert "/960.webp" in src, "a 360-px screen at twice the density takes the 960-px image, not the 1280"
    context.close()


@pytest.mark.parametrize("address", [urls.brands(), urls.search() + "?q=sesame%20candy"])
def test_tourist_pages_are_clean(browser, server, address):
    result = visit(browser, server, address, wait_for="#search-results li" if "q=" in address else None)
    assert_clean(result, server)
    if "q=" in address:
        assert "Hejin Sesame Candy" in result["page"].inner_text("#search-results")
