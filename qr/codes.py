"""One QR matrix per address, drawn as PNG, SVG and PDF vector from the same modules.

qrcode chooses the version and its bit stream gives the codewords; masks.py lays them out from
layouts qrcode made once per version and scores the masks in numpy, so each matrix has qrcode's
modules in a fraction of its time (measured in bench/bench_qr.py); drawing is done here from the matrix because qrcode's image factories
rebuild the matrix for every image and its SVG path images have no background, which
decoders need. Measured in bench/bench_qr.py.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

import numpy as np
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from .masks import FastMaskQRCode

#: Error correction M (15 % of codewords) survives a scuffed or creased package label.
ERROR_CORRECTION = ERROR_CORRECT_M
#: ISO/IEC 18004 asks for a 4-module quiet zone; phones fail more often without it.
BORDER = 4
#: Pixels per module in the PNG files (a version 3 code is 37 × 8 = 296 px wide).
PNG_SCALE = 8


@dataclass(frozen=True)
class Matrix:
    """The modules of one QR code, quiet zone included (True = dark)."""

    text: str
    version: int
    rows: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules per side, quiet zone included."""
        return len(self.rows)

    @property
    def symbol_size(self) -> int:
        """Modules per side of the symbol itself (17 + 4 × version)."""
        return self.size - 2 * BORDER

    def dark_runs(self) -> Iterator[tuple[int, int, int]]:
        """(row, first column, length) of each horizontal run of dark modules."""
        for y, row in enumerate(self.rows):
            for run in _DARK.finditer(bytes(row)):
                yield y, run.start(), run.end() - run.start()

    @cached_property
    def svg_path(self) -> str:
        """The dark runs as one SVG path (the SVG file and the print pages' inline code share it:
        made once a matrix, it was a fifth of the QR stage in Python loops)."""
        return "".join([f"M{x} {y}h{w}v1h-{w}z" for y, x, w in self.dark_runs()])


#: A run of dark modules in a row's bytes (True is 1).
_DARK = re.compile(rb"\x01+")


def make_matrix(text: str) -> Matrix:
    """The smallest QR code (version chosen by qrcode) that holds `text` at level M."""
    code = FastMaskQRCode(version=None, error_correction=ERROR_CORRECTION, border=BORDER)
    code.add_data(text)
    code.make(fit=True)
    rows = tuple(map(tuple, code.get_matrix()))
    return Matrix(text, code.version, rows)


def png_bytes(matrix: Matrix, scale: int = PNG_SCALE) -> bytes:
    """A 1-bit PNG, `scale` pixels per module; no text chunks or timestamps, so bytes repeat."""
    side = matrix.size * scale
    light = ~np.array(matrix.rows, dtype=bool)  # a 1-bit image's 1 is white
    bits = np.packbits(light.repeat(scale, axis=0).repeat(scale, axis=1), axis=1)
    out = io.BytesIO()
    Image.frombytes("1", (side, side), bits.tobytes()).save(out, "PNG")
    return out.getvalue()


def svg_text(matrix: Matrix, scale: int = PNG_SCALE) -> str:
    """An SVG with a white background rect (decoders need it) and one path of dark runs."""
    n = matrix.size
    path = matrix.svg_path
    title = matrix.text.replace("&", "&amp;").replace("<", "&lt;")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{n * scale}" '
        f'height="{n * scale}" shape-rendering="crispEdges" role="img" aria-label="二维码 QR code">'
        f"<title>{title}</title>"
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>\n'
    )


def draw_pdf(pdf, matrix: Matrix, x: float, y: float, width: float) -> None:
    """Draw the code as vector rectangles (quiet zone included) at (x, y), `width` mm wide."""
    module = width / matrix.size
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, width, width, style="F")
    pdf.set_fill_color(0, 0, 0)
    # A hair of overlap closes the seams some PDF renderers leave between adjacent rects.
    seam = module * 0.02
    for row, col, length in matrix.dark_runs():
        pdf.rect(x + col * module, y + row * module, length * module + seam, module + seam, style="F")
