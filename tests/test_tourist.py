"""What a tourist who reads no Chinese finds: English beside the Chinese on brand, product and
business pages, a way to the shop, the brand's products, search in English, /brands/ filtered
without a script, and a provenance page still light enough for a slow phone."""
from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder import urls
from site_builder.registry.package import Package
from site_builder.search.index import query
from site_builder.site.maps import MapLinks
from site_builder.validate.whole import validate_registry


@pytest.fixture(scope="module")
def db(demo_build):
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def page(demo_build, address: str) -> str:
    html = (demo_build / "site" / urls.output_path(address)).read_text(encoding="utf-8")
    return html[html.index("<main"):html.index("</main>")]


def test_a_brand_page_tells_a_tourist_what_it_is_where_it_is_made_and_what_it_sells(demo_build, db):
    b = db.execute("SELECT * FROM brands WHERE name = '稷山麻花'").fetchone()
    op = db.execute("SELECT * FROM operators WHERE id = ?", (b["operator_id"],)).fetchone()
    main = page(demo_build, urls.brand(b["id"]))
    for english in ("Jishan Mahua (fried dough twist)", "Famous, special and quality product", "Pastries",
                    "Provincial intangible heritage", "Awarded", "Where it is made and sold", "Open in maps"):
        assert english in main, english
    assert f'<p lang="en">{b["story_en"]}</p>' in main
    assert op["address"] in main and urls.operator(op["id"]) in main
    sold = [r["code"] for r in db.execute("SELECT code FROM products WHERE operator_id = ? AND category = ? ORDER BY code",
                                          (op["id"], b["category"]))]
    others = [r["code"] for r in db.execute("SELECT code FROM products WHERE operator_id = ? AND category != ?",
                                            (op["id"], b["category"]))]
    assert sold and all(f'href="{urls.product(c)}"' in main for c in sold)
    assert not any(f'href="{urls.product(c)}"' in main for c in others), "only the brand's kind of food"
    assert 'alt="示意插图' in main and "loading=" not in main.split("<figure", 1)[1].split("</figure>")[0], \
        "the photo near the top is not lazy"


def test_a_product_page_names_its_brand_in_english_and_its_maker(demo_build, db):
    p = db.execute("SELECT p.* FROM products p JOIN brands b ON b.operator_id = p.operator_id AND b.category = p.category "
                   "WHERE b.name = '河津芝麻糖' ORDER BY p.code LIMIT 1").fetchone()
    main = page(demo_build, urls.product(p["code"]))
    assert "Hejin Sesame Candy" in main and "糖果 <span lang=\"en\">Candy</span>" in main
    for label in ("Ingredients", "Shelf life", "Licence", "Grade", "Food workshop", "Open in maps"):
        assert label in main, label


def test_a_business_page_gives_its_facts_in_english_too(demo_build, db):
    op = db.execute("SELECT * FROM operators WHERE status = 'suspended' ORDER BY id LIMIT 1").fetchone()
    main = page(demo_build, urls.operator(op["id"]))
    for label in ("Status", "Suspended", "Licence", "Address", "Grade", "Open in maps"):
        assert label in main, label


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


