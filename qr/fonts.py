"""The CJK font for label sheets and posters: Debian's WenQuanYi Micro Hei, cut down once per run.

fpdf2 reads a TrueType collection (collection_font_number) but parses the whole 5 MB face
for every document: about 0.2 s per PDF, which would dominate a build with hundreds of
workshops. So each run first subsets the face to the characters it can print and gives
fpdf2 that small font (about 15 ms per PDF). The cut keeps the original head bounding box
and the U+0000 / .notdef glyphs fpdf2 looks up, so the embedded subset — and the PDF bytes —
are the same as with the full face (tests/test_qr_pdf.py checks this).

Cutting takes most of a second (0.76 s measured for 3,000 characters; a kept cut 0.007 s), which
a rebuild that redraws one sheet would pay every time; so each cut is kept in the user's cache
folder ($XDG_CACHE_HOME/zuofang/fonts, by default ~/.cache/zuofang/fonts), named by what decides
its bytes (the face's own bytes, the characters, fontTools' version), and reused while its bytes
still match the digest kept beside it. Only the newest few cuts are kept.
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
#: Cuts kept in the cache folder (each some hundreds of KB); older ones this module made are removed.
KEPT_CUTS = 8
#: Changes whenever the cut's options below change, so that older cuts are not reused.
CUT_VERSION = "1"


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
        key = self._key()
        folder = cache_folder()
        if folder is not None:
            cached = _cached_cut(folder, key)
            if cached is not None:
                self.path = cached
                return self
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self.path = _store_cut(folder, key, self._cut())
                _forget_old_cuts(folder)
                return self
            except OSError:
                pass  # a read-only or full cache folder: cut into a temporary folder, as without one
        self._dir = tempfile.TemporaryDirectory(prefix="zuofang-font-")
        self.path = Path(self._dir.name) / f"cjk-{key[:12]}.ttf"
        self.path.write_bytes(self._cut())
        return self

    def _key(self) -> str:
        """A digest of everything the cut's bytes depend on."""
        import fontTools

        h = hashlib.sha256(f"{CUT_VERSION}\0{fontTools.version}\0{self.index}\0".encode())
        h.update(hashlib.sha256(self.source.read_bytes()).digest())
        h.update("".join(sorted(self.chars)).encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _cut(self) -> bytes:
        """The face cut down to `chars`, as TrueType bytes."""
        import io

        from fontTools import subset, ttLib

        # fontTools logs every table it prunes at INFO: noise under `zuofang -v`.
        logging.getLogger("fontTools").setLevel(logging.WARNING)
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
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()

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


def cache_folder() -> Path | None:
    """Where cuts are kept between runs; None when the user has no home to keep them in."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return None if base.startswith("~") else Path(base) / "zuofang" / "fonts"


def _cached_cut(folder: Path, key: str) -> Path | None:
    """The kept cut for `key`, if its bytes still have the digest written beside them."""
    path, digest = folder / f"cjk-{key}.ttf", folder / f"cjk-{key}.sha256"
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest.read_text(encoding="ascii").strip():
            os.utime(digest)  # the newest used cuts are the ones kept
            return path
    except (OSError, ValueError):
        pass
    return None


def _store_cut(folder: Path, key: str, data: bytes) -> Path:
    """Keep `data` as the cut for `key` (written whole, then renamed: a reader never sees half)."""
    path = folder / f"cjk-{key}.ttf"
    for target, content in ((path, data), (folder / f"cjk-{key}.sha256", hashlib.sha256(data).hexdigest().encode())):
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".cut-")
        try:
            with os.fdopen(handle, "wb") as f:
                f.write(content)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    return path


def _forget_old_cuts(folder: Path) -> None:
    """Remove all but the KEPT_CUTS most recently used cuts (only files named as this module names them)."""
    digests = sorted(folder.glob("cjk-*.sha256"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for digest in digests[KEPT_CUTS:]:
        for path in (digest.with_suffix(".ttf"), digest):
            try:
                if len(path.stem) == 4 + 64 and not path.is_symlink():
                    path.unlink()
            except OSError:
                pass
