"""`zuofang print labels|posters`: one PDF for one workshop, a station's batch or a region's, checked
as printed (pages and their size, the one embedded font, every code decoded from poppler's
rendering), and what it refuses to do."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from qr import fonts
from site_builder import urls
from site_builder.cli import cli
from site_builder.registry.standing import standing

#: Rendering resolution: a label's 34 mm code is then 200 px wide, a poster's 52 mm one 205 px.
DPI = {"labels": 150, "posters": 100}
A4_PT = (595.28, 841.89)
PER_SHEET = 21  # 3 × 7 labels


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory, demo_dir) -> Path:
    """An OUT_DIR holding the demo's registry.db: all `zuofang print` reads."""
    from site_builder.database.build import build_database
    from site_builder.registry.package import Package

    out = tmp_path_factory.mktemp("print") / "out"
    out.mkdir()
    build_database(Package.load(demo_dir), out / "registry.db")
    return out


def _query(out: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(out / "registry.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _run(*args: str):
    return CliRunner().invoke(cli, ["print", *args])


def _print(out: Path, kind: str, option: str, value: str, target: Path):
    result = _run(kind, str(out), option, value, "--out", str(target))
    assert result.exit_code == 0, result.output
    return target


def _workshops(out: Path, where: str, *args) -> list[str]:
    """The selection's workshops in the order a batch prints them: by station, then id."""
    return [r[0] for r in _query(out, f"SELECT id FROM operators o WHERE kind = 'workshop' AND {where} "
                                      "ORDER BY station_id, id", *args)]


def _expected_pages(out: Path, kind: str, workshops: list[str]) -> list[list[str]]:
    """The addresses each page must decode to, page by page: a poster per workshop with its /w/
    page; a workshop's sheets with its active products' /p/ pages (none when it may not operate,
    which still prints one sheet saying so), 21 to a sheet."""
    site_url = _query(out, "SELECT site_url FROM _build")[0][0]
    if kind == "posters":
        return [[urls.absolute(site_url, urls.operator(w))] for w in workshops]
    release = date.fromisoformat(_query(out, "SELECT release_date FROM _build")[0][0][:10])
    pages = []
    for w in workshops:
        status, valid_until, since = _query(out, "SELECT status, valid_until, status_since FROM operators WHERE id = ?", w)[0]
        operating = standing({"status": status, "valid_until": valid_until, "status_since": since}, release).operating
        codes = [c for (c,) in _query(out, "SELECT code FROM products WHERE operator_id = ? AND status = 'active' "
                                           "ORDER BY code", w)] if operating else []
        addresses = [urls.absolute(site_url, urls.product(c)) for c in codes]
        pages += [addresses[i:i + PER_SHEET] for i in range(0, len(addresses), PER_SHEET)] or [[]]
    return pages


def _decoded_pages(pdf: Path, dpi: int, tmp_path: Path) -> list[list[str]]:
    folder = tmp_path / f"pages-{pdf.stem}"
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    pages = []
    for png in sorted(folder.glob("p-*.png")):
        found = []
        for result in zxingcpp.read_barcodes(Image.open(png)):
            found.append(result.text)
            xs = [result.position.top_left.x, result.position.top_right.x]
            assert (max(xs) - min(xs)) / dpi * 25.4 >= 20  # a phone reads it at arm's length
        pages.append(sorted(found))
    return pages


def _check(pdf: Path, kind: str, expected: list[list[str]], tmp_path: Path) -> None:
    """Page count, A4 pages, one embedded font subset, and exactly the expected codes on each page."""
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(expected)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=0.01)
    used = set()
    for page in reader.pages:
        names = page["/Resources"]["/Font"]
        used |= {names.raw_get(name).idnum for name in names}
    assert len(used) == 1, "every page uses the same one font"
    font = reader.get_object(used.pop())
    assert font["/Subtype"] == "/Type0" and re.fullmatch(r"/[A-Z]{6}\+\S+", font["/BaseFont"])
    embedded = [obj for obj in (reader.get_object(n) for n in reader.xref[0]) if hasattr(obj, "get") and "/FontFile2" in obj]
    assert len(embedded) == 1, "the font subset is embedded once in the file, not once per workshop"
    assert _decoded_pages(pdf, DPI[kind], tmp_path) == [sorted(page) for page in expected]


def _busiest_station(out: Path) -> str:
    return _query(out, "SELECT station_id FROM operators WHERE kind = 'workshop' GROUP BY station_id "
                       "ORDER BY count(*) DESC, station_id LIMIT 1")[0][0]


def _small_county(out: Path) -> str:
    """A county whose workshops several stations supervise, the one with the fewest workshops."""
    return _query(out, "SELECT region_code FROM operators WHERE kind = 'workshop' GROUP BY region_code "
                       "HAVING count(DISTINCT station_id) > 1 ORDER BY count(*), region_code LIMIT 1")[0][0]


@pytest.mark.parametrize("kind", ["labels", "posters"])
def test_a_stations_batch_is_one_pdf_of_its_workshops_in_order(out_dir, kind, tmp_path):
    station = _busiest_station(out_dir)
    pdf = _print(out_dir, kind, "--station", station, tmp_path / f"{kind}.pdf")
    workshops = _workshops(out_dir, "station_id = ?", station)
    assert len(workshops) > 5
    _check(pdf, kind, _expected_pages(out_dir, kind, workshops), tmp_path)


@pytest.mark.parametrize("kind", ["labels", "posters"])
def test_a_region_holds_its_workshops_of_every_station(out_dir, kind, tmp_path):
    county = _small_county(out_dir)
    pdf = _print(out_dir, kind, "--region", county, tmp_path / f"{kind}.pdf")
    _check(pdf, kind, _expected_pages(out_dir, kind, _workshops(out_dir, "region_code = ?", county)), tmp_path)


def test_a_city_code_holds_the_workshops_of_all_its_counties(out_dir, tmp_path):
    city = _query(out_dir, "SELECT code FROM regions WHERE level = 'city' ORDER BY code LIMIT 1")[0][0]
    workshops = _workshops(out_dir, "region_code IN (SELECT code FROM regions WHERE parent_code = ?)", city)
    pdf = _print(out_dir, "posters", "--region", city, tmp_path / "city.pdf")
    pages = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, encoding="utf-8").stdout
    pages = pages.split("\f")[:-1]  # one form feed after each page
    assert len(pages) == len(workshops) == _query(out_dir, "SELECT count(*) FROM operators WHERE kind = 'workshop'")[0][0]
    licences = [_query(out_dir, "SELECT licence_no FROM operators WHERE id = ?", w)[0][0] for w in workshops]
    assert [licence in page for page, licence in zip(pages, licences)] == [True] * len(licences)


