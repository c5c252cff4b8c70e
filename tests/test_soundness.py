"""The soundness stage stops a build whose output would send a scanner or a visitor nowhere."""
from __future__ import annotations

import pytest
from test_build import tree_digest

from site_builder import urls
from site_builder.build.pipeline import build
from site_builder.build.soundness import broken_links, missing_pages
from site_builder.errors import BuildError


@pytest.fixture(scope="module")
def built(tmp_path_factory, small_registry):
    out = tmp_path_factory.mktemp("sound") / "out"
    build(small_registry, out)
    return out


def first_product(out):
    import sqlite3

    conn = sqlite3.connect(out / "registry.db")
    code = conn.execute("select code from products order by code limit 1").fetchone()[0]
    conn.close()
    return code


def test_a_good_build_has_nothing_missing(built):
    assert missing_pages(built / "registry.db", built / "site") == []
    pages = sorted((built / "site").rglob("*.html"))
    assert broken_links(built / "site", pages) == []


def test_a_missing_qr_image_stops_the_build_and_keeps_the_old_output(built, small_registry, monkeypatch):
    """A QR stage that leaves one product out: the previous output's image of it does not count."""
    from qr import build as qr_build

    before = tree_digest(built)
    code = first_product(built)
    real_load = qr_build.records.load

    def load_all_but_one(*args, **kwargs):
        registry = real_load(*args, **kwargs)
        registry.products = [p for p in registry.products if p.code != code]
        return registry

    monkeypatch.setattr(qr_build.records, "load", load_all_but_one)
    # A full QR run: a rebuild of the same data would keep every QR file unread (qr/scope.py).
    monkeypatch.setattr(qr_build, "plan", lambda changes, db_path: None)
    with pytest.raises(BuildError, match=f"缺少二维码 /qr/{code}.png"):
        build(small_registry, built)
    assert tree_digest(built) == before


def test_a_broken_link_is_named_with_its_page(built, tmp_path):
    site = tmp_path / "site"
    (site / "p" / "x").mkdir(parents=True)
    page = site / "p" / "x" / "index.html"
    page.write_text('<a href="/w/nobody/">maker</a> <a href="/datasette/registry/x">row</a> <a href="#top">top</a>',
                    encoding="utf-8")
    assert broken_links(site, [page]) == ["/p/x/index.html：链接 /w/nobody/ 指向不存在的文件"]
    # Relative and absolute links, to folders and files, with queries; a target broken for
    # one page is broken for the next one too.
    (site / "w" / "here").mkdir(parents=True)
    (site / "w" / "here" / "index.html").write_text("", encoding="utf-8")
    (site / "static").mkdir()
    (site / "static" / "site.css").write_text("", encoding="utf-8")
    other = site / "p" / "y" / "index.html"
    other.parent.mkdir()
    other.write_text('<link rel="stylesheet" href="/static/site.css?v=1"> <a href="../../w/here/">ok</a> '
                     '<a href="../../w/gone/">gone</a> <a href="/w/here">no slash</a> <a href="/w/nobody/#x">again</a>'
                     ' <img src="/static/missing.png" alt="">', encoding="utf-8")
    assert broken_links(site, [page, other]) == [
        "/p/x/index.html：链接 /w/nobody/ 指向不存在的文件",
        "/p/y/index.html：链接 ../../w/gone/ 指向不存在的文件",
        "/p/y/index.html：链接 /w/nobody/#x 指向不存在的文件",
        "/p/y/index.html：链接 /static/missing.png 指向不存在的文件",
    ]


def test_a_missing_provenance_page_is_reported(built, tmp_path):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(built / "site", site)
    code = first_product(built)
    (site / urls.output_path(urls.product(code))).unlink()
    assert missing_pages(built / "registry.db", site) == [f"products {code}：缺少页面 /p/{code}/"]


