"""The QR stage: codes for every product, label sheets and posters per workshop, GS1 pages.

Reads registry.db only (the single source of every published view) and writes into the
site folder with files.write_if_changed, so a rebuild rewrites only files whose bytes
changed and never touches the hard-linked previous build. Files whose inputs did not
change since the last run are not even redrawn (qr/cache.py).
"""
from __future__ import annotations

import inspect
import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from site_builder import files, urls

from . import digital_link, fonts, labels, pdfdoc, posters, records
from .cache import Cache, fingerprint, key
from .codes import Matrix, make_matrix, png_bytes, svg_text

log = logging.getLogger(__name__)


@dataclass
class Summary:
    """What a run made: counts, files changed, files kept from the last run, QR versions, seconds."""

    codes: int = 0
    workshops: int = 0
    gs1_pages: int = 0
    written: int = 0
    reused: int = 0
    versions: Counter = field(default_factory=Counter)   # (version, modules per side) -> codes
    seconds: dict[str, float] = field(default_factory=dict)


class _Matrices(dict):
    """Address -> QR matrix, made on first use (only for files that must be drawn)."""

    def __missing__(self, text: str) -> Matrix:
        matrix = self[text] = make_matrix(text)
        return matrix


def build_codes(db_path: str | Path, site_dir: str | Path, site_url: str | None = None,
                operator_id: str | None = None) -> Summary:
    """Write QR codes, label sheets, posters and GS1 pages for all workshops (or one) into `site_dir`.

    `site_url` defaults to the one recorded in the database's `_build` table.
    """
    site_dir = Path(site_dir)
    registry = records.load(db_path, operator_id)
    site_url = (site_url or registry.site_url).rstrip("/")
    try:
        font_path = fonts.locate()[0]
    except fonts.FontMissing:
        font_path = None  # reported when a PDF has to be drawn
    cache = Cache(site_dir, fingerprint(font_path), keep_others=operator_id is not None)
    matrices = _Matrices()
    summary = Summary()

    started = time.perf_counter()
    for product in registry.products:
        text = urls.absolute(site_url, urls.product(product.code))
        for ext, draw in (("png", png_bytes), ("svg", svg_text)):
            rel = urls.output_path(urls.qr_file(product.code, ext))
            _file(cache, summary, rel, key(text), lambda: draw(matrices[text]))
    summary.codes = len(registry.products)
    summary.versions = Counter((m.version, m.symbol_size) for m in matrices.values())
    summary.seconds["codes"] = time.perf_counter() - started

    started = time.perf_counter()
    _documents(cache, summary, registry, site_url, matrices)
    summary.workshops = len(registry.workshops)
    summary.seconds["pdf"] = time.perf_counter() - started

    started = time.perf_counter()
    for address, html in digital_link.pages(registry.products, registry.batches, site_url).items():
        summary.written += files.write_if_changed(site_dir / urls.output_path(address), html)
        summary.gs1_pages += 1
    summary.seconds["gs1"] = time.perf_counter() - started
    cache.save()
    files.record(cache.path)
    log.info("二维码 %d 个，作坊 %d 个，GS1 页面 %d 个；改写文件 %d 个，沿用 %d 个", summary.codes,
             summary.workshops, summary.gs1_pages, summary.written, summary.reused)
    return summary


def _file(cache: Cache, summary: Summary, rel: str, file_key: str, draw) -> None:
    if cache.fresh(rel, file_key):
        summary.reused += 1
    else:
        summary.written += cache.made(rel, file_key, draw())


def _documents(cache: Cache, summary: Summary, registry: records.Registry, site_url: str,
               matrices: _Matrices) -> None:
    """Label sheet and poster per workshop; the CJK font is cut only if one must be drawn."""
    font: fonts.SubsetFont | None = None
    context = (registry.demo, registry.release_date.isoformat(), site_url)

    def add_font(pdf):
        nonlocal font
        if font is None:
            font = fonts.SubsetFont(_printed_chars(registry)).__enter__()
        font.add_to(pdf)

    try:
        for workshop in registry.workshops:
            products = registry.products_of(workshop.id)
            text = {p.code: urls.absolute(site_url, urls.product(p.code)) for p in products}
            sheet_key = key(context, asdict(workshop), [asdict(p) for p in products], text)
            _file(cache, summary, urls.output_path(urls.label_sheet(workshop.id)), sheet_key,
                  lambda: labels.label_sheet(workshop, products, {c: matrices[t] for c, t in text.items()},
                                             registry, add_font))
            address = urls.absolute(site_url, urls.operator(workshop.id))
            _file(cache, summary, urls.output_path(urls.poster(workshop.id)), key(context, asdict(workshop), address),
                  lambda: posters.poster(workshop, matrices[address], registry, add_font))
    finally:
        if font is not None:
            font.__exit__(None, None, None)


def _printed_chars(registry: records.Registry) -> set[str]:
    """Every character a sheet or poster can print: the records' text and the modules' own literals."""
    chars: set[str] = set()
    for module in (labels, posters, pdfdoc):
        chars.update(inspect.getsource(module))
    for workshop in registry.workshops:
        chars.update("".join(str(v) for v in vars(workshop).values() if v))
    for product in registry.products:
        chars.update(product.name + (product.spec or ""))
    return chars