@pytest.mark.parametrize("kind", ["labels", "posters"])
def test_one_workshop(out_dir, kind, tmp_path):
    busiest = _query(out_dir, "SELECT o.id FROM operators o JOIN products p ON p.operator_id = o.id "
                              "WHERE o.kind = 'workshop' AND o.status = 'active' AND p.status = 'active' "
                              "GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1")[0][0]
    pdf = _print(out_dir, kind, "--operator", busiest, tmp_path / f"{kind}.pdf")
    _check(pdf, kind, _expected_pages(out_dir, kind, [busiest]), tmp_path)


def test_the_font_is_cut_once_for_the_whole_batch(out_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no kept cut to reuse
    cuts = []
    cut = fonts.SubsetFont._cut
    monkeypatch.setattr(fonts.SubsetFont, "_cut", lambda self: cuts.append(1) or cut(self))
    _print(out_dir, "labels", "--station", _busiest_station(out_dir), tmp_path / "batch.pdf")
    assert cuts == [1]


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")}


def test_the_output_folder_is_only_read_and_an_existing_target_is_replaced_whole(out_dir, tmp_path):
    before = _listing(out_dir)
    target = tmp_path / "batch.pdf"
    target.write_text("an earlier batch")
    _print(out_dir, "posters", "--station", _busiest_station(out_dir), target)
    assert target.read_bytes().startswith(b"%PDF")
    assert sorted(os.listdir(tmp_path)) == ["batch.pdf"]  # no temporary file left beside it
    assert _listing(out_dir) == before


@pytest.mark.parametrize("option, value, message", [
    ("--operator", "w99999", "没有编号为 w99999 的食品小作坊"),
    ("--station", "st-nowhere", "没有编号为 st-nowhere 的监管所"),
    ("--region", "999999", "没有代码为 999999 的行政区划"),
])
def test_an_unknown_id_is_named_and_nothing_is_written(out_dir, tmp_path, option, value, message):
    target = tmp_path / "batch.pdf"
    target.write_text("the user's")
    result = _run("labels", str(out_dir), option, value, "--out", str(target))
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert target.read_text() == "the user's" and sorted(os.listdir(tmp_path)) == ["batch.pdf"]


def test_a_business_that_is_not_a_workshop_gets_no_labels(out_dir, tmp_path):
    eatery = _query(out_dir, "SELECT id FROM operators WHERE kind = 'eatery' ORDER BY id LIMIT 1")[0][0]
    result = _run("labels", str(out_dir), "--operator", eatery, "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "只为食品小作坊生成" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_a_station_or_region_without_workshops_prints_nothing(out_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(out_dir / "registry.db", out / "registry.db")
    conn = sqlite3.connect(out / "registry.db")
    with conn:
        conn.execute("INSERT INTO regions VALUES ('140899', '新设区', 'New District', 'county', '140800')")
        conn.execute("INSERT INTO stations VALUES ('st-140899-1', '新设区市场监督管理局城区所', '140899')")
    conn.close()
    for option, value in (("--station", "st-140899-1"), ("--region", "140899")):
        result = _run("posters", str(out), option, value, "--out", str(tmp_path / "x.pdf"))
        assert result.exit_code == 1 and "没有食品小作坊" in result.output and value in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_registry_is_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _run("labels", str(tmp_path / "empty"), "--station", "st-1", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "找不到数据库" in result.output and "zuofang build" in result.output
    assert sorted(os.listdir(tmp_path)) == ["empty"]


def test_out_must_be_a_file_in_an_existing_folder_outside_out_dir(out_dir, tmp_path):
    station = _busiest_station(out_dir)
    before = _listing(out_dir)
    (tmp_path / "folder").mkdir()
    cases = [(tmp_path / "folder", "是一个文件夹"), (f"{tmp_path / 'batches'}/", "是一个文件夹"),
             (tmp_path / "missing" / "x.pdf", "不存在"),
             (out_dir / "batch.pdf", "输出目录"), (out_dir / "site" / "batch.pdf", "不存在")]
    for target, message in cases:
        result = _run("labels", str(out_dir), "--station", station, "--out", str(target))
        assert result.exit_code == 1 and message in result.output, (target, result.output)
    (out_dir / "site").mkdir()
    try:
        result = _run("labels", str(out_dir), "--station", station, "--out", str(out_dir / "site" / "batch.pdf"))
        assert result.exit_code == 1 and "输出目录" in result.output
        assert os.listdir(out_dir / "site") == []
    finally:
        (out_dir / "site").rmdir()
    assert _listing(out_dir) == before and os.listdir(tmp_path / "folder") == []
    assert sorted(os.listdir(tmp_path)) == ["folder"]


def test_exactly_one_selection_is_asked_for(out_dir, tmp_path):
    for selection in ([], ["--station", "a", "--region", "140800"]):
        result = _run("labels", str(out_dir), *selection, "--out", str(tmp_path / "x.pdf"))
        assert result.exit_code == 2 and "--operator" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_the_batch_pages_are_the_workshops_own_sheets(out_dir, tmp_path):
    """The combined document draws each workshop's sheet as its own PDF has it: same pages and text."""
    from qr import labels, printing, records
    from qr.codes import make_matrix

    pdf = _print(out_dir, "labels", "--station", _busiest_station(out_dir), tmp_path / "batch.pdf")
    batch = [page.extract_text() for page in PdfReader(pdf).pages]
    registry = records.select(out_dir / "registry.db", records.Selection(station=_busiest_station(out_dir)))
    own = []
    with fonts.SubsetFont(printing.printed_chars("labels", registry)) as font:
        for w in registry.workshops:
            products = registry.products_of(w.id)
            matrices = {p.code: make_matrix(urls.absolute(registry.site_url, urls.product(p.code)))
                        for p in labels.labelled(w, products, registry.release_date)}
            sheet = tmp_path / f"{w.id}.pdf"
            sheet.write_bytes(labels.label_sheet(w, products, matrices, registry, font.add_to))
            own += [page.extract_text() for page in PdfReader(sheet).pages]
    assert batch == own and all(own)


def test_the_same_bytes_whatever_the_number_of_workers(out_dir, tmp_path):
    from qr import printing, records

    selection = records.Selection(station=_busiest_station(out_dir))
    one = printing.print_batch(out_dir, "labels", selection, tmp_path / "one.pdf", workers=1)
    two = printing.print_batch(out_dir, "labels", selection, tmp_path / "two.pdf", workers=2)
    assert one.codes >= 2 * 8  # enough for drawing.run to start two workers
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()
