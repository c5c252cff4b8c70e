"""Trust at a glance, on the bundled demo build: every /p/ and /w/ page opens with one verdict, a
grade is shown as current only while its business may operate, and the provenance page stays
small enough for a slow phone."""
from __future__ import annotations

import gzip
import re
import sqlite3
from pathlib import Path

import pytest

from site_builder import urls, vocabulary
from site_builder.registry.standing import standing

VERDICT = re.compile(r'<section class="verdict verdict-(\w+)" aria-label="[^"]+"><p>(<svg[^>]*>.*?</svg>)'
                     r'<span><strong>(.*?)</strong> <span lang="en">(.*?)</span></span></p>', re.S)


@pytest.fixture(scope="module")
def site(demo_build) -> Path:
    return demo_build / "site"


@pytest.fixture(scope="module")
def db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def release(db):
    from datetime import date

    return date.fromisoformat(db.execute("SELECT release_date FROM _build").fetchone()[0][:10])


def page(site: Path, address: str) -> str:
    return (site / urls.output_path(address)).read_text(encoding="utf-8")


def verdict(html: str) -> tuple[str, str, str]:
    """(tone, Chinese, English) of the page's one verdict, which comes before the navigation."""
    found = VERDICT.findall(html)
    assert len(found) == 1, found
    assert html.index('class="verdict') < html.index('<header class="top">') < html.index("<main")
    tone, icon, zh, en = found[0]
    assert 'aria-hidden="true"' in icon
    return tone, zh, en


def test_every_product_and_business_page_opens_with_one_verdict(site, db):
    for (code,) in db.execute("SELECT code FROM products"):
        verdict(page(site, urls.product(code)))
    for (op_id,) in db.execute("SELECT id FROM operators"):
        verdict(page(site, urls.operator(op_id)))


def test_a_recalled_product_says_recalled_and_what_to_do_and_no_longer_on_sale(site, db):
    rows = db.execute("SELECT product_code, advice FROM ongoing_recalls WHERE product_code IS NOT NULL").fetchall()
    assert rows
    for code, advice in rows:
        html = page(site, urls.product(code))
        tone, zh, en = verdict(html)
        assert (tone, zh, en) == ("bad", vocabulary.VERDICTS["recall"].zh, vocabulary.VERDICTS["recall"].en)
        assert f'<p class="verdict-do">{advice}</p>' in html
        lead = re.search(r'<p class="lead">(.*?)</p>', html).group(1)
        assert vocabulary.RECALLED.zh in lead and vocabulary.PRODUCT_STATUS["active"].zh not in lead


def test_a_business_with_an_ongoing_recall_leads_with_it(site, db):
    rows = db.execute("SELECT id, operator_id FROM ongoing_recalls").fetchall()
    assert rows
    for recall_id, op_id in rows:
        html = page(site, urls.operator(op_id))
        tone, zh, _ = verdict(html)
        assert tone == "bad" and zh.startswith(vocabulary.VERDICTS["business-recall"].zh)
        main = html[html.index("<main"):]
        assert main.index(f'id="recall-{recall_id}"') < main.index("<h1>")


def test_a_withdrawn_product_says_do_not_buy(site, db):
    codes = [c for (c,) in db.execute(
        "SELECT code FROM products WHERE status = 'withdrawn' AND code NOT IN (SELECT product_code FROM ongoing_recalls "
        "WHERE product_code IS NOT NULL)")]
    assert codes
    for code in codes:
        assert verdict(page(site, urls.product(code)))[1] == vocabulary.VERDICTS["withdrawn"].zh


def test_a_business_that_may_not_operate_says_why_and_since_when_and_shows_no_smiley(site, db, release):
    ops = [dict(r) for r in db.execute("SELECT * FROM operators")]
    closed = [o for o in ops if not standing(o, release).operating]
    assert {standing(o, release).status for o in closed} == {"revoked", "suspended", "expired"}
    graded = {r["operator_id"] for r in db.execute("SELECT operator_id FROM grades")}
    assert any(o["id"] in graded for o in closed)
    ongoing = {r[0] for r in db.execute("SELECT operator_id FROM ongoing_recalls")}
    upgraded = dict(db.execute("SELECT operator_id, sc_licence_no FROM upgrades"))
    for o in closed:
        now = standing(o, release)
        html = page(site, urls.operator(o["id"]))
        if o["id"] in upgraded and now.status == "expired":  # its SC licence replaced it: test_programme_sections
            assert verdict(html)[1] == f"{vocabulary.VERDICTS['upgraded'].zh} {upgraded[o['id']]}"
        elif o["id"] not in ongoing:
            tone, zh, en = verdict(html)
            assert tone == "bad" and zh.startswith(now.zh) and now.term.en in en
        if now.since:
            assert vocabulary.zh_date(now.since) in now.zh
        assert 'class="face"' not in html  # no smiley, not even in the grade history
        if o["id"] in graded:
            assert vocabulary.GRADE_VOID.zh in html


