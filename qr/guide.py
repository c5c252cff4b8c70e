"""The printable specialty guide, /brands/guide.pdf: an A5 booklet of the awarded brands.

For the visitor centre's rack and the hotel desk: a cover with the counties and their pages,
then one page per brand, by county — its name in Chinese and English, its designation, one
picture, its story in both languages, its maker and where that is, and a QR code of the brand's
page, where the designation's status today can be checked (a printed booklet outlives a
revocation). Drawn with the labels' tools (pdfdoc.py, fpdf2 and the cut CJK font), so two
builds of the same data give the same bytes.
"""
from __future__ import annotations

import io
from typing import Callable

from site_builder import urls, vocabulary

from .codes import Matrix, draw_pdf, make_matrix
from .pdfdoc import DEMO_NOTICE, cn_date, cut_lines, new_document, text_block, wrap_lines, write_lines
from .records import GuideBrand, Registry

PAGE_W, PAGE_H = 148.0, 210.0   # A5
MARGIN = 12.0
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 30.0
BOTTOM = PAGE_H - MARGIN - QR_SIZE - 6   # where the maker block starts
PHOTO_MAX_H = 68.0
TITLE = "名特优导览"
TITLE_EN = "Local Specialty Guide"


def guide(area: str, brands: list[GuideBrand], registry: Registry, site_url: str,
          photo: Callable[[str], tuple[bytes, int, int] | None], add_font) -> bytes:
    """The PDF bytes of the guide; `photo(name)` gives a photo's JPEG and its pixel size."""
    pdf = new_document(add_font, registry.release_date, f"{area}{TITLE} {TITLE_EN}", page_format=(PAGE_W, PAGE_H))
    pages = _first_pages(brands)
    _cover(pdf, area, brands, pages, registry)
    for number, brand in enumerate(brands, 2):
        _brand_page(pdf, brand, number, registry, site_url, photo(brand.photo) if brand.photo else None,
                    brand.photo_credit)
    return bytes(pdf.output())


def _first_pages(brands: list[GuideBrand]) -> list[tuple[GuideBrand, int]]:
    """The first brand of each county and its page (the cover is page 1)."""
    firsts, seen = [], set()
    for number, brand in enumerate(brands, 2):
        if brand.county_code not in seen:
            seen.add(brand.county_code)
            firsts.append((brand, number))
    return firsts


def _cover(pdf, area: str, brands: list[GuideBrand], firsts, registry: Registry) -> None:
    pdf.add_page()
    pdf.set_xy(MARGIN, 26)
    pdf.set_font_size(24)
    pdf.cell(w=WIDTH, h=12, text=f"{area}{TITLE}", align="C")
    pdf.set_xy(MARGIN, 39)
    pdf.set_font_size(13)
    pdf.cell(w=WIDTH, h=7, text=TITLE_EN, align="C")
    y = 52.0
    if registry.demo:
        pdf.set_text_color(180, 0, 0)
        y = text_block(pdf, MARGIN, y, DEMO_NOTICE, WIDTH, 9, max_lines=3) + 2
        pdf.set_text_color(0, 0, 0)
    y = text_block(pdf, MARGIN, y, "经市场监管部门认定的名特优、老字号和出彩小作坊品牌，按县（市、区）排列。"
                   "每页的二维码通往该品牌的网页，可查看最新的认定状态、生产者的检查和抽检结果。", WIDTH, 10, max_lines=4)
    y = text_block(pdf, MARGIN, y + 1, "Designated local specialties, by county. Each page's QR code opens the "
                   "brand's web page: its designation today, and its maker's inspections and tests.", WIDTH, 8.5,
                   max_lines=3, words=True) + 4
    pdf.set_font_size(12)
    pdf.set_xy(MARGIN, y)
    pdf.cell(w=WIDTH, h=7, text="目录 Contents")
    y += 9
    if not brands:
        text_block(pdf, MARGIN, y, "暂无已认定的品牌。No specialty has been awarded yet.", WIDTH, 10)
    for brand, number in firsts:
        if y > PAGE_H - 24:
            break  # more counties than a page holds: the pages still follow in order
        county = f"{brand.county or '其他地区'} {brand.county_en or ''}".strip()
        write_lines(pdf, MARGIN + 2, y, [county], 10)
        pdf.set_xy(PAGE_W - MARGIN - 30, y)
        pdf.cell(w=30, h=10 * 0.3528 * 1.25, text=f"第 {number} 页 p. {number}", align="R")
        y += 6
    text_block(pdf, MARGIN, PAGE_H - 16, f"数据更新日期 Data as of {cn_date(registry.release_date)}", WIDTH, 8)


