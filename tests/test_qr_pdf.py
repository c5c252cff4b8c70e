"""Label sheets and 信息公示牌 posters as PDFs (zuofang build --pdf): what the bureau prints, checked
as printed (rendered by poppler). The print pages the site has instead are tests/test_print_pages.py's."""
from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from qr import fonts, labels, pdfdoc, posters, records
from qr.build import _printed_chars, build_codes
from qr.codes import make_matrix
from site_builder import urls, vocabulary

DPI = 200
GRADE_WORDS = {g: t.zh for g, t in vocabulary.GRADES.items()}


@pytest.fixture(scope="module")
def small_out(small_qr_build, tmp_path_factory):
    """The small registry's QR output made with the PDFs (build --pdf)."""
    out = tmp_path_factory.mktemp("small-qr-pdf")
    shutil.copy(small_qr_build[0] / "registry.db", out / "registry.db")
    build_codes(out / "registry.db", out / "site", small_qr_build[1].site_url, workers=1, pdf=True)
    return out


def _query(db_path, sql, *args):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _pages(pdf: Path, tmp_path: Path) -> list[Image.Image]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(prefix)], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob(f"{pdf.stem}-*.png"))]


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, encoding="utf-8").stdout


def _site_url(db_path) -> str:
    return _query(db_path, "SELECT site_url FROM _build")[0][0]


def _sample_workshops(db_path, n):
    """Workshops with several active products, and the busiest one (more than one page if any has)."""
    return [r[0] for r in _query(db_path, """
        SELECT o.id FROM operators o JOIN products p ON p.operator_id = o.id
        WHERE o.kind = 'workshop' AND o.status = 'active' AND p.status = 'active'
        GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT ?""", n)]


def _check_sheet(out: Path, operator_id: str, tmp_path: Path) -> None:
    site_url = _site_url(out / "registry.db")
    expected = {urls.absolute(site_url, urls.product(code)) for (code,) in _query(
        out / "registry.db", "SELECT code FROM products WHERE operator_id = ? AND status = 'active'", operator_id)}
    found = []
    for page in _pages(out / "site" / urls.output_path(urls.label_sheet(operator_id)), tmp_path):
        for result in zxingcpp.read_barcodes(page):
            found.append(result.text)
            xs = [result.position.top_left.x, result.position.top_right.x]
            assert (max(xs) - min(xs)) / DPI * 25.4 >= 20  # the printed symbol is at least 20 mm wide
    assert sorted(found) == sorted(expected)


def _check_poster(out: Path, operator_id: str, tmp_path: Path) -> None:
    db = out / "registry.db"
    pdf = out / "site" / urls.output_path(urls.poster(operator_id))
    text = _text(pdf).replace(" ", "")
    name, licence = _query(db, "SELECT name, licence_no FROM operators WHERE id = ?", operator_id)[0]
    assert name in text and licence in text and "投诉举报电话：12315" in text
    grade = _query(db, "SELECT grade, effective_on, in_force, void_reason FROM current_grades WHERE operator_id = ?",
                   operator_id)
    if grade and grade[0][2]:
        letter, effective_on, _, _ = grade[0]
        y, m, d = (int(part) for part in effective_on.split("-"))
        assert f"{GRADE_WORDS[letter]}（{letter}级" in text and f"评定日期：{y}年{m}月{d}日" in text
        assert all(word not in text for word in set(GRADE_WORDS.values()) - {GRADE_WORDS[letter]})
    elif grade:  # the business may not operate: the grade is void, and no face is named or drawn
        assert vocabulary.GRADE_VOID.zh in text and f"原因：{grade[0][3]}" in text
        assert all(f"{word}（" not in text for word in GRADE_WORDS.values())
        assert all(face not in text for face in vocabulary.FACES.values())
    else:
        assert vocabulary.NOT_GRADED.zh in text
    (page,) = _pages(pdf, tmp_path)
    assert [r.text for r in zxingcpp.read_barcodes(page)] == [urls.absolute(_site_url(db), urls.operator(operator_id))]


def test_label_sheets_decode_to_the_workshops_active_products(small_out, tmp_path):
    for operator_id in _sample_workshops(small_out / "registry.db", 2):
        _check_sheet(small_out, operator_id, tmp_path / operator_id)


def test_posters_show_the_current_grade_licence_complaint_line_and_qr(small_out, tmp_path):
    workshops = [r[0] for r in _query(small_out / "registry.db", """
        SELECT min(o.id) FROM operators o LEFT JOIN current_grades g ON g.operator_id = o.id
        WHERE o.kind = 'workshop' GROUP BY coalesce(g.grade, '-'), g.in_force ORDER BY 1""")]
    assert len(workshops) >= 4  # one per grade present (in force, and void), and ungraded if any
    for operator_id in workshops:
        _check_poster(small_out, operator_id, tmp_path / operator_id)