def test_dropping_a_published_gs1_address_fails_the_build(built, small_registry, tmp_path):
    """A GTIN printed as a barcode lives as long as the package: its /01/ address is permanent."""
    import shutil
    import sqlite3

    from test_site_pages_build import edit_csv

    from site_builder.checksums import gtin14
    from site_builder.errors import PermanenceError

    data = tmp_path / "data"
    shutil.copytree(small_registry, data)
    conn = sqlite3.connect(built / "registry.db")
    code, gtin = conn.execute("select code, gtin from products where gtin is not null order by code limit 1").fetchone()
    conn.close()
    address = urls.gs1_digital_link(gtin14(gtin))
    assert (built / "site" / urls.output_path(address)).is_file()
    edit_csv(data / "products.csv", "code", code, "gtin", "")
    before = tree_digest(built)
    with pytest.raises(PermanenceError, match=address):
        build(data, built)
    assert tree_digest(built) == before


# --- links: the pages a build wrote are read, the others answered for from the record -------

def link_build(site, pages: dict[str, str], record: dict | None = None, changed=None, gone=()):
    """One build's link check over `site`: `pages` (rel path -> HTML) and the other files are
    produced, except `gone`; `changed` (default: every page) were written by it; `record` is
    the previous build's state-record sections. Returns (problems, the sections it wrote)."""
    from site_builder.build import links
    from site_builder.build.files import Files
    from site_builder.build.state import StateRecord

    for rel, html in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(html, encoding="utf-8")
    files = Files(site.parent, None, StateRecord(record, authentic=record is not None))
    files.produced = {str(p) for p in site.rglob("*") if p.is_file() and p.relative_to(site).as_posix() not in gone}
    files.changed = {str(site / rel) for rel in (pages if changed is None else changed)}
    problems = links.check_site(site, files, ["/p/x/", "/w/a/"])
    return problems, files.records.new


SITE = {
    "w/a/index.html": '<a href="/p/x/">x</a> <a href="/labels/a.pdf">sheet</a> <link href="/static/site.css">',
    "p/x/index.html": '<a href="/w/a/">maker</a> <a href="../../labels/a.pdf">sheet</a> <link href="/static/site.css">',
    **{f"about{i}/index.html": '<link href="/static/site.css"> <a href="/p/x/">x</a>' for i in range(20)},
}


