"""Charts drawn at build time: each says in words what it draws (its <title>/<desc> and the table
beside it hold the same figures), keeps apart in greyscale, and draws from the registry's numbers."""
from __future__ import annotations

import re
import sqlite3
from datetime import date
from html import unescape

import pytest

from site_builder import urls
from site_builder.site import charts, trends

RELEASE = date(2026, 11, 1)


def luminance(colour: str) -> float:
    """WCAG relative luminance: what a greyscale print keeps of a colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def described(svg: str) -> str:
    return unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1))


def test_grade_colours_stay_apart_in_greyscale_and_their_text_is_readable():
    levels = [luminance(charts.GRADE_FILLS[k][0]) for k in charts.GRADE_KEYS]
    assert levels == sorted(levels), "A darkest, then B, C, not graded"
    assert min(b - a for a, b in zip(levels, levels[1:])) >= 0.2, levels
    for key in charts.GRADE_KEYS:
        fill, ink = charts.GRADE_FILLS[key]
        ink = "#ffffff" if ink == "#fff" else ink
        light, dark = sorted((luminance(fill), luminance(ink)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, f"{key}: the count on the segment"


def test_every_chart_is_an_image_named_by_its_title_and_desc():
    grades = [{"grade": "A", "effective_on": "2024-03-01"}, {"grade": "C", "effective_on": "2025-08-01"}]
    made = [charts.county_grades([{"name": "稷山县", "A": 1, "B": 2, "C": 3, "none": 4}]),
            charts.metrics([{"label": "抽检合格率", "value": 97.5, "goal": 98, "met": False, "unit": "%"}], 2026),
            charts.grade_trend([{"year": 2026, "grades": {"A": 1, "B": 1, "C": 0, "none": 2}}]),
            charts.pass_rate_trend([{"year": 2025, "samplings": 40, "failed": 1, "goal": 96}]),
            charts.grade_timeline(grades, RELEASE)]
    for svg in map(str, made):
        chart_id = re.search(r'aria-labelledby="([^ ]+)-t \1-d"', svg).group(1)
        assert f'<title id="{chart_id}-t">' in svg and f'<desc id="{chart_id}-d">' in svg and 'role="img"' in svg
        assert "<script" not in svg and "style=" not in svg and "<figcaption>" in svg


def test_metrics_write_out_whether_each_target_was_met():
    rows = [{"label": "量化分级覆盖率", "value": 92.0, "goal": 90, "met": True, "unit": "%"},
            {"label": "抽检合格率", "value": 95.5, "goal": 98, "met": False, "unit": "%"},
            {"label": "名特优认定数", "value": 3, "goal": None, "met": None, "unit": "个"}]
    svg = str(charts.metrics(rows, 2026))
    assert ">✓ 达标<" in svg and ">✗ 未达标<" in svg and ">无目标<" in svg
    assert described(svg) == "量化分级覆盖率 92%，目标 90%，已达标；抽检合格率 95.5%，目标 98%，未达标；名特优认定数 3，没有目标。"
    assert str(charts.metrics([], 2026)) == ""


def test_the_timeline_says_each_grade_and_since_when():
    grades = [{"grade": "B", "effective_on": "2025-08-01"}, {"grade": "A", "effective_on": "2024-03-01"},
              {"grade": "C", "effective_on": "2027-01-01"}]  # a grade after the release date is not shown
    svg = str(charts.grade_timeline(grades, RELEASE))
    assert described(svg) == "2024年3月1日起 A 级 优秀；2025年8月1日起 B 级 良好；至 2026年11月1日（数据更新日期）。"
    assert svg.count("<rect") == 2 and ">2025<" in svg and ">2026<" in svg
    assert str(charts.grade_timeline([], RELEASE)) == ""


def test_county_names_are_text_not_markup():
    svg = str(charts.county_grades([{"name": "<b>县</b>", "A": 1, "B": 0, "C": 0, "none": 0}]))
    assert "<b>" not in svg and "&lt;b&gt;县&lt;/b&gt;" in svg


@pytest.fixture(scope="module")
def demo_db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    yield conn
    conn.close()


def test_the_trend_of_the_release_year_counts_what_grades_and_figures_count(demo_db):
    """The region's last year counts the businesses in operation by current grade (as /grades/),
    and every year's samplings as region_figures counts them."""
    parents = dict(demo_db.execute("SELECT code, parent_code FROM regions"))
    years = trends.load(demo_db, RELEASE, parents)
    county = "140824"
    last = years[county][-1]
    assert last["year"] == 2026
    current = dict(demo_db.execute(
        "SELECT coalesce(g.grade, 'none'), count(*) FROM operators o LEFT JOIN current_grades g ON g.operator_id = o.id "
        "WHERE o.region_code = ? AND o.status = 'active' GROUP BY 1", (county,)))
    assert last["grades"] == {k: current.get(k, 0) for k in ("A", "B", "C", "none")}
    for y in years[county]:
        figures = demo_db.execute("SELECT samplings, failed_samplings FROM region_figures WHERE region_code = ? AND year = ?",
                                  (county, y["year"])).fetchone()
        if figures:
            assert (y["samplings"], y["failed"]) == figures
    city = years["140800"][-1]
    assert city["samplings"] == sum(years[c][-1]["samplings"] for c, p in parents.items() if p == "140800" and c in years)


