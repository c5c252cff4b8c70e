"""A rebuild redoes only the QR files whose rows changed (qr/scope.py) and still gives exactly
what a full QR run gives: codes, label sheets, posters, GS1 pages and the record, byte for byte.
One case per kind of change in what qr/records.py reads; each is a list of rebuilds."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from test_site_pages_build import edit_csv, first

from qr import build as qr_build
from qr.cache import SECTION
from site_builder import urls
from site_builder.build import state
from site_builder.build.files import Files
from site_builder.build import pipeline as build_module
from site_builder.checksums import gtin_check_digit

#: The site folders the QR stage writes: /qr/, /01/ and each workshop's print pages /w/<id>/labels/
#: and /w/<id>/poster/ (beside the site stage's /w/<id>/); /labels/, /posters/ with --pdf.
QR_DIRS = sorted({urls.output_path(a).split("/")[0] for a in (urls.qr_file("x", "png"), urls.gs1_digital_link("x"),
                                                              urls.label_sheet("x"), urls.poster("x"))})
PRINT_DIRS = sorted(urls.output_path(a("x")).rsplit("/", 1)[0].replace("/x/", "/*/") for a in (urls.label_page, urls.poster_page))


def qr_folders(site: Path) -> list[Path]:
    found = [p for pattern in PRINT_DIRS for p in sorted(site.glob(pattern))]
    assert found or not (site / "w").is_dir(), "the print pages are where the test looks"
    return [site / f for f in QR_DIRS] + found


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def append_row(path: Path, **row) -> None:
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(rows(path)[0])).writerow(row)


def new_gtin(body: str) -> str:
    return body + gtin_check_digit(body)


def sampled(d: Path) -> dict:
    """A workshop's product with a GTIN whose batch was sampled: it has batch GS1 pages."""
    workshops = {r["id"] for r in rows(d / "operators.csv") if r["kind"] == "workshop"}
    products = {r["code"]: r for r in rows(d / "products.csv") if r["gtin"] and r["operator_id"] in workshops}
    code = next(s["product_code"] for s in rows(d / "samplings.csv") if s["product_code"] in products and s["batch"])
    return products[code]


def unreferenced(d: Path) -> dict:
    """A workshop's product with a GTIN that no sampling or recall names (free to move)."""
    named = {r["product_code"] for t in ("samplings", "recalls") for r in rows(d / f"{t}.csv")}
    workshops = {r["id"] for r in rows(d / "operators.csv") if r["kind"] == "workshop"}
    return next(r for r in rows(d / "products.csv") if r["gtin"] and r["code"] not in named
                and r["operator_id"] in workshops)


def other_workshop(d: Path, operator_id: str) -> str:
    return next(r["id"] for r in rows(d / "operators.csv") if r["kind"] == "workshop" and r["id"] != operator_id)


def graded_workshop(d: Path) -> dict:
    """The latest grade row of the first graded workshop."""
    workshops = {r["id"] for r in rows(d / "operators.csv") if r["kind"] == "workshop"}
    grades = [g for g in rows(d / "grades.csv") if g["operator_id"] in workshops]
    return max((g for g in grades if g["operator_id"] == grades[0]["operator_id"]), key=lambda g: g["effective_on"])


def rewrite(path: Path, change) -> None:
    """Apply `change(row)` to every row of a CSV (when a row has no single-column key)."""
    found = rows(path)
    for row in found:
        change(row)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(found[0]))
        writer.writeheader()
        writer.writerows(found)


def change_grade(d: Path) -> None:
    latest = graded_workshop(d)
    lower = {"A": "C", "B": "C", "C": "A"}[latest["grade"]]
    rewrite(d / "grades.csv", lambda g: g.update(grade=lower) if g == latest else None)


def supervising_station(d: Path) -> str:
    return next(r["station_id"] for r in rows(d / "operators.csv") if r["kind"] == "workshop")


def recalled(d: Path) -> dict:
    return first(d / "recalls.csv", "id")


def take_gtin(d: Path) -> None:
    """A new product whose code sorts first, with an existing product's GTIN spelt with 14 digits:
    the GS1 addresses now lead to it, and the old owner's batch pages go."""
    owner = sampled(d)
    append_row(d / "products.csv", **{**owner, "code": "a" + owner["code"], "gtin": owner["gtin"].zfill(14),
                                      "name": "抢先的新产品（演示）"})


