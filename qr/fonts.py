"""The CJK font for label sheets and posters: Debian's WenQuanYi Micro Hei, cut down once per run.

fpdf2 reads a TrueType collection (collection_font_number) but parses the whole 5 MB face
for every document: about 0.2 s per PDF, which would dominate a build with hundreds of
workshops. So each run first subsets the face to the characters it can print and gives
fpdf2 that small font (about 15 ms per PDF). The cut keeps the original head bounding box
and the U+0000 / .notdef glyphs fpdf2 looks up, so the embedded subset — and the PDF bytes —
are the same as with the full face (tests/test_qr_pdf.py checks this).
"""
from __future__ import annotations

import hashlib
import logging
import os
import string
import tempfile
from pathlib import Path

from .errors import FontMissing

#: Debian packages that provide a CJK face fpdf2 can embed (TrueType outlines), in order of preference.
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),   # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),     # fonts-wqy-zenhei
)
#: Set to a .ttf/.ttc path to use another face (e.g. on a system without the Debian package).
ENV_VAR = "ZUOFANG_CJK_FONT"
FAMILY = "cjk"


def locate() -> tuple[Path, int]:
    """Path and collection index of the CJK face to embed."""
    override = os.environ.get(ENV_VAR)
    if override:
        if not Path(override).is_file():
            raise FontMissing(f"{ENV_VAR}={override}：文件不存在。请指向一个 TrueType 中文字体（.ttf 或 .ttc）。")
        return Path(override), 0
    for path, index in CANDIDATES:
        if Path(path).is_file():
            return Path(path), index
    raise FontMissing(
        "找不到中文字体，无法生成标签和公示牌 PDF。请安装 Debian 软件包 fonts-wqy-microhei"
        "（scripts/ensure-debian-packages fonts-wqy-microhei），或用环境变量 "
        f"{ENV_VAR} 指定一个 TrueType 中文字体。"
    )


class SubsetFont:
    """A temporary font file holding just `chars` of the CJK face; use as a context manager."""

    def __init__(self, chars: set[str]):
        self.source, self.index = locate()
        # U+0000 and space: fpdf2 reserves them in every subset and reads their glyphs.
        self.chars = set(chars) | set(string.printable) | {"\x00", " "}
        self._dir: tempfile.TemporaryDirectory | None = None
        self.path: Path | None = None

    def __enter__(self) -> "SubsetFont":
        from fontTools import subset, ttLib

        # fontTools logs every table it prunes at INFO: noise under `zuofang -v`.
        logging.getLogger("fontTools").setLevel(logging.WARNING)

        self._dir = tempfile.TemporaryDirectory(prefix="zuofang-font-")
        digest = hashlib.sha256("".join(sorted(self.chars)).encode("utf-8")).hexdigest()[:12]
        self.path = Path(self._dir.name) / f"cjk-{digest}.ttf"
        font = ttLib.TTFont(self.source, fontNumber=self.index, recalcTimestamp=False)
        bbox = {k: getattr(font["head"], k) for k in ("xMin", "yMin", "xMax", "yMax")}
        options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=False,
                                 name_IDs=["*"], name_languages=["*"], layout_features=["*"])
        options.drop_tables = ["FFTM"]  # a FontForge timestamp; fpdf2 drops it too
        subsetter = subset.Subsetter(options)
        # Every code point that maps to a kept glyph (e.g. CJK compatibility ideographs share
        # glyphs), as the full face would give fpdf2: the cmap then matches the full face's subset.
        cmap = font.getBestCmap()
        glyphs = {cmap[ord(c)] for c in self.chars if ord(c) in cmap}
        subsetter.populate(unicodes=sorted({u for u, g in cmap.items() if g in glyphs} | {ord(c) for c in self.chars}))
        subsetter.subset(font)
        for key, value in bbox.items():  # fpdf2 writes head's box as the PDF FontBBox
            setattr(font["head"], key, value)
        font.recalcBBoxes = False
        font.save(self.path)
        return self

    def __exit__(self, *exc) -> None:
        if self._dir is not None:
            self._dir.cleanup()
        self._dir = self.path = None

    def add_to(self, pdf) -> None:
        """Register the face with an fpdf2 document as family `cjk`."""
        add_face(pdf, self.path)


def add_face(pdf, path: str | Path, index: int = 0) -> None:
    """Register the face at `path` with an fpdf2 document as family `cjk`."""
    pdf.add_font(FAMILY, "", str(path), collection_font_number=index)
    _keep_glyph_bytes(pdf)


def full_face_add_to(pdf) -> None:
    """Register the whole, uncut face (slow; for checks that the cut changes nothing)."""
    add_face(pdf, *locate())


def _keep_glyph_bytes(pdf) -> None:
    """Embed the face's glyph bytes as they are instead of decoding and re-encoding each one.

    fpdf2 opens the face with fontTools' default recalcBBoxes=True, which expands every kept
    glyph to recompute a bounding box the font already stores: about a third of a PDF's time.
    """
    pdf.fonts[FAMILY].ttfont.recalcBBoxes = False
