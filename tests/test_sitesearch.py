"""Static site search: exact substring matches, the same in Python and in search.js."""
from __future__ import annotations

import csv
import json
import random
import shutil
import sqlite3
import subprocess
import unicodedata
from pathlib import Path

import pytest

from site_builder import urls
from site_builder.database.build import build_database
from site_builder.registry.package import Package
from site_builder import search
from site_builder.search import index as sitesearch

#: The English name of the awarded brand of a product's maker and category (site/pages.py brand_of).
BRAND_EN = ("(SELECT b.name_en FROM brands b WHERE b.operator_id = t.operator_id AND b.category = t.category "
            "AND b.status = 'awarded' ORDER BY b.id LIMIT 1)")
#: What a visitor can search, per page kind (documented in sitesearch.py); food_en() is the
#: vocabulary's English label of a food category.
FIELDS = {
    "brands": ("id", urls.brand, ("name", "name_en", "category", "food_en(category)")),
    # A barcode as its GTIN-14: the 13 printed digits and the 14 of a /01/ address both find it.
    "products": ("code", urls.product, ("name", "category", "food_en(category)", BRAND_EN, "code",
                                        "substr('00000000000000' || gtin, -14)")),
    "operators": ("id", urls.operator, ("name", "address", "licence_no", "credit_code")),
}


def _connect(db_path: Path) -> sqlite3.Connection:
    from site_builder.vocabulary import food_category

    conn = sqlite3.connect(db_path)
    conn.create_function("food_en", 1, lambda c: food_category(c).en or None)
    return conn
TRICKY = {  # product name -> why it is here
    "<script>alert(1)</script>稷山麻花": "markup in a name stays text",
    "ＪＩＳＨＡＮ Twist 礼盒": "full-width letters match ASCII, any case",
}
NOT_ADJACENT = "稷山县老字号麻花坊（演示）"  # has 稷山 and 麻花, but not 稷山麻花


