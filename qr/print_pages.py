"""A workshop's print pages: /w/<id>/labels/ (its label sheet) and /w/<id>/poster/ (its 信息公示牌).

HTML with print CSS instead of a PDF per workshop: a PDF costs 30–40 ms to draw and embeds a cut
CJK font, a page costs well under a millisecond and the browser prints it with the system's
fonts. The layout is the PDFs' (labels.py, posters.py, board.py), in millimetres: @page A4 with
no margin, 3 × 7 labels of 70 × 38 mm, the poster on one page. The QR codes are inline SVG made
from the same Matrix as the PNG and SVG files (drawing.py draws all three in one job), so each
matrix is computed once. On screen the page says how to print it and scrolls the sheet sideways
on a narrow phone; it needs no JavaScript and loads nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from site_builder import urls, vocabulary
from site_builder.registry.standing import Standing

from . import board, labels, posters
from .codes import Matrix
from .records import Product, Workshop

TEMPLATES = Path(__file__).parent / "templates"

#: The product name's size (pt) on a label: the largest that keeps it on one line, as the PDF
#: chooses; a CJK character is about one em wide, Latin letters and digits about half.
NAME_SIZES = (9.0, 8.0, 7.5)
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Facts:
    """What every print page shows besides its workshop: the package-wide facts."""

    demo: bool
    release_date: str   # ISO date
    site_url: str
    pdf: bool           # the build also made the PDFs (zuofang build --pdf): the page links its own


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(urls=urls, vocabulary=vocabulary, zh_date=vocabulary.zh_date)
    return env


def qr_svg(matrix: Matrix, label: str) -> Markup:
    """The code as inline SVG, one path of dark runs over a white square (quiet zone included),
    sized by the page's CSS; the same path as codes.svg_text draws."""
    n = matrix.size
    path = matrix.svg_path
    return Markup(
        f'<svg class="qr" viewBox="0 0 {n} {n}" shape-rendering="crispEdges" role="img" '
        f'aria-label="{Markup.escape(label)}"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>')


def name_size(name: str) -> float:
    """The label's name size (NAME_SIZES) at which `name` fits on one line of the text column."""
    width = (labels.LABEL_W - labels.QR_SIZE - 2 * labels.PADDING - 1.5) * PT_PER_MM
    ems = sum(0.55 if ord(c) < 0x2E80 else 1.0 for c in name)
    return next((s for s in NAME_SIZES if ems * s <= width), NAME_SIZES[-1])


def label_page(workshop: Workshop, products: list[Product], matrices: dict[str, Matrix], now: Standing,
               facts: Facts) -> str:
    """The label sheet's HTML: a page of 21 labels per 21 active products (a workshop that may
    not operate, or has none, gets one page saying why it has no labels)."""
    printable = [p for p in products if p.status == "active"] if now.operating else []
    sheets = [printable[i:i + labels.PER_PAGE] for i in range(0, len(printable), labels.PER_PAGE)] or [[]]
    note = ""
    if not printable:
        note = f"该作坊暂无{vocabulary.PRODUCT_STATUS['active'].zh}产品，无需印制标签。"
        if not now.operating:
            void = f"原量化分级{vocabulary.GRADE_VOID.zh}（{vocabulary.GRADE_VOID.en}）。" if workshop.grade else ""
            note = f"该作坊{now.zh}，{labels.STATUS_NOTE[now.status]}。{void}"
    cells = [[{
        "product": p, "size": name_size(p.name),
        "left": (index % labels.COLUMNS) * labels.LABEL_W, "top": labels.TOP + (index // labels.COLUMNS) * labels.LABEL_H,
        "qr": qr_svg(matrices[p.code], f"二维码 QR code：{matrices[p.code].text}"),
        "address": matrices[p.code].text.split("://", 1)[-1],
    } for index, p in enumerate(sheet)] for sheet in sheets]
    return _environment().get_template("print_labels.html").render(
        workshop=workshop, sheets=cells, note=note, facts=facts, layout=labels, demo_print=vocabulary.DEMO_NOTICE_PRINT)


def poster_page(workshop: Workshop, matrix: Matrix, facts_board: board.Board | None, now: Standing,
                facts: Facts) -> str:
    """The 信息公示牌's HTML: one A4 page, the PDF poster's content; `matrix` encodes /w/<id>/."""
    grade = posters.GRADES.get(workshop.grade or "")
    return _environment().get_template("print_poster.html").render(
        workshop=workshop, now=now, facts=facts, grade=grade, colour=_rgb(grade[2]) if grade else "#787878",
        status=posters.STATUS.get(workshop.status, workshop.status), complaint=posters.COMPLAINT_LINE,
        qr=qr_svg(matrix, f"二维码 QR code：{matrix.text}"), address=matrix.text.split("://", 1)[-1],
        board=facts_board, board_lines=board.lines(facts_board) if facts_board else [],
        demo_print=vocabulary.DEMO_NOTICE_PRINT)


def _rgb(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)