def test_open_in_maps_links_the_coordinates_to_the_deployers_apps(demo_build, db):
    op = db.execute("SELECT * FROM operators WHERE lat IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    parser = Links()
    parser.feed(page(demo_build, urls.operator(op["id"])))
    lat, lon = f"{op['lat']:.6f}".rstrip("0"), f"{op['lon']:.6f}".rstrip("0")
    geo = next(h for h in parser.hrefs if h.startswith("geo:"))
    assert geo.startswith(f"geo:{lat},{lon}?q={lat},{lon}(")
    assert f"https://uri.amap.com/marker?position={lon},{lat}&" in " ".join(parser.hrefs)
    assert f"https://api.map.baidu.com/marker?location={lat},{lon}&" in " ".join(parser.hrefs)
    assert "coord_type=wgs84" in " ".join(parser.hrefs), "the registry's coordinates are WGS-84"
    assert not any(h.startswith("https://") and "map" in h and "<svg" in h for h in parser.hrefs)
    assert MapLinks([]).links({"lat": None, "lon": None, "name": "x"}) == [], "no coordinates, no links"
    assert [label for label, _ in MapLinks([]).links({"lat": 35.6, "lon": 111.0, "name": "x"})] == \
        ['手机地图 <span lang="en">Map app</span>'], "without apps configured, the geo: link alone"


@pytest.mark.parametrize("template, wrong", [
    ("javascript:alert(1)//{lat}{lon}", "http"),
    ("https://maps.example.com/?q={lat},{lon}&x={owner_phone}", "owner_phone"),
    ("https://maps.example.com/?q={name}", "{lat}"),
])
def test_a_map_app_that_is_not_a_safe_link_is_a_descriptor_problem(small_registry, tmp_path, template, wrong):
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["zuofang:map_links"].append({"name": "坏地图", "url": template})
    (data / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    [problem] = validate_registry(data).problems
    assert (problem.file, problem.field, problem.rule) == ("datapackage.json", "zuofang:map_links[3]", "descriptor-link")
    assert wrong in problem.message
    assert [a["name"] for a in Package.load(data).map_links] == ["高德地图 AMap", "百度地图 Baidu Maps", "OpenStreetMap"], \
        "the page never prints it"


def test_search_finds_english_names_and_answers_in_english(demo_build):
    site = demo_build / "site"
    mahua = query(site, "mahua")
    assert {"稷山麻花"} <= {r["name"] for r in mahua if r["kind"] == "b"}
    products = [r for r in mahua if r["kind"] == "p"]
    assert products and all("Jishan Mahua" in r["detail"] for r in products), "the brand's products, said why"
    candy = query(site, "sesame candy")
    # Hejin Sesame Candy, and Ruicheng Sesame Brittle, a candy (糖果 Candy) too
    assert [r["name"] for r in candy if r["kind"] == "b"] == ["河津芝麻糖", "芮城麻片"]
    assert any(r["kind"] == "p" and r["name"].startswith("河津芝麻糖") for r in candy)
    brand = next(r for r in candy if r["name"] == "河津芝麻糖")
    assert "Hejin Sesame Candy" in brand["detail"] and "糖果 Candy" in brand["detail"] and "已认定 Awarded" in brand["detail"]
    assert query(site, "PASTRIES") == query(site, "pastries") and len(query(site, "pastries")) > 100


def test_brands_can_be_filtered_by_county_and_by_food_without_a_script(demo_build, db):
    html = (demo_build / "site" / urls.output_path(urls.brands())).read_text(encoding="utf-8")
    assert "<script" not in html
    parser = Links()
    parser.feed(html)
    anchors = [h[1:] for h in parser.hrefs if h.startswith("#") and h != "#main"]
    assert anchors and set(anchors) <= parser.ids, "every filter link lands on a section of the page"
    counties = {r[0] for r in db.execute("SELECT DISTINCT o.region_code FROM brands b JOIN operators o ON o.id = b.operator_id "
                                         "WHERE b.status = 'awarded'")}
    categories = {r[0] for r in db.execute("SELECT DISTINCT category FROM brands WHERE status = 'awarded'")}
    assert {f"r-{c}" for c in counties} <= set(anchors) and len([a for a in anchors if a.startswith("c-")]) == len(categories)
    section = html[html.index('id="all-categories"'):]
    for b in db.execute("SELECT id FROM brands WHERE status = 'awarded'"):
        assert section.count(f'href="{urls.brand(b[0])}"') == 1, "each brand once under its kind of food"
    assert f'href="{urls.brand_guide()}"' in html
    cards = html[:html.index('id="all-categories"')]
    assert '省级非遗 <span lang="en">Provincial intangible heritage</span>' in cards, "a card's heritage in English too"


def test_the_provenance_page_stays_within_14_kb_gzipped_with_its_css_and_needs_no_script(demo_build):
    site = demo_build / "site"
    sizes = {}
    for path in (site / "p").glob("*/index.html"):
        html = path.read_bytes()
        assert b'<link rel="stylesheet"' not in html, "the CSS is inlined: one round trip"
        assert re.findall(rb"<script(?![^>]*application/ld\+json)", html) == []
        sizes[path.parent.name] = len(gzip.compress(html, 9))
    heaviest = max(sizes, key=sizes.get)
    assert sizes[heaviest] <= 14 * 1024, (heaviest, sizes[heaviest])
    with_photo = [p.parent.name for p in (site / "p").glob("*/index.html") if b"<picture>" in p.read_bytes()]
    assert with_photo and all(sizes[c] <= 14 * 1024 for c in with_photo)


def test_a_brand_page_says_which_of_its_products_is_recalled_and_a_rebuild_keeps_it_true(small_registry, tmp_path):
    """A tourist choosing from a brand's products must not read 在产 for one under recall; a new
    recall of a brand maker's product renders the brand page again (build/outputs.py)."""
    from test_photos import build_with_images
    from test_site_pages_build import edit_csv, first

    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    brand = first(data / "brands.csv", "id", status="awarded")
    product = first(data / "products.csv", "code", operator_id=brand["operator_id"], category=brand["category"],
                    status="active")
    out = tmp_path / "out"
    build_with_images(data, out)
    address = urls.output_path(urls.brand(brand["id"]))
    before = (out / "site" / address).read_text(encoding="utf-8")
    assert f'{product["name"]}</a> <span class="status status-active">' in before
    recall = first(data / "recalls.csv", "id", status="ongoing")
    for column, value in (("operator_id", brand["operator_id"]), ("product_code", product["code"]), ("sampling_id", "")):
        edit_csv(data / "recalls.csv", "id", recall["id"], column, value)
    build_with_images(data, out)
    after = (out / "site" / address).read_text(encoding="utf-8")
    assert (f'{product["name"]}</a> <span class="status status-ongoing">召回中</span> <span lang="en">Recalled</span>'
            in after)
