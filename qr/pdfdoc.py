"""What label sheets, posters and the specialty guide share: a deterministic fpdf2 document
(A4, or A5 for the guide) and text fitting.

fpdf2 is imported where a document is made: importing it took 0.7 s of every rebuild, whose QR
stage imports this module through the print pages but seldom draws a PDF."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Callable

from site_builder import vocabulary

from .fonts import FAMILY

if TYPE_CHECKING:
    from fpdf import FPDF

DEMO_NOTICE = f"{vocabulary.DEMO_NOTICE_PRINT.zh}{vocabulary.DEMO_NOTICE_PRINT.en}"


def new_document(add_font, release_date: date, title: str, page_format: str = "A4") -> FPDF:
    """A document whose bytes depend only on what is drawn: creation date = release date.

    fpdf2 derives the document /ID from the content and the creation date, so fixing the
    date makes two runs byte-identical.
    """
    pdf = _fpdf().FPDF(orientation="portrait", unit="mm", format=page_format)
    pdf.set_creation_date(datetime(release_date.year, release_date.month, release_date.day, tzinfo=timezone.utc))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_lang("zh-CN")
    pdf.set_title(title)
    pdf.set_creator("Zuofang")
    add_font(pdf)
    pdf.set_font(FAMILY, size=10)
    return pdf


def _fpdf():
    """fpdf2, imported here first: its encryption module keeps the ImportError of an absent
    `cryptography` with its traceback, whose frames reach back through whatever imported fpdf2.
    Imported from inside a build stage, that held the stage's locals (every product and business
    of the QR stage) alive to the end of the build; the traceback is not needed to report it."""
    import fpdf
    from fpdf import encryption

    error = getattr(encryption, "import_error", None)
    if error is not None:
        error.__traceback__ = None
    return fpdf


cn_date = vocabulary.zh_date  # 2026-11-01 -> 2026年11月1日, as every page writes it


def fit_lines(pdf: FPDF, text: str, width: float, max_lines: int, size: float | None = None,
              words: bool = False) -> list[str]:
    """Wrap `text` to `width` mm (at `size` pt, else the current size); cut to `max_lines` with an
    ellipsis. Chinese wraps between any two characters; `words`: English, between words."""
    return cut_lines(pdf, wrap_lines(pdf, text, width, size, words), width, max_lines)


def wrap_lines(pdf: FPDF, text: str, width: float, size: float | None = None, words: bool = False) -> list[str]:
    """All the lines of `text` wrapped to `width` mm (at `size` pt, else the current size), as
    fit_lines wraps them; a page that must know how many lines a text takes before it decides
    how many to show wraps it once and cuts it with cut_lines."""
    if not text:
        return []
    if size is not None:
        pdf.set_font_size(size)
    if words:
        from fpdf.enums import WrapMode

        return pdf.multi_cell(width, text=text, dry_run=True, output="LINES", wrapmode=WrapMode.WORD)
    return wrap_chinese(pdf, text, width)


def cut_lines(pdf: FPDF, lines: list[str], width: float, max_lines: int, size: float | None = None) -> list[str]:
    """The first `max_lines` of `lines` (wrapped to `width` mm), the last ending with an ellipsis
    when some are left out (measured at `size` pt, else the current size)."""
    if len(lines) <= max_lines:
        return lines
    if size is not None:
        pdf.set_font_size(size)
    lines = lines[:max_lines]
    last = lines[-1]
    measure = string_width(pdf)
    while last and measure(last + "…") > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


#: Marks a Chinese line may not start with (a comma, a full stop, a closing bracket…) and may
#: not end with (an opening bracket or quote): GB/T 15834's rule, which every printed page keeps.
NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")


def wrap_chinese(pdf: FPDF, text: str, width: float) -> list[str]:
    """Wrap `text` between any two characters to `width` mm at the current font size, keeping
    punctuation off the start of a line (the character before it goes down with it) and opening
    brackets off its end; a line break in `text` starts a new line."""
    lines: list[str] = []
    measure = string_width(pdf)
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            w = measure(ch)
            if not line or used + w <= width:
                line, used = line + ch, used + w
                continue
            carry = 0
            if ch in NO_LINE_START:  # carry the character before it down, and any mark before that
                carry = 1
                while carry < len(line) - 1 and line[-carry] in NO_LINE_START:
                    carry += 1
                carry = min(carry, len(line) - 1)
            while len(line) - carry > 1 and line[len(line) - carry - 1] in NO_LINE_END:
                carry += 1
            kept, moved = (line[:-carry], line[-carry:]) if carry else (line, "")
            lines.append(kept)
            line = moved + ch
            used = measure(line)
        lines.append(line)
    return lines


def string_width(pdf: FPDF) -> Callable[[str], float]:
    """A measure of text in mm at the current font and size, equal to `pdf.get_string_width` to the
    last bit: the sum of the font's advance widths, computed as fpdf2 computes them, without its
    style bookkeeping per call (0.1 ms, which wrapping every character of a station's batch of
    sheets would pay tens of thousands of times). Documents with text shaping, stretching or
    letter spacing (new_document sets none), and the core fonts (their widths are keyed by
    character, not code point), are measured by fpdf2 itself."""
    from fpdf.fonts import TTFFont

    font = pdf.current_font
    if pdf.text_shaping or pdf.font_stretching != 100 or pdf.char_spacing or not isinstance(font, TTFFont):
        return pdf.get_string_width
    cw, size, k = font.cw, pdf.font_size_pt, pdf.k
    return lambda text: sum(cw[ord(c)] for c in text) * size * 0.001 / k


def write_lines(pdf: FPDF, x: float, y: float, lines: list[str], size: float, leading: float = 1.25) -> float:
    """Write `lines` at (x, y) in `size` pt; returns the y below the last line."""
    pdf.set_font_size(size)
    height = size * 0.3528 * leading  # pt -> mm
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(text=line, h=height)
        y += height
    return y


def text_block(pdf: FPDF, x: float, y: float, text: str, width: float, size: float, max_lines: int = 1,
               words: bool = False) -> float:
    """Wrap, cut and write `text`; returns the y below it."""
    pdf.set_font_size(size)
    return write_lines(pdf, x, y, fit_lines(pdf, text, width, max_lines, words=words), size)
