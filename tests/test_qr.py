"""QR codes and GS1 Digital Link pages: what a phone scanning a package gets."""
from __future__ import annotations

import io
import re
import sqlite3

import pytest
import zxingcpp
from PIL import Image

from qr import codes
from qr.build import build_codes
from site_builder import urls
from site_builder.build.files import Files
from site_builder.checksums import gtin14


@pytest.fixture(scope="module")
def small_qr(small_qr_build):
    return small_qr_build


def _rows(db_path, sql, *args):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _decode(data: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def test_every_product_gets_a_png_and_an_svg_that_decode_to_its_page(small_qr):
    out, package, summary = small_qr
    products = [code for (code,) in _rows(out / "registry.db", "SELECT code FROM products ORDER BY code")]
    assert summary.codes == len(products) > 50
    for code in products:
        png = out / "site" / urls.output_path(urls.qr_file(code, "png"))
        svg = out / "site" / urls.output_path(urls.qr_file(code, "svg"))
        assert _decode(png.read_bytes()) == [urls.absolute(package.site_url, urls.product(code))]
        assert svg.is_file()


def test_svg_has_a_white_background_and_the_same_modules_as_the_png(small_qr):
    out, package, _ = small_qr
    (code,) = _rows(out / "registry.db", "SELECT code FROM products ORDER BY code LIMIT 1")[0]
    svg = (out / "site" / urls.output_path(urls.qr_file(code, "svg"))).read_text(encoding="utf-8")
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    assert f'<rect width="{size}" height="{size}" fill="#fff"/>' in svg
    # Rasterise the SVG path by hand (no SVG renderer needed) and decode it.
    image = Image.new("L", (size, size), 255)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(w)):
            image.putpixel((int(x) + dx, int(y)), 0)
    image = image.resize((size * 8, size * 8), Image.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [urls.absolute(package.site_url, urls.product(code))]


@pytest.mark.parametrize("text", ["https://demo.zuofang.example/p/p00001/", "https://x.example/w/" + "s" * 90 + "/"])
def test_png_and_svg_are_the_modules_drawn_one_by_one(text):
    """The PNG is packed from the matrix with numpy and written by pypng, the SVG path found
    with numpy (a fifth of the QR stage was loops in Python, a tenth Pillow's PNG encoder): the
    PNG shows exactly the modules scaled up, in fewer bytes than Pillow writes for that image,
    with nothing in it but the image (so a printed code's file keeps its bytes from build to
    build), and the SVG's runs are those a module-by-module loop finds."""
    matrix = codes.make_matrix(text)
    n, scale = matrix.size, codes.PNG_SCALE
    pixels = bytes(0 if dark else 255 for row in matrix.rows for dark in row)
    image = Image.frombytes("L", (n, n), pixels).resize((n * scale, n * scale), Image.NEAREST)
    drawn = codes.png_bytes(matrix)
    shown = Image.open(io.BytesIO(drawn))
    assert (shown.format, shown.mode, shown.size) == ("PNG", "1", (n * scale, n * scale))
    assert shown.convert("L").tobytes() == image.tobytes()
    chunks, at = [], 8
    while at < len(drawn):
        length = int.from_bytes(drawn[at:at + 4], "big")
        chunks.append(drawn[at + 4:at + 8])
        at += 12 + length
    assert chunks == [b"IHDR", b"IDAT", b"IEND"] and drawn == codes.png_bytes(codes.make_matrix(text))
    pillow = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(pillow, "PNG")
    assert len(drawn) < len(pillow.getvalue())
    runs = []
    for y, row in enumerate(matrix.rows):
        x = 0
        while x < n:
            start = x
            while x < n and row[x]:
                x += 1
            if x > start:
                runs.append((y, start, x - start))
            x += x == start
    assert list(matrix.dark_runs()) == runs
    assert f'd="{"".join(f"M{x} {y}h{w}v1h-{w}z" for y, x, w in runs)}"' in codes.svg_text(matrix)


def test_codes_use_level_m_a_four_module_quiet_zone_and_the_smallest_version():
    import qrcode
    from qrcode.exceptions import DataOverflowError

    text = "https://zf.example.cn/p/p00a1/"
    matrix = codes.make_matrix(text)
    assert matrix.symbol_size == 17 + 4 * matrix.version
    smaller = qrcode.QRCode(version=matrix.version - 1, error_correction=codes.ERROR_CORRECTION)
    smaller.add_data(text)
    with pytest.raises(DataOverflowError):
        smaller.make(fit=False)
    border = codes.BORDER
    assert border == 4
    assert not any(matrix.rows[y][x] for y in range(matrix.size) for x in range(matrix.size)
                   if min(x, y) < border or max(x, y) >= matrix.size - border)
    result = zxingcpp.read_barcodes(Image.open(io.BytesIO(codes.png_bytes(matrix))))[0]
    assert result.text == text and result.ec_level == "M"


def test_gtin_addresses_lead_to_the_right_product(small_qr):
    out, package, summary = small_qr
    products = _rows(out / "registry.db", "SELECT code, gtin FROM products WHERE gtin IS NOT NULL ORDER BY code")
    assert products and summary.gs1_pages >= len(products)
    for code, gtin in products:
        page = out / "site" / urls.output_path(urls.gs1_digital_link(gtin14(gtin)))
        html = page.read_text(encoding="utf-8")
        assert f'<meta http-equiv="refresh" content="0; url={urls.product(code)}">' in html
        assert f'<a href="{urls.product(code)}">' in html
        assert f'<link rel="canonical" href="{urls.absolute(package.site_url, urls.product(code))}">' in html
        assert '<html lang="zh-CN">' in html
        assert "://" not in html.replace(urls.absolute(package.site_url, ""), "")  # nothing from another host


def test_sampled_and_recalled_batches_get_their_own_gs1_address(small_qr):
    out, _, _ = small_qr
    batches = _rows(out / "registry.db", """
        SELECT p.code, p.gtin, s.batch FROM samplings s JOIN products p ON p.code = s.product_code
        WHERE p.gtin IS NOT NULL AND s.batch IS NOT NULL""")
    assert batches, "the small registry should sample some products with a GTIN"
    for code, gtin, batch in batches:
        page = out / "site" / urls.output_path(urls.gs1_digital_link(gtin14(gtin), batch))
        assert f"url={urls.product(code)}" in page.read_text(encoding="utf-8")


WORKSHOP_PRODUCT = """SELECT p.code, p.operator_id FROM products p JOIN operators o ON o.id = p.operator_id
                      WHERE o.kind = 'workshop' ORDER BY p.code LIMIT 1"""


def test_a_second_run_rewrites_nothing_and_a_changed_address_rewrites_the_codes(small_qr, tmp_path):
    out, package, first = small_qr
    files = Files()
    again = build_codes(out / "registry.db", out / "site", package.site_url, files=files)
    assert again.written == 0 and files.changed_files() == set()
    assert again.reused == first.written - first.gs1_pages  # codes, sheets and posters: none redrawn
    code, operator_id = _rows(out / "registry.db", WORKSHOP_PRODUCT)[0]
    png = out / "site" / urls.output_path(urls.qr_file(code, "png"))
    before = png.stat().st_ino
    moved = build_codes(out / "registry.db", tmp_path / "site", "https://zf2.example.cn", operator_id=operator_id)
    assert _decode((tmp_path / "site" / urls.output_path(urls.qr_file(code, "png"))).read_bytes()) == [
        "https://zf2.example.cn" + urls.product(code)]
    assert moved.written > 0 and png.stat().st_ino == before


def test_files_are_replaced_not_edited_so_a_hard_linked_earlier_build_keeps_its_bytes(small_qr, tmp_path):
    out, package, _ = small_qr
    code, operator_id = _rows(out / "registry.db", WORKSHOP_PRODUCT)[0]
    rel = urls.output_path(urls.qr_file(code, "png"))
    (tmp_path / "site" / "qr").mkdir(parents=True)
    original = (out / "site" / rel).read_bytes()
    (tmp_path / "site" / rel).hardlink_to(out / "site" / rel)
    build_codes(out / "registry.db", tmp_path / "site", "https://other.example.cn", operator_id=operator_id)
    assert (out / "site" / rel).read_bytes() == original
    assert (tmp_path / "site" / rel).read_bytes() != original


def test_demo_build_codes_decode_to_built_provenance_pages(demo_build):
    site = demo_build / "site"
    site_url = _rows(demo_build / "registry.db", "SELECT site_url FROM _build")[0][0]
    products = [code for (code,) in _rows(demo_build / "registry.db", "SELECT code FROM products")]
    assert len(products) >= 1000
    for code in products:
        (text,) = _decode((site / urls.output_path(urls.qr_file(code, "png"))).read_bytes())
        assert text == urls.absolute(site_url, urls.product(code))
        assert (site / urls.output_path(text.removeprefix(site_url))).is_file()


def test_demo_build_gtin_pages_point_at_built_pages(demo_build):
    site = demo_build / "site"
    pages = sorted((site / "01").rglob("index.html"))
    assert len(pages) > 100
    for page in pages:
        target = re.search(r'url=(/p/[^/"]+/)"', page.read_text(encoding="utf-8")).group(1)
        assert (site / urls.output_path(target)).is_file()


def test_worker_processes_draw_the_same_bytes_as_one_process(small_qr, tmp_path, monkeypatch):
    from qr import drawing

    out, package, _ = small_qr
    monkeypatch.setattr(drawing, "MIN_JOBS_PER_WORKER", 1)  # fork even for this small registry
    build_codes(out / "registry.db", tmp_path / "site", package.site_url, workers=2)
    made = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(out / "site") for p in (out / "site").rglob("*") if p.is_file())
    assert all((tmp_path / "site" / rel).read_bytes() == (out / "site" / rel).read_bytes() for rel in made)
