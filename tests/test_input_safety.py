"""Input cannot be turned against the user: no table path or symbolic link leads the validator
out of the data folder, no key climbs out of its page's folder, no descriptor link runs a
script, no file is too large to be refused, no invisible character reaches a page."""
from __future__ import annotations

import csv
import shutil
import sqlite3
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from validate_corpus import BASE, STEPS

from qr import records
from site_builder import urls
from site_builder.build import state
from site_builder.build.pipeline import build
from site_builder.cli import cli
from site_builder.datasette import metadata as datasette_meta
from site_builder.errors import DataPackageError, ValidationFailed
from site_builder.handbook import build as handbook
from site_builder.registry import readers
from site_builder.registry.package import Package
from site_builder.site.render import Renderer
from site_builder.validate import changed as validate_changed
from site_builder.validate import memory as validate_memory
from site_builder.validate.whole import validate_registry

SECRET = "SECRET-FIRST-LINE-OF-A-FILE-OUTSIDE"


@pytest.fixture
def data(tmp_path) -> Path:
    """A valid registry, and beside it (outside it) a file whose first line must never be shown."""
    folder = tmp_path / "data"
    shutil.copytree(BASE, folder)
    (tmp_path / "secret.csv").write_text(f"{SECRET}\nsecond line\n", encoding="utf-8")
    return folder


def found(folder) -> list[tuple]:
    return sorted((p.file, p.row, p.field, p.rule) for p in validate_registry(folder).problems)


def set_descriptor(folder: Path, *at, value) -> None:
    STEPS["set_descriptor"](folder, {"at": list(at), "value": value})


def set_cell(folder: Path, file: str, row: int, field: str, value: str) -> None:
    STEPS["set"](folder, {"file": file, "row": row, "field": field, "value": value})


def first_row(folder: Path, file: str, **where) -> tuple[int, dict]:
    """The spreadsheet row number and the cells of the first row of `file` matching `where`."""
    with open(folder / file, encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), 2):
            if all(bool(row[k]) == v if isinstance(v, bool) else row[k] == v for k, v in where.items()):
                return number, row
    raise LookupError(where)


# --- 5. table paths stay inside the data folder -------------------------------------------

def test_a_declared_path_out_of_the_data_folder_is_refused_and_never_read(data):
    set_descriptor(data, "resources", 1, "path", value="../secret.csv")
    report = validate_registry(data)
    assert [(p.file, p.row, p.field, p.rule) for p in report.problems] == [
        ("datapackage.json", None, "resources[1].path", "file-path")]
    assert SECRET not in report.to_json()


def test_a_table_file_linked_out_of_the_data_folder_is_refused_and_never_read(data):
    (data / "stations.csv").unlink()
    (data / "stations.csv").symlink_to(data.parent / "secret.csv")
    report = validate_registry(data)
    assert [(p.file, p.rule) for p in report.problems] == [("stations.csv", "file-path")]
    assert SECRET not in report.to_json()


def test_a_link_to_a_file_inside_the_data_folder_is_read(data):
    (data / "exports").mkdir()
    shutil.move(data / "stations.csv", data / "exports" / "stations-2026.csv")
    (data / "stations.csv").symlink_to(Path("exports") / "stations-2026.csv")
    assert found(data) == []


@pytest.mark.parametrize("path", ["/etc/passwd", "https://example.org/stations.csv", "file:///etc/passwd",
                                  "C:\\exports\\stations.csv", ["stations.csv", "more.csv"]])
