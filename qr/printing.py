"""`zuofang print`: one PDF of label sheets or 信息公示牌 posters for a selection of workshops.

A bureau prints a station's batch at once (every workshop the station supervises), or a
region's, or one workshop's. One document for the batch means one cut of the CJK font and one
embedded subset per file, where a PDF per workshop pays both each time; the pages come by
station, then workshop id, so the printed stack sorts as the stations' rounds do.

Reads OUT_DIR/registry.db only; writes only the file asked for, never into OUT_DIR (whose files
the build's state record vouches for), and atomically: a temporary file beside it, renamed over
it once complete, so a failed run leaves whatever was there as it was.
"""
from __future__ import annotations

import contextlib
import inspect
import itertools
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from site_builder import urls, vocabulary
from site_builder.registry import standing

from . import board, drawing, fonts, labels, pdfdoc, posters, records
from .codes import Matrix, make_matrix
from .errors import PrintTargetRefused
from .records import Registry, Selection

KINDS = ("labels", "posters")


@dataclass(frozen=True)
class Printed:
    """What a print run wrote: the file, its workshops, pages, QR codes, bytes and seconds."""

    path: Path
    workshops: int
    pages: int
    codes: int
    size: int
    seconds: float


def print_batch(out_dir: str | Path, kind: str, selection: Selection, target: str | Path,
                workers: int | None = None) -> Printed:
    """Write `selection`'s label sheets (`kind` "labels") or posters ("posters"), read from
    `out_dir`/registry.db, as one PDF at `target`. `workers` (default: the number of cores)
    processes make the QR matrices while this one cuts the font and draws."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    started = time.perf_counter()
    out_dir = Path(os.path.realpath(out_dir))
    target = checked_target(target, out_dir)
    registry = records.select(out_dir / "registry.db", selection)
    pages = _pages(kind, registry)
    addresses = [address for _, codes in pages for address in codes.values()]
    workers = drawing.default_workers() if workers is None else workers
    # Each address made once, in print order, by workers that go on while this process cuts the
    # font and draws (the first result starts them).
    with contextlib.closing(drawing.run(_matrix, addresses, workers, registry, None)) as made:
        made = itertools.chain([next(made)] if addresses else [], made)
        with fonts.SubsetFont(printed_chars(kind, registry)) as font:
            pdf = pdfdoc.new_document(font.add_to, registry.release_date, _title(kind, registry, selection))
            for workshop, codes in pages:
                matrices = {key: next(made) for key in codes}
                if kind == "labels":
                    labels.add_sheet(pdf, workshop, registry.products_of(workshop.id), matrices, registry)
                else:
                    posters.add_poster(pdf, workshop, matrices[workshop.id], registry)
            data = bytes(pdf.output())
    write_atomically(target, data)
    return Printed(target, len(registry.workshops), pdf.pages_count, len(addresses), len(data),
                   time.perf_counter() - started)


def _pages(kind: str, registry: Registry) -> list[tuple[records.Workshop, dict[str, str]]]:
    """Each workshop in print order with the addresses its pages encode: its labelled products'
    /p/ pages by product code, or its own /w/ page by its id."""
    if kind == "posters":
        return [(w, {w.id: urls.absolute(registry.site_url, urls.operator(w.id))}) for w in registry.workshops]
    return [(w, {p.code: urls.absolute(registry.site_url, urls.product(p.code))
                 for p in labels.labelled(w, registry.products_of(w.id), registry.release_date)})
            for w in registry.workshops]


def _matrix(_drawing, text: str) -> Matrix:
    return make_matrix(text)


def _title(kind: str, registry: Registry, selection: Selection) -> str:
    what = "产品二维码标签" if kind == "labels" else "食品小作坊信息公示牌"
    if selection.operator is not None:
        return f"{registry.workshops[0].name} {what}"
    if selection.station is not None:
        return f"{registry.workshops[0].station or selection.station} {what}（{len(registry.workshops)} 个作坊）"
    return f"行政区划 {selection.region} {what}（{len(registry.workshops)} 个作坊）"


def printed_chars(kind: str, registry: Registry) -> set[str]:
    """Every character the file can print: its drawing modules' literals and its records' text
    (fpdf2 then embeds only the glyphs drawn)."""
    modules = (labels,) if kind == "labels" else (posters, board)
    chars: set[str] = set()
    for module in (*modules, pdfdoc, vocabulary, standing):
        chars.update(inspect.getsource(module))
    for workshop in registry.workshops:
        chars.update("".join(str(v) for v in vars(workshop).values() if v))
    if kind == "labels":
        for product in registry.products:
            chars.update(product.name + (product.spec or ""))
    else:
        for facts in registry.boards.values():
            chars.update("".join(str(v) for v in vars(facts).values() if v))
    return chars


def checked_target(target: str | Path, out_dir: Path) -> Path:
    """`target` as an absolute path, refused when it is a folder, its folder is missing, or it
    lies inside `out_dir` (the build's output, which only a build writes)."""
    path = Path(os.path.abspath(target))
    if path.is_dir() or str(target).endswith(("/", os.sep)):
        raise PrintTargetRefused(f"--out {target} 是一个文件夹。请给出要写入的 PDF 文件名，如 --out 批次.pdf。"
                                 "--out names a folder; give a file name.")
    if path.exists() and not path.is_file():
        raise PrintTargetRefused(f"--out {target} 不是普通文件，不会写入。--out is not a regular file.")
    folder = Path(os.path.realpath(path.parent))
    if not folder.is_dir():
        raise PrintTargetRefused(f"--out {target}：文件夹 {path.parent} 不存在。请先创建它，或换一个位置。"
                                 "The folder of --out does not exist.")
    if folder == out_dir or out_dir in folder.parents:
        raise PrintTargetRefused(f"--out {target} 在输出目录 {out_dir} 里：那里只由 zuofang build 写入。"
                                 "请把 PDF 写在输出目录之外。--out must lie outside OUT_DIR.")
    return folder / path.name


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a new temporary file beside `path`, then rename it over `path`: a reader never
    sees half a file, and nothing but `path` is ever replaced."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # as a file the user made there; mkstemp's is 0600
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