def site_with_files(tmp_path):
    site = tmp_path / "out" / "site"
    for rel in ("labels/a.pdf", "static/site.css"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(b"x")
    return site


def test_an_unchanged_page_linking_to_a_target_that_is_gone_is_caught(tmp_path):
    """The sheet is no longer made; neither page linking to it changed: the record names them."""
    site = site_with_files(tmp_path)
    problems, record = link_build(site, SITE)
    assert problems == []
    problems, _ = link_build(site, {}, record, changed=[], gone={"labels/a.pdf"})
    assert problems == ["/p/x/index.html：链接 ../../labels/a.pdf 指向不存在的文件",
                        "/w/a/index.html：链接 /labels/a.pdf 指向不存在的文件"]


def test_a_target_linked_from_many_pages_that_is_gone_means_reading_every_page(tmp_path):
    site = site_with_files(tmp_path)
    _, record = link_build(site, SITE)
    problems, _ = link_build(site, {}, record, changed=[], gone={"static/site.css"})
    assert len(problems) == len(SITE)
    assert "/about7/index.html：链接 /static/site.css 指向不存在的文件" in problems


def test_a_changed_page_linking_to_a_missing_address_is_caught_and_unchanged_pages_are_not_read(tmp_path):
    site = site_with_files(tmp_path)
    _, record = link_build(site, SITE)
    # An unchanged page is not read again: nothing it links to is gone (this text is never seen).
    (site / "about3" / "index.html").write_text('<a href="/nowhere/">', encoding="utf-8")
    problems, _ = link_build(site, {"p/x/index.html": '<a href="/w/gone/">maker</a>'}, record)
    assert problems == ["/p/x/index.html：链接 /w/gone/ 指向不存在的文件"]
    problems, record = link_build(site, {"p/x/index.html": '<a href="/w/a/">maker</a>'}, record)
    assert problems == []
    # What the unread pages link to is remembered still: the sheet, from /w/a/ only now.
    problems, _ = link_build(site, {}, record, changed=[], gone={"labels/a.pdf"})
    assert problems == ["/w/a/index.html：链接 /labels/a.pdf 指向不存在的文件"]


def test_without_a_trusted_record_every_page_is_read(tmp_path):
    site = site_with_files(tmp_path)
    link_build(site, SITE)
    (site / "about3" / "index.html").write_text('<a href="/nowhere/">', encoding="utf-8")
    problems, _ = link_build(site, {}, None, changed=[])
    assert problems == ["/about3/index.html：链接 /nowhere/ 指向不存在的文件"]


def test_a_file_no_longer_made_breaks_the_unchanged_pages_linking_to_it(built, small_registry, monkeypatch):
    """A rebuild in which nothing changed but the icon every page links to is not written any
    more: no page is rewritten, yet the build fails and the old output stays."""
    from site_builder.site import render

    before = tree_digest(built)
    monkeypatch.setattr(render, "STATIC_FILES", tuple(n for n in render.STATIC_FILES if n != "icon.svg"))
    with pytest.raises(BuildError, match="链接 /static/icon.svg 指向不存在的文件"):
        build(small_registry, built)
    assert tree_digest(built) == before


def test_a_published_address_must_be_on_disk(tmp_path):
    from site_builder.build.files import Files
    from site_builder.build.soundness import unpublished

    site = tmp_path / "site"
    (site / "p" / "x").mkdir(parents=True)
    (site / "p" / "x" / "index.html").write_text("", encoding="utf-8")
    assert unpublished(["/p/x/", "/p/y/"], site, Files()) == ["缺少页面 /p/y/"]


def test_datasette_is_asked_whenever_the_database_or_its_metadata_may_differ(built, small_registry, tmp_path,
                                                                             monkeypatch):
    """A rebuild that keeps registry.db and its metadata as Datasette last answered on them does
    not start Datasette again; once a row changed, Datasette is asked, and a refusal fails the build."""
    import shutil

    from test_site_pages_build import edit_csv

    from site_builder.build import soundness

    out = tmp_path / "out"
    shutil.copytree(built, out)
    log, refuse = tmp_path / "asked", []

    def ask(db_path, metadata_path):
        # Datasette is asked in a forked process beside the stages: it leaves its mark on disk.
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{db_path}\n")
        return ["Datasette 无法打开 registry.db（HTTP 500）"] if refuse else []

    def asked() -> list[str]:
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    monkeypatch.setattr(soundness, "datasette_problems", ask)
    build(small_registry, out)  # the copy's files are read once (their stat differs)
    before = len(asked())
    build(small_registry, out)
    assert len(asked()) == before
    data = tmp_path / "data"
    shutil.copytree(small_registry, data)
    edit_csv(data / "products.csv", "code", first_product(out), "name", "改名的产品")
    unchanged = tree_digest(out)
    refuse.append(True)
    with pytest.raises(BuildError, match="HTTP 500"):
        build(data, out)
    assert len(asked()) == before + 1
    assert tree_digest(out) == unchanged


def test_the_early_datasette_check_leaves_no_process_behind_when_a_later_stage_fails(small_registry, tmp_path,
                                                                                      monkeypatch):
    """Datasette opens the new registry.db in a forked process right after the database stage;
    a build that fails later waits for it, so that no process outlives the failed build."""
    import multiprocessing

    from site_builder.build import pipeline

    def broken(ctx):
        raise RuntimeError("the site stage broke")

    monkeypatch.setattr(pipeline, "STAGES", [(n, broken if n == "site" else run) for n, run in pipeline.STAGES])
    with pytest.raises(BuildError, match="the site stage broke"):
        build(small_registry, tmp_path / "out")
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out").exists()
