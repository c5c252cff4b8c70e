"""The printable specialty guide /brands/guide.pdf, checked as printed (rendered by poppler): A5,
one page per awarded brand by county, names in Chinese and English, its picture, and a QR code
that zxing-cpp reads as the address of a page the build made."""
from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import zxingcpp
from PIL import Image

from qr.build import build_codes
from site_builder import urls

DPI = 150


@pytest.fixture(scope="module")
def guide(demo_build) -> Path:
    return demo_build / "site" / urls.output_path(urls.brand_guide())


@pytest.fixture(scope="module")
def awarded(demo_build) -> list[tuple]:
    conn = sqlite3.connect(f"file:{demo_build / 'registry.db'}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT b.id, b.name, b.name_en, r.name, b.photo FROM brands b "
                            "JOIN operators o ON o.id = b.operator_id JOIN regions r ON r.code = o.region_code "
                            "WHERE b.status = 'awarded' ORDER BY r.code, b.name, b.id").fetchall()
    finally:
        conn.close()


def pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, encoding="utf-8").stdout
    return text.split("\f")


def test_an_a5_booklet_with_a_page_per_awarded_brand_by_county(guide, awarded):
    info = subprocess.run(["pdfinfo", str(guide)], check=True, capture_output=True, encoding="utf-8").stdout
    assert "419.53 x 595.28 pts" in info, "A5: 148 × 210 mm"
    assert f"Pages:           {len(awarded) + 1}" in info
    pages = pages_text(guide)
    cover = pages[0].replace(" ", "")
    assert "运城市名特优导览" in cover and "演示数据" in cover
    for (_id, name, name_en, county, _photo), text in zip(awarded, pages[1:]):
        assert name in text.replace(" ", "") and name_en in text and county in text
        assert "Maker" in text and "Scan for the brand" in text


def test_every_qr_code_opens_a_page_the_build_made(guide, awarded, demo_build, tmp_path):
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(guide), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    site_url = sqlite3.connect(demo_build / "registry.db").execute("SELECT site_url FROM _build").fetchone()[0]
    found = []
    for number, png in enumerate(rendered):
        codes = zxingcpp.read_barcodes(Image.open(png))
        if number == 0:
            assert codes == [], "the cover has no code"
            continue
        [code] = codes
        found.append(code.text)
        width_mm = abs(code.position.top_right.x - code.position.top_left.x) / DPI * 25.4
        assert width_mm >= 20, "scannable at arm's length"
    assert found == [urls.absolute(site_url, urls.brand(b[0])) for b in awarded]
    for text in found:
        assert text.startswith(site_url)
        path = unquote(urlsplit(text).path)
        assert (demo_build / "site" / urls.output_path(path)).is_file(), text


def test_each_brand_with_a_picture_prints_it(guide, awarded):
    listing = subprocess.run(["pdfimages", "-list", str(guide)], check=True, capture_output=True, encoding="utf-8").stdout
    pages = [int(line.split()[0]) for line in listing.splitlines()[2:] if line.strip()]
    pictured = [n for n, b in enumerate(awarded, 2) if b[4]]
    assert pictured and pages == pictured, "one picture on each page of a brand with one"


def test_the_guide_is_drawn_again_only_when_what_it_prints_changed(demo_build, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(demo_build, out)
    before = (out / "site" / urls.output_path(urls.brand_guide())).read_bytes()
    from site_builder.images.build import recorded_photos
    from site_builder.build import state

    photos = recorded_photos(state.load(out))
    summary = build_codes(out / "registry.db", out / "site", workers=1, photos=photos)
    assert summary.written == 0 and "guide" in summary.seconds
    assert (out / "site" / urls.output_path(urls.brand_guide())).read_bytes() == before


def test_no_printed_line_starts_with_a_comma_or_a_closing_mark(guide):
    """Chinese is wrapped between characters, but never before ，。、）” (GB/T 15834): the
    character before such a mark goes down to the next line with it."""
    starts = [line.strip() for page in pages_text(guide) for line in page.splitlines() if line.strip()]
    assert len(starts) > 50
    assert [s for s in starts if s[0] in "，。、；：？！）》」』”’"] == []


def test_wrapping_keeps_punctuation_with_the_character_before_it():
    from fpdf import FPDF

    from qr.pdfdoc import wrap_chinese

    pdf = FPDF(unit="mm")
    pdf.set_font("courier", size=10)  # every character equally wide
    one = pdf.get_string_width("a")
    assert wrap_chinese(pdf, "abcd,ef", one * 4) == ["abc", "d,ef"]
    assert wrap_chinese(pdf, "ab(cdef", one * 3) == ["ab", "(cd", "ef"]
    assert wrap_chinese(pdf, "abc.)de", one * 3) == ["ab", "c.)", "de"]
    assert wrap_chinese(pdf, "ab\ncd", one * 9) == ["ab", "cd"]
