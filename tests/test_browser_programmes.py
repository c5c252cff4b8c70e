"""The programmes' pages in a real browser: a business page with its checklist, board and zone,
a zone page, a programme's task table, the programme list and a closure notice load cleanly
(no console error, nothing from another host, axe-core clean) and, on a 360 px phone with the
text at 200 %, nothing sticks out and the wide tables become one card per row."""
from __future__ import annotations

import pytest
from test_browser import AXE, LARGE_TEXT, PHONE, assert_clean, demo_db, one, server, visit  # noqa: F401

from site_builder import urls


def _business_with_everything(demo_db) -> str:
    return one(demo_db, """SELECT o.id FROM operators o JOIN boards b ON b.operator_id = o.id
        WHERE o.park_id IS NOT NULL AND o.status = 'active'
        AND o.id IN (SELECT operator_id FROM latest_checklist_items WHERE result = '不符合')
        ORDER BY o.id LIMIT 1""")


def addresses(demo_db) -> dict[str, str]:
    return {
        "business": urls.operator(_business_with_everything(demo_db)),
        "zone": urls.zone(one(demo_db, "SELECT park_id FROM operators WHERE park_id IS NOT NULL "
                                       "GROUP BY park_id ORDER BY count(*) DESC, park_id LIMIT 1")),
        "programme": urls.programme(one(demo_db, "SELECT programme_id FROM programme_targets GROUP BY programme_id "
                                                 "ORDER BY count(*) DESC LIMIT 1")),
        "programme list": urls.programmes(),
        "zone list": urls.zones(),
        "closure": urls.closure(one(demo_db, "SELECT id FROM closures ORDER BY id LIMIT 1")),
        "region": urls.region(one(demo_db, "SELECT region_code FROM programme_targets WHERE region_code IS NOT NULL "
                                           "AND station_id IS NOT NULL LIMIT 1")),
    }


@pytest.mark.parametrize("page", ["business", "zone", "programme", "programme list", "zone list", "closure", "region"])
def test_programme_pages_load_cleanly_and_pass_axe(page, browser, server, demo_db):
    result = visit(browser, server, addresses(demo_db)[page])
    assert_clean(result, server)
    result["page"].close()


MEASURE = """async () => {
    const root = document.documentElement;
    const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
    const out = [...document.body.querySelectorAll('*')].filter(e => !scrolls(e) &&
        e.getBoundingClientRect().right > root.clientWidth + 1).map(e => e.tagName + ' ' + e.textContent.slice(0, 30));
    // A cell squeezed to a character or two a line is unreadable: each cell is as wide as its card.
    const narrow = [...document.querySelectorAll('table.stack td:not(:empty), table.stack th[scope=row]')]
        .filter(e => getComputedStyle(e).display !== 'inline' && e.getBoundingClientRect().width < root.clientWidth / 3)
        .map(e => e.textContent.slice(0, 20));
    const stacked = [...document.querySelectorAll('table.stack tbody tr')].filter(r => getComputedStyle(r).display === 'block').length;
    const axe = (await window.axe.run(document)).violations.map(v => v.id);
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, out, narrow, stacked, axe,
            rows: document.querySelectorAll('table.stack tbody tr').length,
            fontSize: getComputedStyle(root).fontSize};
}"""


@pytest.mark.parametrize("page", ["business", "zone", "programme", "region"])
def test_programme_pages_with_large_text_on_a_phone(page, browser, server, demo_db):
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    assert tab.goto(server.url + addresses(demo_db)[page]).status == 200
    tab.add_style_tag(content=LARGE_TEXT)
    tab.add_script_tag(path=str(AXE))
    measured = tab.evaluate(MEASURE)
    context.close()
    assert measured["fontSize"] == "32px"
    assert measured["scrollWidth"] <= measured["clientWidth"] == PHONE["width"], measured["out"]
    assert measured["out"] == []
    assert measured["rows"] > 0 and measured["narrow"] == [], "no cell squeezed to a few characters a line"
    assert measured["stacked"] == measured["rows"], "each row of a wide table is a card"
    assert measured["axe"] == []


def test_the_task_table_is_a_table_on_a_wide_screen(browser, server, demo_db):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.goto(server.url + addresses(demo_db)["programme"])
    display = tab.evaluate("() => getComputedStyle(document.querySelector('table.progress tbody tr')).display")
    headers = tab.evaluate("() => [...document.querySelectorAll('table.progress thead th')].map(h => h.getBoundingClientRect().height > 0)")
    context.close()
    assert display == "table-row" and all(headers)