def test_absolute_paths_and_addresses_are_a_problem_never_a_traceback_or_a_fallback(data, path):
    set_descriptor(data, "resources", 1, "path", value=path)
    result = CliRunner().invoke(cli, ["validate", str(data)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert found(data) == [("datapackage.json", None, "resources[1].path", "file-path")]


def test_every_reader_of_a_table_file_goes_through_the_one_check(data, tmp_path):
    set_descriptor(data, "resources", 1, "path", value="../secret.csv")
    package = Package.load(data)
    with pytest.raises(readers.UnsafePath):
        package.table_file("stations")
    assert validate_memory.scan_tables(package) is None
    from site_builder.database.build import build_database, built_from_same_inputs
    assert not built_from_same_inputs(package, state.load(tmp_path / "nothing-built"))
    with pytest.raises(readers.UnsafePath):
        build_database(package, tmp_path / "db" / "registry.db")


def test_a_rebuild_of_the_same_bytes_through_a_link_out_of_the_folder_is_refused(data, tmp_path):
    """The shortcut for unchanged files hashes them: it must not follow the link either."""
    out = tmp_path / "out"
    build(data, out)
    shutil.move(data / "stations.csv", tmp_path / "stations-outside.csv")
    (data / "stations.csv").symlink_to(tmp_path / "stations-outside.csv")
    with pytest.raises(ValidationFailed) as failed:
        build(data, out)
    assert [(p.file, p.rule) for p in failed.value.report.problems] == [("stations.csv", "file-path")]


# --- 6. keys stay one part of an address ----------------------------------------------------

REAL_BATCHES = ["20250412", "2025-04-12", "2025/04/12", "B2504-1", "生产日期2025年4月12日", "批号：B2504-1（上午）",
                "20260419、20260422"]


@pytest.mark.parametrize("batch", REAL_BATCHES)
def test_real_batches_are_address_parts(batch):
    assert urls.unsafe_segment(batch) is None


@pytest.mark.parametrize("key, wrong", [(".", "dot"), ("..", "dot"), (" .. ", "dot"), ("", "empty"), ("  \t", "empty"),
                                        ("B1\x00", "control"), ("B\x1b1", "control"), ("9" * 201, "long"),
                                        ("批" * 23, "long")])
def test_keys_that_cannot_be_an_address_part(key, wrong):
    assert urls.unsafe_segment(key) == wrong


def test_a_key_is_one_address_part_whatever_it_holds():
    assert urls.product("a/../../x") == "/p/a%2F..%2F..%2Fx/"
    assert urls.operator("../../etc") == "/w/..%2F..%2Fetc/"
    assert urls.gs1_digital_link("../x", "2025/04/12") == "/01/..%2Fx/10/2025%2F04%2F12/"
    assert urls.qr_file("a/b", "png") == "/qr/a%2Fb.png"


def _old_quote(text: str, safe: str = "/") -> str:
    return text if urls._PLAIN.fullmatch(text) else quote(text, safe=safe)


def test_published_addresses_of_safe_keys_are_unchanged(demo_dir):
    """Printed QR codes and barcodes are permanent: every address a valid key made before the
    keys became one encoded part each is the same today."""
    def column(table, name):
        with open(demo_dir / f"{table}.csv", encoding="utf-8", newline="") as f:
            return [r[name] for r in csv.DictReader(f) if r[name]]

    for code in column("products", "code"):
        assert urls.product(code) == f"/p/{_old_quote(code)}/"
        assert urls.qr_file(code, "svg") == f"/qr/{_old_quote(code)}.svg"
    for key in column("operators", "id"):
        assert urls.operator(key) == f"/w/{_old_quote(key)}/"
        assert urls.label_sheet(key) == f"/labels/{_old_quote(key)}.pdf"
        assert urls.poster(key) == f"/posters/{_old_quote(key)}.pdf"
    for key in column("brands", "id"):
        assert urls.brand(key) == f"/brands/{_old_quote(key)}/"
    for key in column("recalls", "id"):
        assert urls.recall(key) == f"/recalls/{_old_quote(key)}/"
    for key in column("regions", "code"):
        assert urls.region(key) == f"/regions/{_old_quote(key)}/"
    batches = column("samplings", "batch") + ["B2504-1", "2025.04.12", "...", "a_b", "L" * 20, "-", "_"]
    for batch in batches:
        assert records.BATCH_PATTERN.match(batch) and urls.unsafe_segment(batch) is None
        assert urls.gs1_digital_link("06920000070039", batch) == f"/01/06920000070039/10/{quote(batch, safe='')}/"


def test_the_gs1_page_maker_makes_no_page_for_a_dot_batch():
    """A second line behind the validator: "." and ".." get no page, whatever the database holds."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE samplings (product_code, batch)")
    conn.execute("CREATE TABLE recalls (product_code, batches)")
    conn.executemany("INSERT INTO samplings VALUES (?, ?)", [("p1", ".."), ("p1", "B1"), ("p1", "2025/04/12")])
    conn.execute("INSERT INTO recalls VALUES ('p1', 'B2、.、20250412')")
    assert records._batches(conn, {"p1"}, whole=True) == {"p1": ["20250412", "B1", "B2"]}


def test_a_dot_batch_is_refused_by_a_fresh_build_instead_of_breaking_it(data, tmp_path):
    number, _ = first_row(data, "samplings.csv", product_code=True)
    set_cell(data, "samplings.csv", number, "batch", "..")
    with pytest.raises(ValidationFailed) as failed:
        build(data, tmp_path / "out")
    assert [(p.file, p.row, p.field, p.rule) for p in failed.value.report.problems] == [
        ("samplings.csv", number, "batch", "address-part")]
    assert not (tmp_path / "out").exists()


# --- 7. descriptor links are http(s) --------------------------------------------------------

@pytest.mark.parametrize("url", ["https://creativecommons.org/licenses/by/4.0/", "http://example.org", "HTTPS://Example.org/a?b=1#c"])
def test_web_addresses_may_be_linked(url):
    assert urls.external(url) == url


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "//evil.example/x",
                                 "licence.html", "https://", "https:evil.example", "https://x.example/\"onmouseover=\"alert(1)",
                                 "https://x.example/a b", "https://x.example/\u202e", "https://x.example/\n", None, 42,
                                 "https://[::1"])
def test_anything_else_is_never_linked(url):
    assert urls.external(url) is None


def test_a_script_link_in_the_descriptor_is_refused_by_validate_and_build(data, tmp_path):
    set_descriptor(data, "licenses", 0, "path", value="javascript:alert(document.cookie)")
    result = CliRunner().invoke(cli, ["validate", str(data)])
    assert result.exit_code == 1
    assert "licenses[0].path" in result.output and "descriptor-link" in result.output
    result = CliRunner().invoke(cli, ["build", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "descriptor-link" in result.output
    assert not (tmp_path / "out").exists()


def test_no_page_prints_a_descriptor_link_that_is_not_http(data):
    """Whatever reaches the printers (the handbook preview and the metadata command do not
    validate first), the footer, Datasette and the handbook never print such a link."""
    set_descriptor(data, "licenses", 0, "path", value="javascript:alert(document.cookie)")
    set_descriptor(data, "sources", 0, "path", value="data:text/html,<script>alert(1)</script>")
    set_descriptor(data, "sources", 0, "title", value='<a href="javascript:alert(1)">来源</a>')
    package = Package.load(data)
    footer = Renderer(package).chrome["footer"]
    assert "javascript:" not in footer and "Creative Commons Attribution 4.0" in footer
    meta = datasette_meta.generate(package)
    assert meta["license_url"] == "" and meta["source_url"] == ""
    assert "<a" not in handbook._copyright(package) and "&lt;a" in handbook._copyright(package)
    set_descriptor(data, "zuofang:site_url", value="javascript:alert(1)//")
    with pytest.raises(DataPackageError):
        Package.load(data).site_url


# --- 8. sizes and characters ----------------------------------------------------------------

def _xlsx_of(folder: Path, table: str) -> Path:
    STEPS["to_xlsx"](folder, f"{table}.csv")
    return folder / f"{table}.xlsx"


def test_an_xlsx_that_inflates_past_the_limit_is_refused_before_it_is_unzipped(data):
    """A real bomb: a 3 MB file whose sheet inflates to 576 MiB of spaces (3 GiB ran out of memory)."""
    good = _xlsx_of(data, "stations")
    bomb = data / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, content)
                continue
            head, _, tail = content.partition(b"<sheetData>")
            with dst.open(info.filename, "w", force_zip64=True) as f:
                f.write(head + b"<sheetData>")
                for _ in range(36):
                    f.write(b" " * 2**24)
                f.write(tail)
    bomb.replace(good)
    assert good.stat().st_size < 4 * 2**20
    report = validate_registry(data)
    assert [(p.file, p.row, p.rule) for p in report.problems] == [("stations.xlsx", None, "too-large")]
    assert "stations.xlsx" in report.problems[0].message or "XLSX" in report.problems[0].message


def test_a_zip_that_understates_a_member_is_not_inflated_past_what_it_states(data):
    """The size check trusts the zip's directory: a member longer than stated is cut there."""
    sheet = _xlsx_of(data, "stations")
    STEPS["declare_unzipped_size"](data, {"file": "stations.xlsx", "member": "xl/worksheets/sheet1.xml", "size": 100})
    with pytest.raises(readers.TableReadError) as failed:
        readers.read_sheet(sheet)
    assert failed.value.rule == "unreadable-file"


def test_a_csv_past_the_size_limit_is_refused_before_it_is_read(data):
    with open(data / "stations.csv", "r+b") as f:
        f.truncate(readers.MAX_FILE_BYTES + 1)  # sparse: no disk space, nothing to read
    assert found(data) == [("stations.csv", None, None, "too-large")]


def test_a_table_past_the_row_limit_is_refused(data):
    with open(data / "penalties.csv", "a", encoding="utf-8") as f:
        f.write("\n" * readers.MAX_ROWS)
    assert found(data) == [("penalties.csv", None, None, "too-large")]


def test_an_xlsx_stating_rows_past_the_limit_is_refused(data):
    sheet = _xlsx_of(data, "stations")
    far = readers.MAX_ROWS + 1
    _rewrite_sheet(sheet, lambda xml: xml.replace(
        b"</sheetData>", f'<row r="{far}"><c r="A{far}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode()))
    assert found(data) == [("stations.xlsx", None, None, "too-large")]


def test_an_xlsx_cell_past_the_character_limit_is_refused_with_its_field(data):
    from openpyxl import load_workbook

    sheet = _xlsx_of(data, "stations")
    book = load_workbook(sheet)
    book.active["B3"] = "长名称"
    book.save(sheet)  # openpyxl itself cuts what it writes at the limit: lengthen it in the XML
    # (which spells the text as UTF-8, or as character references when openpyxl writes with lxml)
    long = ("长" * (readers.MAX_CELL_CHARS + 1)).encode()
    references = "".join(f"&#{ord(c)};" for c in "长名称").encode()
    _rewrite_sheet(sheet, lambda xml: xml.replace("长名称".encode(), long).replace(references, long))
    assert found(data) == [("stations.xlsx", 3, "name", "too-large")]


def _rewrite_sheet(path: Path, change) -> None:
    with zipfile.ZipFile(path) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    members["xl/worksheets/sheet1.xml"] = change(members["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in members.items():
            dst.writestr(name, content)


def test_a_formula_behind_whitespace_and_invisible_characters_never_reach_the_database(data, tmp_path):
    """Each is refused in a cell of any text field, with the character's code point and name."""
    number, _ = first_row(data, "products.csv")
    set_cell(data, "products.csv", number, "name", "麻花\u202e坊作老")
    set_cell(data, "products.csv", number + 1, "spec", "\t=1+1")
    set_cell(data, "products.csv", number + 2, "ingredients", " @SUM(1)")
    set_cell(data, "operators.csv", 2, "address", "稷山县\x00城关镇")
    report = validate_registry(data)
    by_cell = {(p.file, p.row, p.field): p for p in report.problems}
    assert sorted((p.file, p.row, p.field, p.rule) for p in report.problems) == sorted([
        ("products.csv", number, "name", "invisible-character"),
        ("products.csv", number + 1, "spec", "control-character"),
        ("products.csv", number + 1, "spec", "formula-injection"),
        ("products.csv", number + 2, "ingredients", "formula-injection"),
        ("operators.csv", 2, "address", "control-character")])
    assert "U+202E" in by_cell[("products.csv", number, "name")].message
    assert "从右到左强制" in by_cell[("products.csv", number, "name")].message
    assert "U+0000" in by_cell[("operators.csv", 2, "address")].message
    with pytest.raises(ValidationFailed):
        build(data, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_line_breaks_stay_allowed_in_multiline_text(data):
    set_cell(data, "inspections.csv", 2, "findings", "1. 标签不全；\r\n2.\t台账未更新。")
    set_cell(data, "brands.csv", 2, "story", "第一段。\n\n第二段。")
    assert found(data) == []


# --- a defect added between two builds: the rebuild's changed-rows path holds too -----------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A valid registry built once; each defect below is added to a copy of its data."""
    root = tmp_path_factory.mktemp("rebuild")
    shutil.copytree(BASE, root / "data")
    build(root / "data", root / "out")
    return root / "out"


def _sampled_with_gtin(folder: Path) -> int:
    with open(folder / "products.csv", encoding="utf-8", newline="") as f:
        with_gtin = {r["code"] for r in csv.DictReader(f) if r["gtin"]}
    with open(folder / "samplings.csv", encoding="utf-8", newline="") as f:
        return next(n for n, r in enumerate(csv.DictReader(f), 2) if r["product_code"] in with_gtin)


def _add_sampling(folder: Path, **cells) -> int:
    """A copy of a sampling of a product with a GTIN, with a new id and `cells`; its row number."""
    number = _sampled_with_gtin(folder)
    with open(folder / "samplings.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    extra = dict(zip(rows[0], rows[number - 1]), id="cj-added-1", **cells)
    rows.append([extra[n] for n in rows[0]])
    with open(folder / "samplings.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return len(rows)


def _cell_defect(file, row, field, value, rule):
    def apply(folder: Path) -> tuple:
        set_cell(folder, file, row, field, value)
        return file, row, field, rule
    return apply


def _dot_batch_sampling(folder: Path) -> tuple:
    return "samplings.csv", _add_sampling(folder, batch=".."), "batch", "address-part"


def _wide_row(folder: Path) -> tuple:
    STEPS["replace"](folder, {"file": "products.csv", "old": "GB 7099,60天,,active", "new": "GB 7099,60天,,active" + "," * 290})
    return "products.csv", 3, None, "too-large"


DEFECTS = {
    "NUL in a name": _cell_defect("products.csv", 3, "name", "麻花\x00", "control-character"),
    "right-to-left override": _cell_defect("operators.csv", 2, "name", "坊花麻\u202e", "invisible-character"),
    "zero-width space": _cell_defect("brands.csv", 2, "name", "稷山\u200b麻花", "invisible-character"),
    "formula behind a space": _cell_defect("products.csv", 3, "spec", " =1+1", "formula-injection"),
    "recall batch ..": _cell_defect("recalls.csv", 2, "batches", "20260419、..", "address-part"),
    "batch ..": _dot_batch_sampling,
    "a row of 300 cells": _wide_row,
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_a_defect_added_between_two_builds_is_refused_by_the_rebuild(defect, built, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    memory = validate_memory.read_memory(state.load(built))
    assert memory is not None
    where = DEFECTS[defect](data)
    assert validate_changed.validate_changes(Package.load(data), memory) is None  # doubt: all rows are judged
    before = {p: p.read_bytes() for p in built.rglob("*") if p.is_file()}
    with pytest.raises(ValidationFailed) as failed:
        build(data, built)
    assert [(p.file, p.row, p.field, p.rule) for p in failed.value.report.problems] == [where]
    assert {p: p.read_bytes() for p in built.rglob("*") if p.is_file()} == before


def test_the_same_rebuild_without_a_defect_is_judged_from_its_changed_rows(built, tmp_path):
    """The defects above were added where a harmless change is judged by the changed rows alone."""
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    _add_sampling(data, batch="B2605-1")
    memory = validate_memory.read_memory(state.load(built))
    assert validate_changed.validate_changes(Package.load(data), memory) is not None