def test_region_and_grade_pages_hold_each_chart_with_its_table(demo_build):
    site = demo_build / "site"
    region = (site / urls.output_path(urls.region("140824"))).read_text(encoding="utf-8")
    for chart_id in ("metrics-chart", "trend-grades", "trend-pass"):
        assert f'aria-labelledby="{chart_id}-t {chart_id}-d"' in region
    # the metrics chart beside the figures table, the two trend charts beside the table of years
    figures = region[region.index('id="figures"'):region.index('id="trend"')]
    assert figures.index("metrics-chart-t") < figures.index("<caption>2026年工作指标与目标")
    trend = region[region.index('id="trend"'):region.index('id="businesses"')]
    assert trend.index("trend-pass-t") < trend.index("<caption>历年量化分级占比和抽检合格率")
    rows = re.findall(r'<th scope="row">(\d{4})</th>', trend)
    for svg in trend.split("<svg")[1:]:  # each year a chart draws is a row of the table
        assert re.findall(r"(\d{4})年 ", described(svg)) == rows and len(rows) >= 2
    grades = (site / urls.output_path(urls.grades())).read_text(encoding="utf-8")
    assert 'aria-labelledby="grades-chart-t grades-chart-d"' in grades and "稷山县共" in grades


def test_the_pass_rate_chart_writes_each_years_target_under_the_year():
    svg = str(charts.pass_rate_trend([{"year": 2024, "samplings": 2, "failed": 0, "goal": None},
                                      {"year": 2025, "samplings": 40, "failed": 1, "goal": 96}]))
    assert ">2025<" in svg and ">目标 96%<" in svg and svg.count(">目标 ") == 1, "no target, no words"


def test_a_void_grade_ends_the_timeline_where_the_business_stopped():
    grades = [{"grade": "B", "effective_on": "2025-08-01"}, {"grade": "A", "effective_on": "2024-03-01"}]
    svg = str(charts.grade_timeline(grades, RELEASE, void_since=date(2026, 3, 1), void_reason="登记证已吊销"))
    assert described(svg) == ("2024年3月1日起 A 级 优秀；2025年8月1日起 B 级 良好；2026年3月1日起 等级已失效（登记证已吊销）；"
                              "至 2026年11月1日（数据更新日期）。")
    assert 'stroke-dasharray="3 2"' in svg and ">等级已失效<" in svg
    assert "stroke-dasharray" not in str(charts.grade_timeline(grades, RELEASE)), "a business that may operate"


def test_a_revoked_business_page_says_its_grade_is_void_in_the_timeline_too(demo_build, demo_db):
    op_id, since = demo_db.execute("SELECT id, status_since FROM operators WHERE status = 'revoked' AND status_since "
                                   "IS NOT NULL AND id IN (SELECT operator_id FROM grades) ORDER BY id").fetchone()
    page = (demo_build / "site" / urls.output_path(urls.operator(op_id))).read_text(encoding="utf-8")
    svg = page[page.index('aria-labelledby="grade-timeline-t'):]
    words = described(svg)
    assert "起 等级已失效（登记证已吊销）" in words and words.index("等级已失效") > words.rindex("级 ")
