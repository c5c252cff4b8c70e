"""The QR stage: codes for every product, label sheets and posters per workshop, GS1 pages.

Reads registry.db only (the single source of every published view) and writes into the
site folder with files.write_if_changed, so a rebuild rewrites only files whose bytes
changed and never touches the previous build. Files whose inputs did not
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

from . import digital_link, drawing, fonts, labels, pdfdoc, posters, records
from .cache import Cache, fingerprint, key
from .codes import Matrix

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


def build_codes(db_path: str | Path, site_dir: str | Path, site_url: str | None = None,
                operator_id: str | None = None, workers: int | None = None) -> Summary:
    """Write QR codes, label sheets, posters and GS1 pages for all workshops (or one) into `site_dir`.

    `site_url` defaults to the one recorded in the database's `_build` table; `workers`
    (default: the number of cores) is how many processes draw codes and PDFs.
    """
    site_dir = Path(site_dir)
    registry = records.load(db_path, operator_id)
    site_url = (site_url or registry.site_url).rstrip("/")
    workers = drawing.default_workers() if workers is None else workers
    try:
        font_path = fonts.locate()[0]
    except fonts.FontMissing:
        font_path = None  # reported when a PDF has to be drawn
    cache = Cache(site_dir, fingerprint(font_path), keep_others=operator_id is not None)
    summary = Summary(codes=len(registry.products), workshops=len(registry.workshops))

    started = time.perf_counter()
    matrices = _codes(cache, summary, registry, site_url, workers)
    summary.seconds["codes"] = time.perf_counter() - started

    started = time.perf_counter()
    _documents(cache, summary, registry, site_url, matrices, workers)
    summary.seconds["pdf"] = time.perf_counter() - started

    started = time.perf_counter()
    for address, html in digital_link.pages(registry.products, registry.batches, site_url, registry.demo).items():
        summary.written += files.write_if_changed(site_dir / urls.output_path(address), html)
        summary.gs1_pages += 1
    summary.seconds["gs1"] = time.perf_counter() - started
    cache.save()
    files.record(cache.path)
    log.info("二维码 %d 个，作坊 %d 个，GS1 页面 %d 个；改写文件 %d 个，沿用 %d 个", summary.codes,
             summary.workshops, summary.gs1_pages, summary.written, summary.reused)
    return summary


def _codes(cache: Cache, summary: Summary, registry: records.Registry, site_url: str,
           workers: int) -> dict[str, Matrix]:
    """PNG and SVG per product; returns the matrices it made (address -> matrix) for the sheets."""
    jobs = []
    for product in registry.products:
        text = urls.absolute(site_url, urls.product(product.code))
        rels = [urls.output_path(urls.qr_file(product.code, ext)) for ext in ("png", "svg")]
        if all([cache.fresh(rel, key(text)) for rel in rels]):
            summary.reused += 2
        else:
            jobs.append((text, rels))
    matrices = {}
    results = drawing.run(drawing.draw_code, [text for text, _ in jobs], workers, registry, None)
    for (text, (png, svg)), (matrix, png_data, svg_data) in zip(jobs, results, strict=True):
        matrices[text] = matrix
        summary.written += cache.made(png, key(text), png_data)
        summary.written += cache.made(svg, key(text), svg_data)
        summary.versions[(matrix.version, matrix.symbol_size)] += 1
    return matrices


def _documents(cache: Cache, summary: Summary, registry: records.Registry, site_url: str,
               matrices: dict[str, Matrix], workers: int) -> None:
    """Label sheet and poster per workshop; the CJK font is cut only if one must be drawn."""
    context = (registry.demo, registry.release_date.isoformat(), site_url)
    sheets, posters_ = [], []
    for workshop in registry.workshops:
        products = registry.products_of(workshop.id)
        text = {p.code: urls.absolute(site_url, urls.product(p.code)) for p in products}
        rel, sheet_key = urls.output_path(urls.label_sheet(workshop.id)), key(
            context, asdict(workshop), [asdict(p) for p in products], text)
        if cache.fresh(rel, sheet_key):
            summary.reused += 1
        else:
            codes = {code: matrices.get(t, t) for code, t in text.items()}
            sheets.append(((workshop, products, codes), rel, sheet_key))
        address = urls.absolute(site_url, urls.operator(workshop.id))
        rel, poster_key = urls.output_path(urls.poster(workshop.id)), key(context, asdict(workshop), address)
        if cache.fresh(rel, poster_key):
            summary.reused += 1
        else:
            posters_.append(((workshop, address), rel, poster_key))
    if not sheets and not posters_:
        return
    with fonts.SubsetFont(_printed_chars(registry)) as font:
        for draw, jobs in ((drawing.draw_sheet, sheets), (drawing.draw_poster, posters_)):
            results = drawing.run(draw, [job for job, _, _ in jobs], workers, registry, font.path)
            for (_, rel, file_key), pdf in zip(jobs, results, strict=True):
                summary.written += cache.made(rel, file_key, pdf)


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
