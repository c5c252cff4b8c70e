"""A workshop's 信息公示牌: A4 poster with licence, address, grade smiley, QR and 12315.

The grade smiley is drawn as vector shapes (A 大笑 laughing, B 微笑 smiling, C 平脸 flat)
so it prints sharp at any size; the grade is also written out, never shown by colour alone.
A workshop that may not operate (standing.py: revoked, suspended, lapsed) gets no smiley: the
poster says its grade is void and why, as its page does.
"""
from __future__ import annotations

from site_builder import vocabulary

from . import board
from .codes import Matrix, draw_pdf
from .pdfdoc import DEMO_NOTICE, cn_date, new_document, text_block
from site_builder.registry.standing import Standing

from .records import Registry, Workshop

PAGE_W = 210.0
MARGIN = 18.0
COMPLAINT_LINE = "投诉举报电话：12315"

#: grade: (word, face, RGB) — the words from the vocabulary, the colours the poster's own
COLOURS = {"A": (27, 127, 59), "B": (0, 92, 170), "C": (190, 90, 0)}
GRADES = {g: (vocabulary.GRADES[g].zh, vocabulary.FACES[g], rgb) for g, rgb in COLOURS.items()}
STATUS = {k: t.zh for k, t in vocabulary.OPERATOR_STATUS.items()}


def poster(workshop: Workshop, matrix: Matrix, registry: Registry, add_font) -> bytes:
    """The PDF bytes of `workshop`'s 信息公示牌; `matrix` encodes its /w/ page."""
    pdf = new_document(add_font, registry.release_date, f"{workshop.name} 食品小作坊信息公示牌")
    add_poster(pdf, workshop, matrix, registry)
    return bytes(pdf.output())


def add_poster(pdf, workshop: Workshop, matrix: Matrix, registry: Registry) -> None:
    """Draw `workshop`'s 信息公示牌 as a new page of `pdf` (one document may hold many)."""
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN
    y = _heading(pdf, registry)
    now = workshop.standing(registry.release_date)
    y = _facts(pdf, workshop, now, y + 4, width)
    y = _grade(pdf, workshop, now, y + 6)
    y = _qr(pdf, matrix, y + 8)
    pdf.set_text_color(180, 0, 0)
    pdf.set_xy(MARGIN, y + 6)
    pdf.set_font_size(26)
    pdf.cell(w=width, h=12, text=COMPLAINT_LINE, align="C")
    pdf.set_text_color(0, 0, 0)
    board.draw(pdf, registry.boards.get(workshop.id), y + 20)
    text_block(pdf, MARGIN, 284, f"信息更新日期：{cn_date(registry.release_date)}　以网上公示信息为准", width, 8)


def _heading(pdf, registry: Registry) -> float:
    width = PAGE_W - 2 * MARGIN
    pdf.set_xy(MARGIN, 14)
    pdf.set_font_size(28)
    pdf.cell(w=width, h=13, text="食品小作坊信息公示牌", align="C")
    pdf.set_xy(MARGIN, 27)
    pdf.set_font_size(11)
    pdf.cell(w=width, h=6, text="Food Workshop Public Information", align="C")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, 35, PAGE_W - MARGIN, 35)
    y = 37.0
    if registry.demo:
        pdf.set_text_color(180, 0, 0)
        y = text_block(pdf, MARGIN, y, DEMO_NOTICE, width, 9, max_lines=2)
        pdf.set_text_color(0, 0, 0)
    return y


def _facts(pdf, workshop: Workshop, now: Standing, y: float, width: float) -> float:
    status = STATUS.get(workshop.status, workshop.status)
    rows = [
        ("名　　称", workshop.name),
        ("登记证号", workshop.licence_no),
        ("统一社会信用代码", workshop.credit_code or "—"),
        ("经营地址", workshop.address),
        ("生产类别", workshop.categories or "—"),
        ("有效期至", f"{cn_date(workshop.valid_until)}（{status}）"),
        ("日常监管", workshop.station or "—"),
    ]
    label_w = 38.0
    for label, value in rows:
        pdf.set_xy(MARGIN, y)
        pdf.set_font_size(12)
        pdf.cell(w=label_w, h=7, text=f"{label}：")
        y = max(text_block(pdf, MARGIN + label_w, y + 0.4, value, width - label_w, 13, max_lines=2), y + 7) + 1.5
    if not now.operating:
        pdf.set_text_color(180, 0, 0)
        y = text_block(pdf, MARGIN, y + 1, f"本作坊{now.zh}，不得生产经营。本公示牌仅作存档，不作为生产经营凭证。",
                       width, 12, max_lines=2)
        pdf.set_text_color(0, 0, 0)
    return y