def becomes_an_eatery(d: Path) -> None:
    """A workshop registered again as an eatery: its checklist results, recorded against the
    workshops' list, are taken out with it (checklist-item would refuse them)."""
    operator = sampled(d)["operator_id"]
    inspected = {r["id"] for r in rows(d / "inspections.csv") if r["operator_id"] == operator}
    with open(d / "inspection_items.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, kept = reader.fieldnames, [r for r in reader if r["inspection_id"] not in inspected]
    with open(d / "inspection_items.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(kept)
    edit_csv(d / "operators.csv", "id", operator, "kind", "eatery")


def board_changed(d: Path) -> None:
    """A workshop's 信息公开栏 gains a health certificate: its poster shows the count."""
    workshops = {r["id"] for r in rows(d / "operators.csv") if r["kind"] == "workshop"}
    board = next(r for r in rows(d / "boards.csv") if r["operator_id"] in workshops)
    edit_csv(d / "boards.csv", "operator_id", board["operator_id"], "staff", str(int(board["staff"]) + 1))


#: change -> the edits, one rebuild after each.
CHANGES = {
    "product renamed": [lambda d: edit_csv(d / "products.csv", "code", sampled(d)["code"], "name",
                                           "改名后的麻花（演示）")],
    "product added": [lambda d: append_row(d / "products.csv", **{**sampled(d), "code": "pnew1",
                                                                  "gtin": new_gtin("692000099001"),
                                                                  "name": "新产品（演示）"})],
    "product moved to another workshop": [
        lambda d: edit_csv(d / "products.csv", "code", unreferenced(d)["code"], "operator_id",
                           other_workshop(d, unreferenced(d)["operator_id"]))],
    "workshop renamed": [lambda d: edit_csv(d / "operators.csv", "id", sampled(d)["operator_id"], "name",
                                            "改名后的作坊（演示）")],
    "workshop becomes an eatery": [becomes_an_eatery],
    "信息公开栏 changed": [board_changed],
    "grade lowered": [change_grade],
    "station renamed": [lambda d: edit_csv(d / "stations.csv", "id", supervising_station(d), "name",
                                           "新监管所（演示）")],
    "sampled batch changed": [lambda d: edit_csv(d / "samplings.csv", "product_code", sampled(d)["code"], "batch",
                                                 "B2027-01")],
    "recalled batches changed": [
        lambda d: edit_csv(d / "products.csv", "code", recalled(d)["product_code"], "gtin", new_gtin("692000099002")),
        lambda d: edit_csv(d / "recalls.csv", "id", recalled(d)["id"], "batches", "L1、L2.3")],
    "GTIN taken by a product that sorts first, then changed, then removed": [
        take_gtin,
        lambda d: edit_csv(d / "products.csv", "code", "a" + sampled(d)["code"], "gtin", new_gtin("692000099003")),
        lambda d: edit_csv(d / "products.csv", "code", "a" + sampled(d)["code"], "gtin", "")],
    "inspection reply (a table no QR file reads)": [
        lambda d: edit_csv(d / "inspections.csv", "id", first(d / "inspections.csv", "id")["id"], "reply",
                           "已整改。")],
}


def build_with_qr(data: Path, out: Path, pdf: bool = False) -> qr_build.Summary:
    """`zuofang build` (`--pdf` with `pdf`) with the stages the QR stage needs (the site stage
    records the salt); returns the QR stage's summary."""
    summaries = []
    real = qr_build.build_codes
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "STAGES", [s for s in build_module.STAGES if s[0] in ("database", "site", "qr")])
        mp.setattr(qr_build, "build_codes", lambda *args, **kw: summaries.append(real(*args, **kw)) or summaries[-1])
        build_module.build(data, out, pdf=pdf)
    return summaries[0]


def qr_tree(out: Path) -> dict[str, bytes]:
    """The QR stage's files in OUT_DIR and its record."""
    found = {p.relative_to(out).as_posix(): p.read_bytes()
             for folder in qr_folders(out / "site") for p in sorted(folder.rglob("*")) if p.is_file()}
    found[SECTION] = state.load(out).previous(SECTION)
    return found


def copy_qr_files(out: Path, to: Path) -> Path:
    for folder in qr_folders(out / "site"):
        if folder.is_dir():
            shutil.copytree(folder, to / folder.relative_to(out))
    shutil.copy(out / state.NAME, to / state.NAME)
    return to


def full_run(db: Path, out: Path) -> Path:
    """A full QR run (every product read, every file looked at, every GS1 page rendered) of `db`
    into `out`, removing what it does not make."""
    files = Files()
    summary = qr_build.build_codes(db, out / "site", workers=1, files=files)
    assert not summary.incremental
    files.prune(out / "site")
    return out


def differing(now: dict, expected: dict) -> list[str]:
    return sorted(k for k in now.keys() | expected.keys() if now.get(k) != expected.get(k))


@pytest.fixture(scope="module")
def base(tmp_path_factory, small_registry) -> Path:
    """One build of the small registry with QR files, copied by every case."""
    out = tmp_path_factory.mktemp("qr-incremental-base") / "out"
    assert not build_with_qr(small_registry, out).incremental
    return out


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_redoes_few_qr_files_and_equals_a_full_run(change, base, small_registry, tmp_path):
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    for step, edit in enumerate(CHANGES[change]):
        # The full run starts from the same previous output, so it redraws only PDFs whose inputs changed.
        before = copy_qr_files(out, tmp_path / f"before-{step}")
        edit(data)
        summary = build_with_qr(data, out)
        assert summary.incremental and summary.kept > 300
        assert summary.codes_checked <= 2 and summary.workshops_checked <= 3 and summary.gs1_pages <= 6
        assert differing(qr_tree(out), qr_tree(full_run(out / "registry.db", before))) == []
    if change == "inspection reply (a table no QR file reads)":
        assert (summary.codes_checked, summary.workshops_checked, summary.gs1_pages, summary.written) == (0, 0, 0, 0)


def test_every_registry_table_is_known_to_read_or_not():
    """A new table redoes every QR file whenever it changes, until the output declaration
    (build/outputs.py) says whether each QR family shows or ignores it."""
    from qr.scope import FAMILIES
    from site_builder.registry.package import TABLE_ORDER

    for family in FAMILIES:
        shown = {s.table for s in family.shows}
        assert shown | family.ignores == set(TABLE_ORDER) and not shown & family.ignores, family.name


def test_the_full_run_compared_with_equals_one_into_an_empty_folder(base, small_registry, tmp_path):
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    CHANGES["product renamed"][0](data)
    assert build_with_qr(data, out).incremental
    assert differing(qr_tree(out), qr_tree(full_run(out / "registry.db", tmp_path / "fresh"))) == []


def test_an_unchanged_rebuild_reads_no_product(base, small_registry, tmp_path):
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    before = qr_tree(out)
    summary = build_with_qr(small_registry, out)
    assert summary.incremental and (summary.codes_checked, summary.workshops_checked, summary.gs1_pages) == (0, 0, 0)
    assert summary.codes == len(rows(small_registry / "products.csv")) and summary.kept > 300
    assert summary.written == 0 and qr_tree(out) == before


def test_other_qr_code_or_site_code_means_a_full_run(base, small_registry, tmp_path, monkeypatch):
    """The previous files are vouched for only when made by the same QR code (the record's
    inputs) from a database made by the same code (its record's code digest: the QR stage no
    longer depends on what the site stage decided)."""
    from qr import cache
    from site_builder.database import build as database

    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    real_inputs = cache.inputs
    with monkeypatch.context() as mp:
        mp.setattr(qr_build, "inputs", lambda *args: "other" + real_inputs(*args))
        assert not build_with_qr(small_registry, out).incremental
    assert not build_with_qr(small_registry, out).incremental  # the record's inputs were "other…"
    assert build_with_qr(small_registry, out).incremental
    real_code = database.code_digest
    monkeypatch.setattr(database, "code_digest", lambda package: "other" + real_code(package))
    summary = build_with_qr(small_registry, out)
    assert not summary.incremental and summary.codes_checked == summary.codes


def test_an_incomparable_database_or_an_unknown_table_means_a_full_run(base, small_registry, tmp_path, monkeypatch):
    from qr import scope
    from site_builder.build import delta

    assert scope.plan({"a_new_table": delta.TableChange(("id",))}, tmp_path / "registry.db") is None
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    monkeypatch.setattr(delta, "compare", lambda *args, **kw: None)
    summary = build_with_qr(small_registry, out)
    assert not summary.incremental and summary.codes_checked == summary.codes


def test_build_pdf_adds_the_pdfs_and_a_build_without_it_removes_them(base, small_registry, tmp_path):
    """The option is part of what the previous QR files were made with: switching it redoes the
    stage (the print pages then link their PDF), and switching back gives the first build again."""
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    workshops = {r["id"] for r in rows(small_registry / "operators.csv") if r["kind"] == "workshop"}
    assert not build_with_qr(small_registry, out, pdf=True).incremental
    for address in (urls.label_sheet, urls.poster):
        folder = out / "site" / urls.output_path(address("x")).split("/")[0]
        assert {p.stem for p in folder.glob("*.pdf")} == workshops
        assert all(p.read_bytes().startswith(b"%PDF") for p in folder.glob("*.pdf"))
    some = sorted(workshops)[0]
    page = (out / "site" / urls.output_path(urls.label_page(some))).read_text(encoding="utf-8")
    assert f'href="{urls.label_sheet(some)}"' in page
    assert not build_with_qr(small_registry, out).incremental
    assert not (out / "site" / "labels").exists() and not (out / "site" / "posters").exists()
    assert differing(qr_tree(out), qr_tree(base)) == []


@pytest.mark.parametrize("args, pdf", [([], False), (["--pdf"], True)])
def test_zuofang_build_passes_pdf_to_the_build(args, pdf, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from site_builder.cli import cli

    asked = []

    def fake_build(data_dir, out_dir, pdf=False):
        asked.append(pdf)
        raise build_module.BuildError("stopped here")

    monkeypatch.setattr(build_module, "build", fake_build)
    CliRunner().invoke(cli, ["build", str(tmp_path), "--out", str(tmp_path / "out"), *args])
    assert asked == [pdf]