def test_every_workshop_has_a_sheet_and_a_poster_and_others_have_none(small_out):
    kinds = dict(_query(small_out / "registry.db", "SELECT id, kind FROM operators"))
    sheets = {p.stem for p in (small_out / "site" / "labels").glob("*.pdf")}
    assert sheets == {p.stem for p in (small_out / "site" / "posters").glob("*.pdf")}
    assert sheets == {i for i, kind in kinds.items() if kind == "workshop"}


def test_demo_notice_only_on_demo_data(small_out, tmp_path):
    operator_id = _sample_workshops(small_out / "registry.db", 1)[0]
    real = tmp_path / "real"
    real.mkdir()
    shutil.copy(small_out / "registry.db", real / "registry.db")
    conn = sqlite3.connect(real / "registry.db")
    conn.execute("UPDATE _build SET demo = 0")
    conn.commit()
    conn.close()
    build_codes(real / "registry.db", real / "site", operator_id=operator_id, pdf=True)
    for address in (urls.label_sheet(operator_id), urls.poster(operator_id)):
        assert "演示数据" in _text(small_out / "site" / urls.output_path(address))
        assert "演示数据" not in _text(real / "site" / urls.output_path(address))


def test_no_private_field_reaches_a_poster_or_sheet(small_out, small_registry):
    with open(small_registry / "operators.csv", encoding="utf-8-sig") as f:
        owners = {r["id"]: r for r in csv.DictReader(f) if r["kind"] == "workshop"}
    for operator_id, row in list(owners.items())[:5]:
        text = _text(small_out / "site" / urls.output_path(urls.poster(operator_id)))
        text += _text(small_out / "site" / urls.output_path(urls.label_sheet(operator_id)))
        for private in ("owner_name", "owner_phone", "owner_id_number"):
            assert not row[private] or row[private] not in text


def test_inactive_workshops_get_no_labels_and_a_plain_warning(small_out, tmp_path):
    registry = records.load(small_out / "registry.db")
    workshop = next(w for w in registry.workshops if registry.products_of(w.id))
    revoked = replace(workshop, status="revoked")
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(labels.label_sheet(revoked, registry.products_of(workshop.id), {}, registry, fonts.full_face_add_to))
    assert "不得印制" in _text(pdf).replace(" ", "")
    assert zxingcpp.read_barcodes(_pages(pdf, tmp_path)[0]) == []
    poster = tmp_path / "poster.pdf"
    poster.write_bytes(posters.poster(revoked, make_matrix("https://zf.example.cn/w/x/"), registry, fonts.full_face_add_to))
    assert "已吊销" in _text(poster)


def test_a_revoked_workshops_poster_and_sheet_say_its_grade_is_void_with_no_smiley(small_out, tmp_path):
    """A revoked workshop's poster once showed its grade's smiley (B 良好 微笑): now the grade is
    void, the poster says why and since when, and draws no face; its sheet says so too."""
    registry = records.load(small_out / "registry.db")
    workshop = next(w for w in registry.workshops if w.grade == "B" and w.standing(registry.release_date).operating)
    revoked = replace(workshop, status="revoked", status_since="2026-03-02")
    poster = tmp_path / "poster.pdf"
    poster.write_bytes(posters.poster(revoked, make_matrix("https://zf.example.cn/w/x/"), registry, fonts.full_face_add_to))
    text = _text(poster).replace(" ", "")
    assert "等级已失效" in text and "原因：登记证已吊销（2026年3月2日起）" in text
    assert "良好（B级" not in text and "微笑" not in text
    # As drawn: the operating workshop's poster has its grade's blue smiley; the void one has no
    # pixel of that colour.
    colour = posters.COLOURS["B"]
    def has_colour(pdf_bytes: bytes, where: Path) -> bool:
        where.write_bytes(pdf_bytes)
        page = _pages(where, tmp_path / where.stem)[0].convert("RGB")
        return any(abs(r - colour[0]) + abs(g - colour[1]) + abs(b - colour[2]) < 30
                   for _, (r, g, b) in page.getcolors(1 << 24))
    matrix = make_matrix("https://zf.example.cn/w/x/")
    assert has_colour(posters.poster(workshop, matrix, registry, fonts.full_face_add_to), tmp_path / "good.pdf")
    assert not has_colour(posters.poster(revoked, matrix, registry, fonts.full_face_add_to), tmp_path / "void.pdf")
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(labels.label_sheet(revoked, registry.products_of(workshop.id), {}, registry, fonts.full_face_add_to))
    assert "原量化分级等级已失效" in _text(sheet).replace(" ", "").replace("\n", "")


