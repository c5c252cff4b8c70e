"""The handbook builds with mkdocs --strict, documents every table, field, command and option,
loads nothing from another host, is byte-identical across builds, and its Chinese search finds
two-character words."""
from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitecheck import page_links, page_loads, resolve_internal
from test_build import tree_digest

from site_builder import urls
from site_builder.cli import cli
from site_builder.errors import HandbookError
from site_builder.handbook import build as handbook
from site_builder.handbook import cli_reference, dictionary
from site_builder.registry.package import PRIVATE_KEY, Package


@pytest.fixture(scope="module")
def package(demo_dir) -> Package:
    return Package.load(demo_dir)


@pytest.fixture(scope="module")
def built(package, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handbook") / "handbook"
    handbook.build_handbook(package, out)
    return out


def page_text(built: Path, address: str) -> str:
    return (built / address / "index.html").read_text(encoding="utf-8")


def test_every_page_is_built(built):
    for address in ["", "open-data", "publishing", "labels", "deployment", "meanings", "cli", "dictionary"]:
        page = built / address / "index.html"
        assert page.is_file(), address
        assert '<html lang="zh-CN"' in page.read_text(encoding="utf-8")


def test_every_page_says_it_is_demonstration_data(built, package):
    assert package.is_demo
    for page in built.rglob("*.html"):
        assert "演示数据" in page.read_text(encoding="utf-8"), page


def test_sitemap_is_dated_by_the_release_not_the_clock(built, package):
    import gzip

    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert set(re.findall(r"<lastmod>(.*?)</lastmod>", sitemap)) == {package.release_date.isoformat()}
    assert gzip.decompress((built / "sitemap.xml.gz").read_bytes()).decode("utf-8") == sitemap
    assert "https://zf.example.cn/handbook/dictionary/operators/" in sitemap


def test_strict_build_fails_on_a_broken_link(package, tmp_path, monkeypatch):
    broken = tmp_path / "src"
    shutil.copytree(handbook.SOURCE_DIR, broken)
    page = broken / "docs" / "labels.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[不存在的页面](no-such-page.md)\n", encoding="utf-8")
    monkeypatch.setattr(handbook, "SOURCE_DIR", broken)
    with pytest.raises(HandbookError, match="no-such-page.md|strict"):
        handbook.build_handbook(package, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_dictionary_has_every_table_and_field(built, package):
    index = page_text(built, "dictionary")
    for table in dictionary.tables(package):
        assert f'href="{table}/"' in (built / "dictionary" / "index.html").read_text(encoding="utf-8")
        text = page_text(built, f"dictionary/{table}")
        resource = package.resources[table]
        assert resource["title"] in text and resource["title"] in index
        assert resource["description"] in text
        for key in package.primary_key(table):
            assert f"<code>{key}</code>" in text
        for fk in package.foreign_keys(table):
            target = fk["reference"].get("resource") or table
            assert (f'href="../{target}/"' if target != table else 'href="./"') in text
        for field in package.fields(table):
            row = _table_row(text, field["name"])
            assert row is not None, f"{table}.{field['name']} is missing from the dictionary"
            assert field.get("description", "") in html.unescape(_plain(row)), f"{table}.{field['name']}"
            for value in field.get("constraints", {}).get("enum", []):
                assert f"<code>{value}</code>" in row
            if "pattern" in field.get("constraints", {}):
                assert f"<code>{field['constraints']['pattern']}</code>" in html.unescape(row)
            required = field.get("constraints", {}).get("required", False)
            assert ("是 yes" in row) == required
            if PRIVATE_KEY in field:
                assert "隐私" in row and ("遮蔽" in row if field[PRIVATE_KEY] == "mask" else "不公开" in row)
            else:
                assert "公开 public" in row


def _table_row(text: str, name: str) -> str | None:
    match = re.search(rf"<tr>\s*<td><code>{re.escape(name)}</code>.*?</tr>", text, re.S)
    return match.group(0) if match else None


def _plain(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def test_meanings_explain_every_allowed_value(built, package):
    text = page_text(built, "meanings")
    for table, field in dictionary.enumerated_fields(package):
        assert f"<code>{table}.{field['name']}</code>" in text
        for value, meaning in dictionary.enum_meanings(field):
            assert f"<code>{value}</code>" in text
            if meaning:
                assert re.search(rf"<code>{re.escape(value)}</code></td>\s*<td>{re.escape(meaning)}</td>", text)
    # The three smileys are explained from the schema's own words.
    grade = package.field("grades", "grade")
    assert dict(dictionary.enum_meanings(grade)) == {"A": "优秀（大笑）", "B": "良好（微笑）", "C": "一般（平脸）"}


def test_the_committed_cli_reference_is_what_the_cli_says():
    """The handbook's CLI page is generated into its sources (the build never imports the CLI);
    after changing a command, run  python -m site_builder.handbook.cli_reference > site_builder/handbook/src/docs/cli.md"""
    committed = (handbook.SOURCE_DIR / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_reference.page(cli), "site_builder/handbook/src/docs/cli.md is stale"


def test_meanings_say_what_each_status_means_in_the_vocabularys_words(built):
    """Every status, kind, level and grade the site prints is explained with the vocabulary's own
    Chinese, English and note (a revoked licence is 已吊销, the note says it is a penalty)."""
    from site_builder import vocabulary

    text = html.unescape(page_text(built, "meanings"))
    for table, columns in vocabulary.CODED.items():
        for column, terms in columns.items():
            if table in ("targets", "grades") or (table, column) == ("programme_targets", "metric"):
                continue  # metrics are figures, explained beside them (the programmes guide); grades have their smiley (below)
            assert f"<code>{table}.{column}</code>" in text
            for code_value, term in terms.items():
                row = re.search(rf"<td><code>{re.escape(code_value)}</code></td>\s*<td><strong>{re.escape(term.zh)}</strong></td>"
                                rf"\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", text)
                assert row, (table, column, code_value)
                assert (row.group(1), row.group(2)) == (term.en, term.note or "—")
    for grade, term in vocabulary.GRADES.items():
        assert re.search(rf"<td><code>{grade}</code></td>\s*<td>{vocabulary.FACES[grade]}</td>\s*<td><strong>{term.zh}"
                         rf"</strong></td>\s*<td>{term.en}</td>\s*<td>{vocabulary.GRADE_MEANINGS[grade]}</td>", text), grade
    assert "登记证被市场监管部门作为行政处罚吊销" in text and vocabulary.GRADE_VOID.zh in text
    assert all(term.zh in text for term in vocabulary.VERDICTS.values() if len(term.zh) > 2)


def test_cli_reference_has_every_command_and_option(built):
    text = page_text(built, "cli")
    commands = list(cli_reference.walk(cli))
    assert {name for name, _, _ in commands} >= {"zuofang", "zuofang validate", "zuofang build",
                                                 "zuofang serve", "zuofang demo-data"}
    for name, command, _help in commands:
        section = text.split(f"<code>{name}</code>", 1)
        assert len(section) == 2, f"{name} is missing from the CLI reference"
        for option in cli_reference.options(command):
            assert option in section[1], f"{name} {option}"
        if command.help:
            assert command.help.split("\n")[0].strip() in section[1]


def test_nothing_loads_from_another_host(built):
    pages = sorted(built.rglob("*.html"))
    for page in pages:
        for url in page_loads(page):
            assert not urlsplit(url).netloc and not urlsplit(url).scheme, (page, url)
    for css in built.rglob("*.css"):
        source = css.read_text(encoding="utf-8")
        assert not re.findall(r"@import|url\(\s*['\"]?(?:https?:)?//", source), css
    everything = b"".join(p.read_bytes() for p in built.rglob("*") if p.is_file() and p.suffix != ".gz")
    assert b"fonts.googleapis" not in everything and b"fonts.gstatic" not in everything


# Addresses mkdocs-material's JavaScript could fetch, each only when a feature is used that this
# handbook leaves off: the feature's marker in the pages must then be absent.
CONDITIONAL_LOADS = {
    "https://unpkg.com/mermaid": 'class="mermaid"',                 # diagrams: no mermaid fence configured
    "https://api.github.com": 'data-md-component="source"',         # repository facts: no repo_url
    "https://unpkg.com/resize-observer-polyfill": None,              # old browsers: our stand-in defines it
}


def test_scripts_fetch_nothing_from_another_host(built):
    pages = "".join(p.read_text(encoding="utf-8") for p in built.rglob("*.html"))
    for script in built.rglob("*.js"):
        source = script.read_text(encoding="utf-8")
        # Fetches go through material's helpers with a literal or a template string.
        for url in re.findall(r"[\"'`](https?://[^\"'`$]+)", source):
            known = next((k for k in CONDITIONAL_LOADS if url.startswith(k)), None)
            if known is None:
                assert "lunr" in script.name or re.match(r"https?://(bit\.ly|lunrjs\.com|tartarus\.org)", url), (script, url)
                continue
            marker = CONDITIONAL_LOADS[known]
            if marker:
                assert marker not in pages, (url, marker)
    assert 'window.ResizeObserver = function' in (built / "index.html").read_text(encoding="utf-8")


def test_search_worker_has_the_language_files_it_loads(built):
    """Unused assets are left out, but never a file the search worker imports for its languages."""
    config = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    assert config["lang"] == list(handbook.SEARCH_LANGUAGES)
    lunr = built / "assets" / "javascripts" / "lunr" / "min"
    assert sorted(p.name for p in lunr.iterdir()) == sorted(
        ["lunr.stemmer.support.min.js"] + [f"lunr.{lang}.min.js" for lang in config["lang"]])
    assert not list(built.rglob("*.map"))


def test_internal_links_resolve_within_the_handbook(built):
    """Links inside the handbook resolve; links to the rest of the site (/, /data/, /datasette/) are absolute."""
    for page in sorted(built.rglob("*.html")):
        for _tag, _attr, url in page_links(page):
            if url.startswith(urls.handbook()):  # 404.html is served at any depth, so it links by full path
                assert (built / url.removeprefix(urls.handbook())).exists(), (page, url)
                continue
            if url.startswith("/"):  # the rest of the site: addresses urls.py builds
                assert url in (urls.home(), urls.data()) or url.startswith(urls.DATASETTE_BASE), (page, url)
                continue
            target = resolve_internal(built, page, url)
            if target is not None:
                assert target.exists(), (page, url)


def test_another_build_is_byte_identical_and_rewrites_nothing(built, demo_dir, tmp_path):
    """A build in a fresh process (another hash seed) over a copy of the first build's output
    finds every file already holding exactly its bytes."""
    import os
    import subprocess
    import sys

    again = tmp_path / "again"
    shutil.copytree(built, again)
    result = subprocess.run(
        [sys.executable, "-m", "site_builder.handbook", str(demo_dir), str(again)],
        env={**os.environ, "PYTHONHASHSEED": "4242"}, capture_output=True, text=True, check=True,
    )
    assert result.stdout.startswith("0 files written"), result.stdout + result.stderr
    assert tree_digest(again, inodes=False) == tree_digest(built, inodes=False)


def test_unchanged_inputs_keep_the_previous_handbook(built, package, tmp_path, monkeypatch):
    """New records alone do not touch the handbook: with the same schemas, sources and CLI, the
    previous files are kept without running mkdocs (and count as produced, so the build's prune
    keeps them); a schema change rebuilds it."""
    import copy

    from site_builder.build.files import Files
    from site_builder.build.state import FolderRecord

    previous = tmp_path / "handbook"
    shutil.copytree(built, previous)
    handbook.build_handbook(package, previous, files=Files(records=FolderRecord(tmp_path)))  # its record
    files = Files(records=FolderRecord(tmp_path))
    with monkeypatch.context() as patched:
        patched.setattr(handbook, "render", lambda *args: pytest.fail("mkdocs ran for unchanged inputs"))
        assert handbook.build_handbook(package, previous, files=files) == 0
    assert files.prune(previous) == []

    descriptor = copy.deepcopy(package.descriptor)
    field = next(f for r in descriptor["resources"] if r["name"] == "operators"
                 for f in r["schema"]["fields"] if f["name"] == "address")
    field["description"] = "经营场所地址（含门牌号）。"
    assert handbook.build_handbook(Package(package.directory, descriptor), previous,
                                   files=Files(records=FolderRecord(tmp_path))) > 0
    assert "经营场所地址（含门牌号）。" in page_text(previous, "dictionary/operators")


# --- Chinese search -------------------------------------------------------------------------
# The browser side of mkdocs-material's search, in Python: the index's text is split with the
# configured separator (jieba put U+200B between words at build time); a Chinese query is cut
# greedily into words the index knows (material's segment(), including its habit of never
# taking the query's last character into a longer cut), and every term matches as a prefix.
# test_search_in_a_real_browser checks the same queries in Chromium.

def _segment(query: str, vocabulary: set[str]) -> list[str]:
    n = len(query)
    cuts = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            if query[i:j] in vocabulary:
                cuts[i] = j - i
    segments, stack = [], [0]
    while stack:
        p = stack.pop()
        for q in range(1, cuts[p]):
            if cuts[p + q] > cuts[p] - q:
                segments.append(query[p:p + q])
                stack.append(p + q)
        q = p + cuts[p]
        if q < n - 1 and cuts[q]:
            stack.append(q)
        segments.append(query[p:q])
    return [query] if "" in segments else list(dict.fromkeys(segments))


def search_pages(built: Path, query: str) -> set[str]:
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    docs = [(d["location"].split("#")[0], {t.lower() for t in separator.split(re.sub(r"<[^>]+>", " ", d["title"] + " " + d["text"])) if t})
            for d in index["docs"]]
    vocabulary = set().union(*(tokens for _, tokens in docs))
    terms = _segment(query, vocabulary)
    return {location for location, tokens in docs if any(t.startswith(term) for t in tokens for term in terms)}


@pytest.mark.parametrize("query, pages", [
    ("麻花", {"open-data/", "dictionary/products/", "dictionary/brands/"}),
    ("抽检", {"dictionary/samplings/", "open-data/", "publishing/"}),
    ("召回", {"dictionary/recalls/", "meanings/"}),
    ("作坊", {"dictionary/operators/", "labels/"}),   # inside 小作坊: split by jieba_user.txt
    ("区划", {"dictionary/regions/"}),               # inside 行政区划
    ("隐私", {"dictionary/operators/"}),
])
def test_search_finds_two_character_words(built, query, pages):
    assert pages <= search_pages(built, query)


def test_search_finds_every_page_containing_the_word(built):
    """Recall over the handbook: each page whose text contains a word is among its results."""
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    plain = {}
    for d in index["docs"]:
        page = d["location"].split("#")[0]
        plain[page] = plain.get(page, "") + re.sub(r"<[^>]+>", "", d["title"] + d["text"]).replace("\u200b", "")
    for word in ["麻花", "抽检", "召回", "二维码", "公示", "等级", "合格", "撤市", "预警", "遮蔽", "校验"]:
        containing = {page for page, text in plain.items() if word in text}
        assert containing and containing <= search_pages(built, word), word


@pytest.fixture(scope="module")
def browser_on_handbook(built, tmp_path_factory):
    """Chromium and a local static server with the handbook at /handbook/, as on the site."""
    from playwright.sync_api import sync_playwright
    from sitecheck import CHROMIUM, CHROMIUM_ARGS, StaticServer

    root = tmp_path_factory.mktemp("handbook-site")
    shutil.copytree(built, root / "handbook")
    with StaticServer(root) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser, server
        finally:
            browser.close()


def test_search_in_a_real_browser(built, browser_on_handbook):
    """Chromium runs material's own search on the built handbook and finds the same pages."""
    import time

    browser, server = browser_on_handbook
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for query, expected in [("麻花", {"open-data/", "dictionary/products/"}),
                            ("抽检", {"dictionary/samplings/"})]:
        page.goto(server.url + "/handbook/", wait_until="networkidle")
        found = None
        for _ in range(40):  # the index loads in a web worker; retry until it answers
            page.fill("input.md-search__input", query)
            page.press("input.md-search__input", "End")  # material listens for key events
            time.sleep(0.25)
            if page.query_selector(".md-search-result__item"):
                found = page.eval_on_selector_all(
                    ".md-search-result__item > a", "els => els.map(e => e.getAttribute('href'))")
                break
        assert found, query
        pages = {urlsplit(h).path.removeprefix("/handbook/") for h in found}
        # material shows the first results only (more on scrolling): a subset of the model's.
        assert expected <= pages <= search_pages(built, query), query
    assert [u for u in requests if not u.startswith(server.url)] == []
    page.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("address", ["", "open-data/", "publishing/", "meanings/", "dictionary/operators/", "cli/"])
def test_pages_pass_axe(browser_on_handbook, address):
    browser, server = browser_on_handbook
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/handbook/{address}", wait_until="networkidle")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))")
    page.close()
    assert violations == [] and errors == []
