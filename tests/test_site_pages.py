"""The public site's pages as a visitor (and a QR scanner) meets them, on the bundled demo build."""
from __future__ import annotations

import csv
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_builder import urls

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(demo_build) -> Path:
    return demo_build / "site"


@pytest.fixture(scope="module")
def db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    yield conn
    conn.close()


def page(site: Path, address: str) -> str:
    return (site / urls.output_path(address)).read_text(encoding="utf-8")


#: Pages other stages write with their own templates (mkdocs handbook, GS1 Digital Link
#: redirect pages of the QR stage); their own tests hold them to the same rules.
OTHER_STAGES = {"handbook", urls.gs1_digital_link("0").strip("/").split("/")[0]}


def html_pages(site: Path) -> list[Path]:
    """Every page the site stage renders."""
    return [p for p in sorted(site.rglob("*.html")) if p.relative_to(site).parts[0] not in OTHER_STAGES]


def test_every_product_and_business_has_its_page(site, db):
    codes = [c for (c,) in db.execute("select code from products")]
    ids = [i for (i,) in db.execute("select id from operators")]
    assert codes and ids
    assert [c for c in codes if not (site / urls.output_path(urls.product(c))).is_file()] == []
    assert [i for i in ids if not (site / urls.output_path(urls.operator(i))).is_file()] == []


def test_recall_notice_comes_before_the_product(site, db):
    rows = db.execute("select r.id, r.title, r.product_code, p.name from recalls r join products p "
                      "on p.code = r.product_code where r.status = 'ongoing'").fetchall()
    assert rows, "the demo has a product under an ongoing recall"
    for recall_id, title, code, name in rows:
        html = page(site, urls.product(code))
        main = html[html.index("<main"):]
        notice = main.index('class="recall"')
        assert notice < main.index("<h1>"), "the recall is the first thing on the page"
        assert main.index(urls.recall(recall_id)) < main.index("<h1>")
        assert title.replace("“", "") in main[notice:main.index("<h1>")].replace("“", "")


def test_closed_recall_is_not_shown_as_ongoing(site, db):
    code = db.execute("select product_code from recalls where status = 'closed' and product_code not in "
                      "(select product_code from recalls where status = 'ongoing' and product_code is not null)"
                      ).fetchone()[0]
    assert 'class="recall"' not in page(site, urls.product(code))


def test_withdrawn_product_keeps_its_page_and_says_so(site, db):
    codes = [c for (c,) in db.execute("select code from products where status = 'withdrawn'")]
    assert codes
    year, month, day = (int(x) for x in db.execute("select release_date from _build").fetchone()[0][:10].split("-"))
    for code in codes:
        main = page(site, urls.product(code)).split("<main", 1)[1]
        assert "已撤市" in main[: main.index("<h1>")]
        assert f"数据更新日期：{year}年{month}月{day}日" in main


def test_revoked_business_keeps_its_page_and_says_so(site, db):
    ids = [i for (i,) in db.execute("select id from operators where status = 'revoked'")]
    assert ids
    for op_id in ids:
        main = page(site, urls.operator(op_id)).split("<main", 1)[1]
        assert "已吊销" in main[: main.index("<h1>")]


def test_every_page_is_chinese_and_carries_the_demo_notice(site):
    pages = html_pages(site)
    assert len(pages) > 100
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text, path
        assert "演示数据：本站所有主体、产品、召回均为虚构" in text, path