def _brand_page(pdf, brand: GuideBrand, number: int, registry: Registry, site_url: str,
                picture: tuple[bytes, int, int] | None, credit: str | None) -> None:
    pdf.add_page()
    county = f"{brand.county or ''} {brand.county_en or ''}".strip()
    write_lines(pdf, MARGIN, 8, [county], 9)
    pdf.set_xy(PAGE_W - MARGIN - 60, 8)
    pdf.set_font_size(8)
    pdf.cell(w=60, h=8 * 0.3528 * 1.25, text=f"{TITLE} {TITLE_EN}", align="R")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, 13.5, PAGE_W - MARGIN, 13.5)
    y = text_block(pdf, MARGIN, 16, brand.name, WIDTH, 20)
    if brand.name_en:
        y = text_block(pdf, MARGIN, y, brand.name_en, WIDTH, 12, max_lines=2, words=True)
    y = text_block(pdf, MARGIN, y + 1, _designation(brand), WIDTH, 8.5, max_lines=2, words=True) + 2
    if picture:
        y = _picture(pdf, picture, credit, y) + 2
    # Each story is wrapped once (the English one by fpdf2, a third of the guide's time): how
    # many of its lines fit decides how many are shown.
    lines_zh = wrap_lines(pdf, brand.story or "", WIDTH, 9.5)
    lines_en = wrap_lines(pdf, brand.story_en or "", WIDTH, 8.5, words=True)
    room = BOTTOM - 2 - y
    zh_h, en_h = 9.5 * 0.3528 * 1.25, 8.5 * 0.3528 * 1.25
    keep_zh = min(len(lines_zh), max(2, int(room * 0.55 / zh_h)))
    keep_en = min(len(lines_en), max(0, int((room - keep_zh * zh_h - 1.5) / en_h)))
    y = write_lines(pdf, MARGIN, y, cut_lines(pdf, lines_zh, WIDTH, keep_zh, 9.5), 9.5) + 1.5
    if keep_en:
        pdf.set_text_color(60, 60, 60)
        write_lines(pdf, MARGIN, y, cut_lines(pdf, lines_en, WIDTH, keep_en, 8.5), 8.5)
        pdf.set_text_color(0, 0, 0)
    _maker(pdf, brand, make_matrix(urls.absolute(site_url, urls.brand(brand.id))))
    footer = PAGE_H - 7
    if registry.demo:
        pdf.set_text_color(180, 0, 0)
        text_block(pdf, MARGIN, footer - 4, DEMO_NOTICE, WIDTH - 14, 6.5, words=True)
        pdf.set_text_color(0, 0, 0)
    pdf.set_xy(PAGE_W - MARGIN - 12, footer)
    pdf.set_font_size(8)
    pdf.cell(w=12, h=4, text=str(number), align="R")


def _designation(brand: GuideBrand) -> str:
    parts = [f"{brand.program} {vocabulary.PROGRAMS[brand.program].en}" if brand.program in vocabulary.PROGRAMS
             else brand.program]
    category = vocabulary.food_category(brand.category)
    parts.append(f"{category.zh} {category.en}".strip())
    if brand.heritage in vocabulary.HERITAGE:
        term = vocabulary.HERITAGE[brand.heritage]
        parts.append(f"{term.zh} {term.en}")
    return " · ".join(parts)


def _picture(pdf, picture: tuple[bytes, int, int], credit: str | None, y: float) -> float:
    """The photo, as wide as the text unless that makes it too tall; its credit below it."""
    data, width_px, height_px = picture
    width = WIDTH
    height = width * height_px / width_px
    if height > PHOTO_MAX_H:
        height, width = PHOTO_MAX_H, PHOTO_MAX_H * width_px / height_px
    pdf.image(io.BytesIO(data), x=MARGIN + (WIDTH - width) / 2, y=y, w=width, h=height)
    y += height
    if credit:
        pdf.set_text_color(80, 80, 80)
        y = text_block(pdf, MARGIN, y + 0.8, credit, WIDTH, 6.5, max_lines=2, words=True)
        pdf.set_text_color(0, 0, 0)
    return y


def _maker(pdf, brand: GuideBrand, matrix: Matrix) -> None:
    x, y = MARGIN, BOTTOM
    width = WIDTH - QR_SIZE - 4
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN, y - 1.5, PAGE_W - MARGIN, y - 1.5)
    y = text_block(pdf, x, y, f"生产者 Maker：{brand.maker}", width, 9, max_lines=2)
    y = text_block(pdf, x, y + 0.5, f"地址 Address：{brand.address}", width, 8.5, max_lines=3)
    if brand.maker_status != "active":
        status = vocabulary.OPERATOR_STATUS.get(brand.maker_status)
        pdf.set_text_color(180, 0, 0)
        y = text_block(pdf, x, y + 0.5, f"登记状态：{status.zh if status else brand.maker_status}，目前不得生产经营。"
                       f"Not open for business ({status.en if status else brand.maker_status}).", width, 8, max_lines=2)
        pdf.set_text_color(0, 0, 0)
    y = text_block(pdf, x, y + 1, "扫码查看品牌网页：认定状态、检查和抽检。Scan for the brand's page.", width, 7.5,
                   max_lines=2, words=True)
    text_block(pdf, x, y, matrix.text.split("://", 1)[-1], width, 7, max_lines=2)
    draw_pdf(pdf, matrix, PAGE_W - MARGIN - QR_SIZE, BOTTOM - 0.5, QR_SIZE)