def _grade(pdf, workshop: Workshop, now: Standing, y: float) -> float:
    size = 44.0
    grade = GRADES.get(workshop.grade or "")
    pdf.set_xy(MARGIN + size + 10, y + 2)
    pdf.set_font_size(13)
    pdf.cell(text="食品安全量化分级 Food safety grade", h=7)
    if grade is not None and not now.operating:
        # No face: a void grade must not be read as a current one from across the room.
        pdf.set_draw_color(120, 120, 120)
        pdf.set_line_width(size / 22)
        pdf.rect(MARGIN + 2, y + 2, size - 4, size - 4)
        pdf.line(MARGIN + 2, y + size - 2, MARGIN + size - 2, y + 2)
        pdf.set_text_color(180, 0, 0)
        text_block(pdf, MARGIN + size + 10, y + 12, vocabulary.GRADE_VOID.zh, 110, 30)
        pdf.set_text_color(0, 0, 0)
        text_block(pdf, MARGIN + size + 10, y + 29, f"原因：{now.zh}　{vocabulary.GRADE_VOID.en}", 110, 12, max_lines=2)
        return y + size
    if grade is None:
        _face(pdf, MARGIN, y, size, None, (120, 120, 120))
        text_block(pdf, MARGIN + size + 10, y + 14, vocabulary.NOT_GRADED.zh, 100, 26)
        return y + size
    word, face, colour = grade
    _face(pdf, MARGIN, y, size, workshop.grade, colour)
    pdf.set_text_color(*colour)
    text_block(pdf, MARGIN + size + 10, y + 12, f"{word}（{workshop.grade}级·{face}）", 110, 30)
    pdf.set_text_color(0, 0, 0)
    text_block(pdf, MARGIN + size + 10, y + 29, f"评定日期：{cn_date(workshop.grade_effective_on)}", 110, 13)
    return y + size


def _face(pdf, x: float, y: float, size: float, grade: str | None, colour: tuple[int, int, int]) -> None:
    """The smiley, drawn in a `size` mm square at (x, y)."""
    cx, cy, r = x + size / 2, y + size / 2, size / 2
    pdf.set_draw_color(*colour)
    pdf.set_fill_color(*colour)
    pdf.set_line_width(size / 22)
    pdf.circle(cx, cy, r - size / 44, style="D")
    if grade is None:
        return
    eye = size / 14
    for ex in (cx - size * 0.17, cx + size * 0.17):
        pdf.circle(ex, cy - size * 0.12, eye / 2 + size / 40, style="F")
    mouth_w = size * 0.5
    if grade == "A":    # 大笑: an open mouth, a filled half disc
        # fpdf2's y axis points down the page, so 0°–180° is the lower half.
        pdf.solid_arc(cx - mouth_w / 2, cy - mouth_w / 2 + size * 0.06, mouth_w, 0, 180, style="F")
    elif grade == "B":  # 微笑: a curved line
        pdf.arc(cx - mouth_w / 2, cy - mouth_w / 2 - size * 0.02, mouth_w, 25, 155, style="D")
    else:               # 平脸: a straight line
        pdf.line(cx - mouth_w / 2, cy + size * 0.2, cx + mouth_w / 2, cy + size * 0.2)


def _qr(pdf, matrix: Matrix, y: float) -> float:
    size = 52.0
    x = (PAGE_W - size) / 2 - 35
    draw_pdf(pdf, matrix, x, y, size)
    tx = x + size + 6
    text_block(pdf, tx, y + 10, "扫码查看检查记录、抽检结果和产品信息", 95, 13, max_lines=2)
    text_block(pdf, tx, y + 24, "Scan for inspections, test results and products", 80, 9, max_lines=2)
    text_block(pdf, tx, y + 34, matrix.text.split("://", 1)[-1], 80, 10, max_lines=2)
    return y + size