def test_a_product_of_a_maker_that_may_not_operate_shows_the_grade_void(site, db, release):
    rows = db.execute("SELECT p.code, o.* FROM products p JOIN operators o ON o.id = p.operator_id "
                      "JOIN current_grades g ON g.operator_id = o.id WHERE p.status = 'active'").fetchall()
    checked = 0
    for row in rows:
        op = dict(row)
        now = standing(op, release)
        if now.operating:
            continue
        html = page(site, urls.product(row["code"]))
        assert 'class="face"' not in html and f"{vocabulary.GRADE_VOID.zh}</strong>" in html and now.zh in html
        tone, zh, _ = verdict(html)
        if zh.startswith(vocabulary.VERDICTS["maker"].zh + vocabulary.VERDICTS["upgraded"].zh):
            assert now.status == "expired" and db.execute("SELECT 1 FROM upgrades WHERE operator_id = ?", (op["id"],)).fetchone()
        elif tone != "bad" or not zh.startswith(vocabulary.VERDICTS["recall"].zh):
            assert zh == f"{vocabulary.VERDICTS['maker'].zh}{now.zh}，{vocabulary.VERDICTS['may-not-operate'].zh}"
        checked += 1
    assert checked


def test_an_ordinary_product_says_registered_no_recall_and_when_it_last_passed(site, db, release):
    rows = db.execute("""
        SELECT p.code, o.status, o.valid_until, o.status_since, g.grade, g.effective_on,
               (SELECT result FROM samplings s WHERE s.product_code = p.code ORDER BY sampled_on DESC, id LIMIT 1) AS result,
               (SELECT max(sampled_on) FROM samplings s WHERE s.product_code = p.code) AS last
        FROM products p JOIN operators o ON o.id = p.operator_id LEFT JOIN current_grades g ON g.operator_id = o.id
        WHERE p.status = 'active' AND p.code NOT IN (SELECT product_code FROM ongoing_recalls WHERE product_code IS NOT NULL)
    """).fetchall()
    passed = untested = 0
    for row in rows:
        if not standing(dict(row), release).operating or row["result"] == "不合格":
            continue
        html = page(site, urls.product(row["code"]))
        tone, zh, en = verdict(html)
        assert tone == "ok"
        if row["last"]:
            assert zh == f"登记有效 · 无召回 · 最近抽检合格 {vocabulary.zh_date(row['last'])}"
            assert en == f"Registered · no recall · last test passed {row['last']}"
            passed += 1
        else:
            assert zh == "登记有效 · 无召回 · 暂无抽检记录"
            untested += 1
        if row["grade"]:  # the grade in force, with the date it took effect
            assert f'grade-{row["grade"]}' in html and f"{vocabulary.zh_date(row['effective_on'])}起" in html
    assert passed and untested


def test_a_failed_latest_test_is_the_verdict_with_its_disposal(site, db, release):
    rows = db.execute("""
        SELECT s.product_code, s.sampled_on, s.disposal FROM samplings s
        WHERE s.product_code IS NOT NULL AND s.result = '不合格'
          AND s.sampled_on = (SELECT max(sampled_on) FROM samplings t WHERE t.product_code = s.product_code)
          AND s.product_code NOT IN (SELECT product_code FROM ongoing_recalls WHERE product_code IS NOT NULL)
          AND s.product_code IN (SELECT code FROM products WHERE status != 'withdrawn')""").fetchall()
    checked = 0
    for code, day, disposal in rows:
        op = dict(db.execute("SELECT o.* FROM operators o JOIN products p ON p.operator_id = o.id WHERE p.code = ?",
                             (code,)).fetchone())
        if not standing(op, release).operating:
            continue
        html = page(site, urls.product(code))
        tone, zh, _ = verdict(html)
        assert (tone, zh) == ("warn", f"{vocabulary.VERDICTS['failed'].zh}（{vocabulary.zh_date(day)}）")
        assert not disposal or f'<p class="verdict-do">{disposal}</p>' in html
        checked += 1
    assert checked


def test_current_grades_view_says_void_and_why_for_a_business_that_may_not_operate(db, release):
    rows = db.execute("SELECT g.*, o.status, o.valid_until, o.status_since FROM current_grades g "
                      "JOIN operators o ON o.id = g.operator_id").fetchall()
    void = 0
    for row in rows:
        now = standing(dict(row), release)
        assert row["in_force"] == int(now.operating), row["operator_id"]
        assert row["void_reason"] == (None if now.operating else now.term.zh)
        void += not now.operating
    assert void and void < len(rows)


def test_the_biggest_provenance_page_stays_within_14_kb_gzipped(site):
    """Measured as bench/bench_site.py does: the page's HTML (its CSS is inlined) plus any stylesheet it links."""
    pages = sorted((site / "p").glob("*/index.html"), key=lambda p: p.stat().st_size)
    html = pages[-1].read_bytes()
    linked = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    weight = len(gzip.compress(html, 9)) + sum(len(gzip.compress((site / h.decode().lstrip("/")).read_bytes(), 9))
                                               for h in linked)
    assert weight <= 14 * 1024