class Loads(HTMLParser):
    """What a page makes the browser fetch: src=, <link rel=stylesheet|icon|preload>, @import and url() in <style>."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.scripts: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and set((a.get("rel") or "").split()) & {"stylesheet", "icon", "preload", "prefetch", "modulepreload"}:
            self.loads.append(a.get("href", ""))
        if tag == "script":
            self.scripts.append(a.get("type") or "text/javascript")
        self._style = tag == "style"

    def handle_data(self, data):
        if self._style:
            self.loads += re.findall(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)", data)
            self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)

    def handle_endtag(self, tag):
        self._style = False


def parse(text: str) -> Loads:
    parser = Loads()
    parser.feed(text)
    return parser


def test_no_page_loads_anything_from_another_host(site):
    for path in html_pages(site):
        loads = parse(path.read_text(encoding="utf-8")).loads
        assert [u for u in loads if urlsplit(u).netloc or u.startswith("//")] == [], path
    css = (site / urls.output_path(urls.static("site.css"))).read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css


def test_provenance_pages_need_no_javascript(site, db):
    for (code,) in db.execute("select code from products"):
        assert set(parse(page(site, urls.product(code))).scripts) <= {"application/ld+json"}, code


def _operators(demo_dir: Path) -> list[dict]:
    with open(demo_dir / "operators.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_no_private_value_anywhere_in_the_site(site, demo_dir):
    rows = _operators(demo_dir)
    secrets = {r["owner_phone"] for r in rows} | {r["owner_id_number"] for r in rows}
    # Three-character names are specific enough to look for everywhere (two characters, like
    # 何静, also occur inside ordinary words such as 如何静态); the next test checks every name.
    secrets |= {r["owner_name"] for r in rows if len(r["owner_name"]) > 2}
    secrets = {s.encode() for s in secrets if s}
    assert len(secrets) > 100
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix != ".zip":
            data = path.read_bytes()
            found = [s.decode() for s in secrets if s in data]
            assert found == [], f"{path}: {found[:3]}"


def test_business_page_shows_only_the_masked_owner_name(site, demo_dir):
    for r in _operators(demo_dir):
        html = page(site, urls.operator(r["id"]))
        assert r["owner_name"] not in html and r["owner_phone"] not in html
        assert f"<dd>{r['owner_name'][0]}*</dd>" in html


def _entries(feed: Path) -> list:
    root = ET.parse(feed).getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text.startswith("https://")
    return root.findall(f"{ATOM}entry")


def test_feeds_are_atom_newest_first(site, db):
    entries = _entries(site / urls.output_path(urls.feed("recalls")))
    titles = [r[0] for r in db.execute("select title from recalls order by issued_on desc, id")]
    assert [e.find(f"{ATOM}title").text for e in entries] == titles
    published = [e.find(f"{ATOM}published").text for e in entries]
    assert published == sorted(published, reverse=True)
    assert all(urlsplit(e.find(f"{ATOM}link").get("href")).scheme == "https" for e in entries)
    notices = _entries(site / urls.output_path(urls.feed("notices")))
    assert notices
    published = [e.find(f"{ATOM}published").text for e in notices]
    assert published == sorted(published, reverse=True)


def test_sitemap_lists_every_page(site, db):
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = {urlsplit(u.text).path for u in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for (code,) in db.execute("select code from products"):
        assert urls.product(code) in locs
    for address in (urls.home(), urls.brands(), urls.recalls(), urls.notices(), urls.grades(),
                    urls.data(), urls.search(), urls.page("report")):
        assert address in locs
    assert locs == {a for a in locs if (site / urls.output_path(a)).is_file()}


def test_brand_catalogue_groups_awarded_brands_with_english_names(site, db):
    html = page(site, urls.brands())
    for brand_id, name, name_en, status in db.execute("select id, name, name_en, status from brands"):
        assert (urls.brand(brand_id) in html) == (status == "awarded"), name
        if status == "awarded" and name_en:
            assert name_en in html


def test_notices_list_open_publicity_first(site, db):
    html = page(site, urls.notices())
    release = db.execute("select release_date from _build").fetchone()[0]
    open_ids = [i for (i,) in db.execute(
        "select id from brands where status = 'publicized' and publicity_start <= ? and publicity_end >= ?",
        (release, release))]
    ended = [i for (i,) in db.execute("select id from brands where publicity_end < ?", (release,))]
    assert open_ids and ended
    first_ended = min(html.index(f'"{urls.brand(i)}"') for i in ended)
    assert all(html.index(f'"{urls.brand(i)}"') < first_ended for i in open_ids)


def test_search_page_offers_the_form_and_a_fallback(site):
    html = page(site, urls.search())
    assert '<form role="search" action="/search/" method="get">' in html
    assert '<input type="search" name="q" id="search-q">' in html
    assert '<ol id="search-results"' in html and 'src="/static/search.js" defer' in html
    assert "<noscript>" in html and urls.datasette_table("products") in html


def test_business_page_shows_grade_history_with_inspection_and_reply(site, db):
    op_id, reply = db.execute(
        "select g.operator_id, i.reply from grades g join inspections i on i.id = g.inspection_id "
        "where i.reply is not null and i.reply != '' order by g.operator_id limit 1").fetchone()
    html = page(site, urls.operator(op_id))
    history = html[html.index('id="grades"'):html.index('id="inspections"')]
    assert reply in history
    assert urls.datasette_row("operators", op_id) in html


def test_active_business_with_lapsed_licence_says_so_at_the_top(site, db):
    ids = [i for (i,) in db.execute(
        "select id from operators where status = 'active' and valid_until < (select release_date from _build)")]
    assert ids, "the demo plants active businesses whose licence lapsed"
    for op_id in ids:
        main = page(site, urls.operator(op_id)).split("<main", 1)[1]
        assert "登记证已过期" in main[: main.index("<h1>")]


def test_county_page_sets_figures_against_targets(site, db):
    rows = db.execute(
        "select region_code, graded_share, target_graded_share from region_figures "
        "where is_release_year and target_graded_share is not null").fetchall()
    assert rows
    for code, actual, target in rows:
        html = page(site, urls.region(code))
        figures = html[html.index('id="figures"'):html.index("</table>", html.index('id="figures"'))]
        row = figures[figures.index("量化分级覆盖率"):]
        row = row[: row.index("</tr>")]
        assert f"{target:g}%" in row and f"{actual:g}%" in row
        assert ("已达标" if actual >= target else "未达标") in row


def test_a_sitemap_over_the_protocol_limit_becomes_an_index(demo_dir):
    """sitemaps.org allows 50,000 URLs per file; a 50,000-business registry has about 240,000 pages."""
    from site_builder.registry.package import Package
    from site_builder.site import feeds, render

    renderer = render.Renderer(Package.load(demo_dir))
    addresses = [urls.product(f"p{i}") for i in range(5)] + [urls.home(), urls.not_found()]
    out = feeds.sitemaps(addresses, "https://zf.example.cn", renderer.render, limit=2)
    assert list(out) == [urls.sitemap(), "/sitemaps/1.xml", "/sitemaps/2.xml", "/sitemaps/3.xml"]
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.fromstring(out[urls.sitemap()].encode())
    assert index.tag == f"{ns}sitemapindex"
    assert [urlsplit(loc.text).path for loc in index.iter(f"{ns}loc")] == list(out)[1:]
    parts = [[urlsplit(loc.text).path for loc in ET.fromstring(out[name].encode()).iter(f"{ns}loc")]
             for name in list(out)[1:]]
    assert [a for part in parts for a in part] == sorted(a for a in addresses if a.endswith("/"))
    assert [len(part) for part in parts] == [2, 2, 2]
