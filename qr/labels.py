"""A workshop's label sheet: A4, 3 × 7 labels of 70 × 38 mm, one per product in production.

Each label carries the product's QR code (the symbol about 27 mm wide, above the 20 mm
a phone needs at arm's length), the product name, the workshop and its licence number,
and the address in letters for anyone whose phone cannot scan.
"""
from __future__ import annotations

from site_builder import vocabulary

from .codes import Matrix, draw_pdf
from .pdfdoc import (
    DEMO_NOTICE,
    cn_date,
    fit_lines,
    new_document,
    text_block,
    write_lines,
)
from .records import Product, Registry, Workshop

COLUMNS, ROWS = 3, 7
LABEL_W, LABEL_H = 70.0, 38.0
PAGE_W, PAGE_H = 210.0, 297.0
TOP = (PAGE_H - ROWS * LABEL_H) / 2          # 15.5 mm: room for the header and the notes
QR_SIZE = 34.0                               # quiet zone included
PADDING = 2.0
PER_PAGE = COLUMNS * ROWS

#: Why a workshop that may not operate (standing.py) gets no labels, after what it is (its standing).
STATUS_NOTE = {
    "suspended": "暂停期间不得印制和使用产品标签",
    "revoked": "不得印制和使用产品标签",
    "expired": "换证前不得印制和使用产品标签",
}
PRINT_NOTE = "打印：A4 不干胶 3×7（70×38 毫米），按实际大小（100%）打印，勿缩放；贴前用手机扫码核对。"


def label_sheet(workshop: Workshop, products: list[Product], matrices: dict[str, Matrix],
                registry: Registry, add_font) -> bytes:
    """The PDF bytes of `workshop`'s sheet; `matrices` maps product code -> its QR matrix."""
    pdf = new_document(add_font, registry.release_date, sheet_title(workshop))
    add_sheet(pdf, workshop, products, matrices, registry)
    return bytes(pdf.output())


def sheet_title(workshop: Workshop) -> str:
    return f"{workshop.name} 产品二维码标签"


def labelled(workshop: Workshop, products: list[Product], release_date) -> list[Product]:
    """The products that get a label: the active ones, of a workshop that may operate."""
    if not workshop.standing(release_date).operating:
        return []
    return [p for p in products if p.status == "active"]


def add_sheet(pdf, workshop: Workshop, products: list[Product], matrices: dict[str, Matrix],
              registry: Registry) -> int:
    """Draw `workshop`'s sheet as new pages of `pdf` (one document may hold many workshops'
    sheets, each numbered on its own); `matrices` needs the `labelled` products. Returns the
    number of pages added."""
    title = sheet_title(workshop)
    now = workshop.standing(registry.release_date)
    printable = labelled(workshop, products, registry.release_date)
    pages = [printable[i:i + PER_PAGE] for i in range(0, len(printable), PER_PAGE)] or [[]]
    for number, page in enumerate(pages, 1):
        pdf.add_page()
        _frame(pdf, workshop, registry, title, number, len(pages))
        if not page:
            note = f"该作坊暂无{vocabulary.PRODUCT_STATUS['active'].zh}产品，无需印制标签。"
            if not now.operating:
                void = f"原量化分级{vocabulary.GRADE_VOID.zh}（{vocabulary.GRADE_VOID.en}）。" if workshop.grade else ""
                note = f"该作坊{now.zh}，{STATUS_NOTE[now.status]}。{void}"
            text_block(pdf, 15, TOP + 10, note, PAGE_W - 30, 14, max_lines=3)
        for index, product in enumerate(page):
            x = (PAGE_W - COLUMNS * LABEL_W) / 2 + (index % COLUMNS) * LABEL_W
            y = TOP + (index // COLUMNS) * LABEL_H
            _label(pdf, x, y, product, workshop, matrices[product.code], registry)
    return len(pages)


def _frame(pdf, workshop: Workshop, registry: Registry, title: str, number: int, pages: int) -> None:
    pdf.set_text_color(0, 0, 0)
    text_block(pdf, 10, 5, f"{title} · 登记证号 {workshop.licence_no}", 160, 9)
    pdf.set_xy(170, 5)
    pdf.set_font_size(9)
    pdf.cell(w=30, h=9 * 0.3528 * 1.25, text=f"第 {number}/{pages} 页", align="R")
    footer_y = PAGE_H - TOP + 2
    if registry.demo:
        pdf.set_text_color(180, 0, 0)
        footer_y = text_block(pdf, 10, footer_y, DEMO_NOTICE, 190, 8)
        pdf.set_text_color(0, 0, 0)
    text_block(pdf, 10, footer_y, f"{PRINT_NOTE} 数据日期：{cn_date(registry.release_date)}", 190, 7)


def _label(pdf, x: float, y: float, product: Product, workshop: Workshop, matrix: Matrix,
           registry: Registry) -> None:
    # Light cut guides: the sheet also works on plain paper cut with scissors.
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.1)
    pdf.rect(x, y, LABEL_W, LABEL_H)
    draw_pdf(pdf, matrix, x + PADDING, y + (LABEL_H - QR_SIZE) / 2, QR_SIZE)
    tx, width = x + PADDING + QR_SIZE + 1.0, LABEL_W - QR_SIZE - 2 * PADDING - 1.5
    ty = y + 2.5
    # The name on one line if a slightly smaller size allows it, rather than a stray "）" below.
    size = next((s for s in (9, 8, 7.5) if fit_lines(pdf, product.name, width, 1, s) == [product.name]), 9)
    ty = text_block(pdf, tx, ty, product.name, width, size, max_lines=2)
    if product.spec:
        ty = text_block(pdf, tx, ty, product.spec, width, 7)
    ty = text_block(pdf, tx, ty + 0.8, f"生产者：{workshop.name}", width, 6.5, max_lines=2)
    ty = text_block(pdf, tx, ty, f"登记证号：{workshop.licence_no}", width, 6.5, max_lines=2)
    bottom = y + LABEL_H - 2.5
    lines = [matrix.text.split("://", 1)[-1]]
    if registry.demo:
        pdf.set_text_color(180, 0, 0)
        write_lines(pdf, tx, bottom - 2 * 6 * 0.3528 * 1.25, ["演示数据·勿用于真实产品"], 6)
        pdf.set_text_color(0, 0, 0)
    write_lines(pdf, tx, bottom - 6 * 0.3528 * 1.25, lines, 6)
