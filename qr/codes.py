"""One QR matrix per address, drawn as PNG, SVG and PDF vector from the same modules.

qrcode chooses the version and its bit stream gives the codewords; masks.py lays them out from
layouts qrcode made once per version and scores the masks in numpy, so each matrix has qrcode's
modules in a fraction of its time (measured in bench/bench_qr.py); drawing is done here from the matrix because qrcode's image factories
rebuild the matrix for every image and its SVG path images have no background, which
decoders need. Measured in bench/bench_qr.py.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

import numpy as np
import png
from qrcode.constants import ERROR_CORRECT_M

from .masks import FastMaskQRCode

#: Error correction M (15 % of codewords) survives a scuffed or creased package label.
ERROR_CORRECTION = ERROR_CORRECT_M
#: ISO/IEC 18004 asks for a 4-module quiet zone; phones fail more often without it.
BORDER = 4
#: zlib's level for the PNG files: 4 makes them as small as its default 6 (within a byte) in
#: half the time; 9 is five times slower and no smaller.
PNG_COMPRESSION = 4
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

    @cached_property
    def modules(self) -> np.ndarray:
        """The modules as a size × size array of 1 (dark) and 0, for numpy."""
        n = self.size
        return np.frombuffer(b"".join(map(bytes, self.rows)), np.uint8).reshape(n, n)

    @cached_property
    def _runs(self) -> tuple[list[int], list[int], list[int]]:
        """Rows, first columns and lengths of the horizontal runs of dark modules, row by row:
        where each row's modules (padded with light ones) step up and down, found by numpy."""
        n = self.size
        padded = np.zeros((n, n + 2), np.int8)
        padded[:, 1:-1] = self.modules
        steps = np.diff(padded, axis=1)
        ys, xs = np.nonzero(steps == 1)
        lengths = np.nonzero(steps == -1)[1] - xs
        return ys.tolist(), xs.tolist(), lengths.tolist()

    def dark_runs(self) -> Iterator[tuple[int, int, int]]:
        """(row, first column, length) of each horizontal run of dark modules."""
        return zip(*self._runs)

    @cached_property
    def svg_path(self) -> str:
        """The dark runs as one SVG path (the SVG file and the print pages' inline code share it:
        made once a matrix, it was a fifth of the QR stage in Python loops)."""
        ys, xs, lengths = self._runs
        n = _NUMBERS
        return "".join([f"M{n[x]} {n[y]}h{n[w]}v1h-{n[w]}z" for x, y, w in zip(xs, ys, lengths)])


#: Every module coordinate and run length as text (a symbol is at most 177 modules, 185 with the
#: quiet zone): looked up, not formatted, 200 times a code (2.5 times faster).
_NUMBERS = tuple(map(str, range(17 + 4 * 40 + 2 * BORDER + 1)))


def make_matrix(text: str) -> Matrix:
    """The smallest QR code (version chosen by qrcode) that holds `text` at level M."""
    code = FastMaskQRCode(version=None, error_correction=ERROR_CORRECTION, border=BORDER)
    code.add_data(text)
    code.make(fit=True)
    rows = tuple(map(tuple, code.get_matrix()))
    return Matrix(text, code.version, rows)


def png_bytes(matrix: Matrix, scale: int = PNG_SCALE) -> bytes:
    """A 1-bit greyscale PNG, `scale` pixels per module; no text chunks or timestamps, so bytes
    repeat. Written by pypng, whose rows go unfiltered, as PNG advises for images below 8 bits:
    Pillow filters each row (sub, up, Paeth), which takes twice as long and makes a code's PNG
    a third larger (bench/bench_qr.py)."""
    side = matrix.size * scale
    light = matrix.modules == 0  # a 1-bit image's 1 is white
    rows = [row for row in map(bytes, np.packbits(light.repeat(scale, axis=1), axis=1)) for _ in range(scale)]
    out = io.BytesIO()
    png.Writer(side, side, greyscale=True, bitdepth=1, compression=PNG_COMPRESSION).write_packed(out, rows)
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