def test_pdfs_are_byte_identical_with_the_cut_font_whatever_else_it_holds(small_out):
    """The cut font (for speed) must not change a byte, nor depend on other workshops' text."""
    registry = records.load(small_out / "registry.db")
    workshop = next(w for w in registry.workshops if registry.products_of(w.id))
    products = registry.products_of(workshop.id)
    matrices = {p.code: make_matrix(urls.absolute(registry.site_url, urls.product(p.code))) for p in products}
    full = labels.label_sheet(workshop, products, matrices, registry, fonts.full_face_add_to)
    with fonts.SubsetFont(_printed_chars(registry)) as font:
        cut = labels.label_sheet(workshop, products, matrices, registry, font.add_to)
    with fonts.SubsetFont(_printed_chars(registry) | set("稷山麻花芮城麻片河津芝麻糖𪚥")) as font:
        wider = labels.label_sheet(workshop, products, matrices, registry, font.add_to)
    assert full == cut == wider
    assert full.startswith(b"%PDF") and b"/CreationDate (D:20" in full


def test_the_fast_text_measure_is_fpdf2s_to_the_last_bit(small_out):
    """Wrapping measures every character with pdfdoc.string_width instead of fpdf2's slower
    get_string_width: the two must agree exactly, or a line would break elsewhere."""
    registry = records.load(small_out / "registry.db")
    chars = sorted(_printed_chars(registry))
    texts = chars + ["".join(chars[i:i + 17]) for i in range(0, len(chars), 17)] + [w.name + "…" for w in registry.workshops]
    with fonts.SubsetFont(set(chars)) as font:
        pdf = pdfdoc.new_document(font.add_to, registry.release_date, "measure")
        pdf.add_page()
        for size in (6, 6.5, 7, 7.5, 9, 10.5, 13, 26, 30):
            pdf.set_font_size(size)
            measure = pdfdoc.string_width(pdf)
            assert [measure(t) for t in texts] == [pdf.get_string_width(t) for t in texts]


def test_a_cut_font_is_kept_and_reused_only_while_its_bytes_are_intact(small_out, tmp_path, monkeypatch):
    """A rebuild that redraws one sheet reuses the cut (no second of cutting) and prints the same
    bytes; a damaged kept cut is cut again; without a usable cache folder the cut is temporary."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    registry = records.load(small_out / "registry.db")
    workshop = next(w for w in registry.workshops if registry.products_of(w.id))
    products = registry.products_of(workshop.id)
    matrices = {p.code: make_matrix(urls.absolute(registry.site_url, urls.product(p.code))) for p in products}
    chars = _printed_chars(registry)

    def sheet() -> tuple[bytes, Path]:
        with fonts.SubsetFont(chars) as font:
            return labels.label_sheet(workshop, products, matrices, registry, font.add_to), font.path

    first, kept = sheet()
    assert kept.parent == tmp_path / "cache" / "zuofang" / "fonts" and kept.is_file()
    cut = fonts.SubsetFont._cut
    monkeypatch.setattr(fonts.SubsetFont, "_cut", lambda self: pytest.fail("cut again"))
    assert sheet() == (first, kept)
    kept.write_bytes(kept.read_bytes()[:-10])  # a damaged cut: its digest no longer matches
    monkeypatch.setattr(fonts.SubsetFont, "_cut", cut)
    assert sheet() == (first, kept)
    (tmp_path / "not-a-folder").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    again, temporary = sheet()
    assert again == first and not temporary.exists()  # cut into a temporary folder, then removed


def test_only_the_newest_cuts_are_kept_and_nothing_else_is_touched(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = fonts.cache_folder()
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("the user's")
    monkeypatch.setattr(fonts.SubsetFont, "_cut", lambda self: "".join(sorted(self.chars)).encode())
    for i in range(fonts.KEPT_CUTS + 3):
        with fonts.SubsetFont({chr(0x4E00 + i)}):
            pass
    assert len(list(folder.glob("cjk-*.ttf"))) == fonts.KEPT_CUTS
    assert (folder / "notes.txt").read_text() == "the user's"
    with fonts.SubsetFont({chr(0x4E00 + fonts.KEPT_CUTS + 2)}) as font:  # the newest is still kept
        assert font.path.read_bytes().decode().endswith(chr(0x4E00 + fonts.KEPT_CUTS + 2))


def test_demo_build_sample_of_sheets_and_posters(demo_build, tmp_path):
    """`zuofang qr --pdf --operator ID` on the demo's build (its default build makes no PDFs)."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(demo_build / "registry.db", out / "registry.db")
    for operator_id in _sample_workshops(demo_build / "registry.db", 3):
        build_codes(out / "registry.db", out / "site", operator_id=operator_id, workers=1, pdf=True)
        _check_sheet(out, operator_id, tmp_path / f"s-{operator_id}")
        _check_poster(out, operator_id, tmp_path / f"p-{operator_id}")
