"""The QR stage: codes for every product, label sheets and posters per workshop, GS1 pages.

Reads registry.db only (the single source of every published view) and writes into the
site folder with files.write_if_changed, so a rebuild rewrites only files whose bytes
changed and never touches the hard-linked previous build.
"""
from __future__ import annotations

import inspect
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import files, urls

from . import digital_link, labels, pdfdoc, posters, records
from .codes import Matrix, make_matrix, png_bytes, svg_text
from .fonts import SubsetFont

log = logging.getLogger(__name__)


@dataclass
class Summary:
    """What a run made: counts, how many files changed, QR versions used, seconds per part."""

    codes: int = 0
    workshops: int = 0
    gs1_pages: int = 0
    written: int = 0
    versions: Counter = field(default_factory=Counter)   # (version, modules per side) -> codes
    seconds: dict[str, float] = field(default_factory=dict)


def build_codes(db_path: str | Path, site_dir: str | Path, site_url: str | None = None,
                operator_id: str | None = None) -> Summary:
    """Write QR codes, label sheets, posters and GS1 pages for all workshops (or one) into `site_dir`.

    `site_url` defaults to the one recorded in the database's `_build` table.
    """
    site_dir = Path(site_dir)
    registry = records.load(db_path, operator_id)
    site_url = (site_url or registry.site_url).rstrip("/")
    products = registry.products
    summary = Summary()

    started = time.perf_counter()
    matrices = {p.code: make_matrix(urls.absolute(site_url, urls.product(p.code))) for p in products}
    for code, matrix in matrices.items():
        summary.written += _write(site_dir, urls.qr_file(code, "png"), png_bytes(matrix))
        summary.written += _write(site_dir, urls.qr_file(code, "svg"), svg_text(matrix))
        summary.versions[(matrix.version, matrix.size - 2 * 4)] += 1
    summary.codes = len(matrices)
    summary.seconds["codes"] = time.perf_counter() - started

    started = time.perf_counter()
    summary.written += _write_documents(site_dir, site_url, registry, matrices)
    summary.workshops = len(registry.workshops)
    summary.seconds["pdf"] = time.perf_counter() - started

    started = time.perf_counter()
    for address, html in digital_link.pages(products, registry.batches, site_url).items():
        summary.written += _write(site_dir, address, html)
        summary.gs1_pages += 1
    summary.seconds["gs1"] = time.perf_counter() - started
    log.info("二维码 %d 个，作坊 %d 个，GS1 页面 %d 个，改写文件 %d 个", summary.codes,
             summary.workshops, summary.gs1_pages, summary.written)
    return summary


def _write_documents(site_dir: Path, site_url: str, registry: records.Registry,
                     matrices: dict[str, Matrix]) -> int:
    if not registry.workshops:
        return 0
    written = 0
    with SubsetFont(_printed_chars(registry)) as font:
        for workshop in registry.workshops:
            sheet = labels.label_sheet(workshop, registry.products_of(workshop.id), matrices, registry, font.add_to)
            written += _write(site_dir, urls.label_sheet(workshop.id), sheet)
            matrix = make_matrix(urls.absolute(site_url, urls.operator(workshop.id)))
            written += _write(site_dir, urls.poster(workshop.id), posters.poster(workshop, matrix, registry, font.add_to))
    return written


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


def _write(site_dir: Path, address: str, content: bytes | str) -> bool:
    return files.write_if_changed(site_dir / urls.output_path(address), content)