def _edit_csv(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def search_site(small_registry, tmp_path_factory):
    """The small registry with a few awkward names, its database and its search index."""
    root = tmp_path_factory.mktemp("sitesearch")
    data = root / "data"
    shutil.copytree(small_registry, data)

    def names(rows):
        col = rows[0].index("name")
        for row, name in zip(rows[1:], TRICKY):
            row[col] = name

    def operator(rows):
        rows[1][rows[0].index("name")] = NOT_ADJACENT

    def ongoing(rows):
        header = rows[0]
        for row in rows[1:]:
            row[header.index("status")], row[header.index("closed_on")] = "ongoing", ""

    def withdrawn(rows):
        rows[-1][rows[0].index("status")] = "withdrawn"

    _edit_csv(data / "products.csv", names)
    _edit_csv(data / "products.csv", withdrawn)
    _edit_csv(data / "operators.csv", operator)
    _edit_csv(data / "recalls.csv", ongoing)
    build_database(Package.load(data), root / "registry.db")
    search.write_search_index(root / "registry.db", root / "site")
    return root


def _norm(text) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def brute_force(db_path: Path, q: str) -> set[str]:
    """Addresses of the records where every term of `q` is inside one searchable field."""
    terms = _norm(q).split()
    conn = _connect(db_path)
    found = set()
    for table, (key, address, fields) in FIELDS.items():
        for row in conn.execute(f"SELECT {key}, {', '.join(fields)} FROM {table} t"):
            values = [_norm(v) for v in row[1:]]
            if terms and all(any(t in v for v in values) for t in terms):
                found.add(address(row[0]))
    return found


def sample_queries(db_path: Path, n: int = 400) -> list[str]:
    """Substrings of 1–6 characters cut at random from the searchable text, plus fixed cases."""
    rng = random.Random(5)
    conn = _connect(db_path)
    texts = [v for table, (_k, _a, fields) in FIELDS.items()
             for row in conn.execute(f"SELECT {', '.join(fields)} FROM {table} t") for v in row if v]
    queries = ["麻花", "稷山麻花", "永济牛肉饼", "芝麻糖", "锅巴", "县", "（演示）", "<script>", "jishan",
               "ｔｗｉｓｔ", "稷山 麻花", "没有这个词", "x", "麻花 没有这个词"]
    for _ in range(n):
        text = rng.choice(texts)
        length = rng.randint(1, min(6, len(text)))
        start = rng.randrange(len(text) - length + 1)
        queries.append(text[start:start + length])
    return queries


def test_finds_exactly_the_substring_matches(search_site):
    db = search_site / "registry.db"
    queries = sample_queries(db)
    wrong = {q: (got, want) for q in queries
             if (got := {r["url"] for r in sitesearch.query(search_site / "site", q)}) != (want := brute_force(db, q))}
    assert not wrong, f"{len(wrong)} of {len(queries)} queries differ, e.g. {next(iter(wrong.items()))}"
    assert any(brute_force(db, q) for q in queries[14:]), "the sample should hit records"


def test_multi_character_query_is_a_phrase_not_an_and_of_characters(search_site):
    site = search_site / "site"
    not_adjacent = {r["name"] for r in sitesearch.query(site, "稷山麻花")}
    assert NOT_ADJACENT not in not_adjacent
    assert "<script>alert(1)</script>稷山麻花" in not_adjacent
    assert NOT_ADJACENT in {r["name"] for r in sitesearch.query(site, "稷山 麻花")}


def test_full_width_and_case_insensitive(search_site):
    site = search_site / "site"
    assert "ＪＩＳＨＡＮ Twist 礼盒" in {r["name"] for r in sitesearch.query(site, "jishan twist")}
    assert sitesearch.query(site, "JISHAN TWIST") == sitesearch.query(site, "ｊｉｓｈａｎ ｔｗｉｓｔ")


def test_results_link_to_built_addresses(search_site):
    results = sitesearch.query(search_site / "site", "（演示）")
    conn = sqlite3.connect(search_site / "registry.db")
    operators = {urls.operator(i) for (i,) in conn.execute("SELECT id FROM operators")}
    assert {r["url"] for r in results if r["kind"] == "w"} == operators
    assert [r["kind"] for r in results] == sorted((r["kind"] for r in results), key="bpw".index)


def test_results_say_recalled_and_withdrawn(search_site):
    conn = sqlite3.connect(search_site / "registry.db")

    def result_for(code):
        (name,) = conn.execute("SELECT name FROM products WHERE code = ?", (code,)).fetchone()
        return next(r for r in sitesearch.query(search_site / "site", name) if r["url"] == urls.product(code))

    recalled = {c for (c,) in conn.execute("SELECT product_code FROM ongoing_recalls WHERE product_code IS NOT NULL")}
    assert recalled, "the fixture makes every recall ongoing"
    assert all(result_for(c)["detail"].startswith("⚠ 召回中") for c in recalled)
    (withdrawn,) = conn.execute("SELECT code FROM products WHERE status = 'withdrawn' LIMIT 1").fetchone()
    assert "已撤市" in result_for(withdrawn)["detail"]
    (plain,) = conn.execute("SELECT code FROM products WHERE status = 'active' AND code NOT IN "
                            "(SELECT product_code FROM recalls WHERE product_code IS NOT NULL) LIMIT 1").fetchone()
    assert "召回" not in result_for(plain)["detail"] and "已撤市" not in result_for(plain)["detail"]


def test_what_is_printed_finds_its_page(search_site):
    """A shopper types the barcode under the package (13 digits) or from a GS1 address (14), the
    product code of its QR address; a tourist the licence number or credit code on a 公示牌."""
    conn = sqlite3.connect(search_site / "registry.db")
    code, gtin = conn.execute("SELECT code, gtin FROM products WHERE length(gtin) = 13 ORDER BY code LIMIT 1").fetchone()
    site = search_site / "site"
    for printed in (gtin, "0" + gtin, code, code.upper()):
        assert urls.product(code) in {r["url"] for r in sitesearch.query(site, printed)}, printed
    assert [r["url"] for r in sitesearch.query(site, "0" + gtin)] == [urls.product(code)]
    op_id, licence, credit = conn.execute(
        "SELECT id, licence_no, credit_code FROM operators WHERE credit_code IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    for printed in (licence, credit, credit.lower()):
        assert [r["url"] for r in sitesearch.query(site, printed)] == [urls.operator(op_id)], printed


def test_script_is_published_and_renders_names_as_text(search_site):
    script = (search_site / "site" / "static" / "search.js").read_text(encoding="utf-8")
    assert script == sitesearch.SCRIPT_SOURCE.read_text(encoding="utf-8")
    assert "innerHTML" not in script and "http://" not in script and "https://" not in script
    assert "textContent" in script and "没有找到" in script and "aria-live" in script


NODE_HARNESS = r"""
const fs = require("fs"), path = require("path");
const [script, root] = process.argv.slice(1);
const s = require(script);
const load = (p) => Promise.resolve(JSON.parse(fs.readFileSync(path.join(root, p.split("?")[0]), "utf8")));
(async () => {
  const meta = JSON.parse(fs.readFileSync(path.join(root, "meta.json"), "utf8"));
  const index = new s.Index(meta, load), out = [];
  for (const q of JSON.parse(fs.readFileSync(0, "utf8"))) out.push(await s.matchIds(index, q));
  process.stdout.write(JSON.stringify(out));
})();
"""


def test_search_js_gives_the_same_answers_as_python(search_site):
    queries = sample_queries(search_site / "registry.db", n=150)
    root = search_site / "site" / sitesearch.INDEX_DIR
    done = subprocess.run(
        ["node", "-e", NODE_HARNESS, str(search_site / "site" / "static" / "search.js"), str(root)],
        input=json.dumps(queries), capture_output=True, text=True, timeout=60, check=True,
    )
    index = sitesearch._Index(search_site / "site")
    assert json.loads(done.stdout) == [sitesearch.match_ids(index, q) for q in queries]


def test_the_first_page_of_results_is_light_on_a_cold_cache(demo_build):
    """On the demo, the first 20 results of a query with many hits cost at most 30 KB gzipped
    (meta.json, gram files, record files) and fewer record files than all the hits; the next 20
    need only record files."""
    import gzip

    site = demo_build / "site"
    index = sitesearch._Index(site)
    shown = sitesearch.query(site, "麻花", 0, sitesearch.PAGE, index=index)
    first = list(index.fetched)
    gzipped = sum(len(gzip.compress((site / sitesearch.INDEX_DIR / name).read_bytes())) for name in first)
    assert len(shown) == sitesearch.PAGE and gzipped <= 30_000
    everything = sitesearch._Index(site)
    assert len(sitesearch.query(site, "麻花", index=everything)) > 2 * sitesearch.PAGE
    records = lambda names: [n for n in names if n.startswith("d/")]  # noqa: E731
    assert len(records(first)) < len(records(everything.fetched))
    sitesearch.query(site, "麻花", sitesearch.PAGE, 2 * sitesearch.PAGE, index=index)
    assert index.fetched[len(first):] and records(index.fetched[len(first):]) == index.fetched[len(first):]


def test_same_data_same_index_bytes(search_site, tmp_path):
    search.write_search_index(search_site / "registry.db", tmp_path)
    first = search_site / "site" / "search"
    again = tmp_path / "search"
    listing = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert listing == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((first / p).read_bytes() == (again / p).read_bytes() for p in listing)


def test_the_index_positions_found_with_numpy_are_those_of_the_plain_loop(monkeypatch):
    """encoded_postings (numpy, in chunks of documents) gives every gram exactly the positions
    build_postings' character-by-character loop gives: whitespace of every kind breaks pairs,
    characters beyond the BMP count as one, a document's end never pairs with the next's."""
    monkeypatch.setattr(sitesearch, "CHUNK_DOCS", 3)  # several chunks, one of them short
    texts = ["稷山麻花\n永济牛肉饼", "", "a b\u3000c\td\u00a0e\u2028f", "𠮷野家 𠮷\n\n12", "麻", "花麻",
             "ＡＢ１２", " lead and trail ", "x", "\x01\x02 below the padding"]
    docs = [sitesearch.Doc("p", f"/p/{i}/", t[:3], "", t, str(i)) for i, t in enumerate(texts)]
    stride = max(len(d.text) for d in docs) + 1
    plain = {g: sitesearch._dumps(sitesearch._deltas(p)) for g, p in sitesearch.build_postings(docs, stride).items()}
    assert sitesearch.encoded_postings(docs, stride) == plain
    assert "花麻" in plain and "a" in plain and "𠮷野" in plain and "x" in plain
    assert sitesearch.encoded_postings([], 1) == {}


def test_the_whole_index_is_found_in_little_more_memory_than_its_grams_take(monkeypatch):
    """At 50,000 businesses (17 million grams) sorting the grams' keys and positions apart
    peaked 900 MB above the records, in a process forked from the build's (an added business
    rewrites the whole index): 90 bytes a character of text here, against 66 packed."""
    import tracemalloc

    rng = random.Random(1)
    alphabet = [chr(0x4E00 + i) for i in range(150)] + list("abcdefg0123456789")
    docs = [sitesearch.Doc("p", f"/p/{i}/", "", "", "".join(rng.choice(alphabet) for _ in range(rng.randint(20, 60)))
                           + "\n稷山麻花", str(i)) for i in range(20_000)]
    chars = sum(len(d.text) for d in docs)
    tracemalloc.start()
    try:
        encoded = sitesearch.encoded_postings(docs, max(len(d.text) for d in docs) + 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "稷山" in encoded
    assert peak / chars < 75, f"{peak / chars:.0f} bytes a character of text at the peak"


def test_search_page_in_a_browser(search_site, small_registry):
    """search.js on the real /search/ page: count announced, names shown as text, 没有找到."""
    from playwright.sync_api import sync_playwright
    from sitecheck import CHROMIUM, CHROMIUM_ARGS, StaticServer

    from site_builder.site import render as site_render

    site = search_site / "site"
    html = site_render.Renderer(Package.load(small_registry)).render("search.html", address=urls.search())
    (site / urls.output_path(urls.search())).write_text(html, encoding="utf-8")
    with StaticServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server.url + urls.search() + "?q=" + "<script>")
        page.wait_for_selector("#search-results li")
        items = page.locator("#search-results li a").all_inner_texts()
        assert items == [r["name"] for r in sitesearch.query(site, "<script>")] != []
        assert "<script>alert(1)</script>稷山麻花" in items and dialogs == []
        status = page.locator("#search-status")
        assert status.get_attribute("aria-live") == "polite"
        assert status.inner_text().startswith(f"找到 {len(items)} 条")
        assert page.input_value("#search-q") == "<script>"

        # One result is "1 result", in Chinese and English alike.
        licence = sqlite3.connect(search_site / "registry.db").execute(
            "SELECT licence_no FROM operators ORDER BY id LIMIT 1").fetchone()[0]
        page.goto(server.url + urls.search() + "?q=" + licence)
        page.wait_for_selector("#search-results li")
        assert page.locator("#search-status").inner_text() == "找到 1 条结果。 1 result."

        page.goto(server.url + urls.search() + "?q=没有这个词")
        page.wait_for_function("document.getElementById('search-status')?.textContent.includes('没有找到')")
        assert page.locator("#search-results li").count() == 0
        browser.close()


def test_unchanged_records_keep_the_index_and_a_damaged_file_is_remade(small_registry, tmp_path):
    from site_builder.build.files import Files

    build_database(Package.load(small_registry), tmp_path / "registry.db")
    search.write_search_index(tmp_path / "registry.db", tmp_path / "site")
    index = tmp_path / "site" / sitesearch.INDEX_DIR
    before = {p: p.read_bytes() for p in index.rglob("*.json")}
    files = Files()
    search.write_search_index(tmp_path / "registry.db", tmp_path / "site", files=files)
    assert files.changed_files() == set()
    assert all(files.was_produced(p) for p in before)  # kept files are not pruned
    shard = index / "d" / "0.json"
    shard.write_text("[]", encoding="utf-8")
    search.write_search_index(tmp_path / "registry.db", tmp_path / "site")
    assert {p: p.read_bytes() for p in index.rglob("*.json")} == before
