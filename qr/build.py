"""The QR stage: codes for every product, label sheets and posters per workshop, GS1 pages.

Reads registry.db only (the single source of every published view) and writes into the
site folder with files.write_if_changed, so a rebuild rewrites only files whose bytes
changed and never touches the previous build. Files whose inputs did not
change since the last run are not even redrawn (qr/cache.py); in a rebuild, the products and
workshops whose rows did not change are not even read (qr/scope.py).
"""
from __future__ import annotations

import inspect
import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from site_builder import urls, vocabulary
from site_builder.build.delta import TableChange
from site_builder.build.files import Files
from site_builder.registry import standing

from . import board, digital_link, drawing, fonts, guide, labels, pdfdoc, posters, records
from .cache import Cache, fingerprint, inputs, key
from .codes import Matrix
from .records import Product
from .scope import plan

log = logging.getLogger(__name__)


@dataclass
class Summary:
    """What a run made: counts, files changed, files kept from the last run, QR versions, seconds.

    A rebuild redoes only some products and workshops (qr/scope.py): `*_checked` and `gs1_pages`
    count those, `kept` the previous build's files it kept without looking at them."""

    codes: int = 0
    workshops: int = 0
    gs1_pages: int = 0           # GS1 pages rendered
    written: int = 0
    reused: int = 0              # files looked at and found made from the same inputs
    kept: int = 0
    codes_checked: int = 0       # products whose PNG and SVG were looked at
    workshops_checked: int = 0   # workshops whose sheet and poster were looked at
    incremental: bool = False
    versions: Counter = field(default_factory=Counter)   # (version, modules per side) -> codes
    seconds: dict[str, float] = field(default_factory=dict)


def build_codes(db_path: str | Path, site_dir: str | Path, site_url: str | None = None,
                operator_id: str | None = None, workers: int | None = None,
                changes: dict[str, TableChange] | None = None, files: Files | None = None,
                photos: dict | None = None) -> Summary:
    """Write QR codes, label sheets, posters and GS1 pages for all workshops (or one), and the
    specialty guide, into `site_dir`.

    `site_url` defaults to the one recorded in the database's `_build` table; `workers`
    (default: the number of cores) is how many processes draw codes and PDFs. `changes` are the
    rows changed since the previous build, made by the same code (BuildContext.changes): then
    only what shows one of them is redone, when the previous record allows it. `files`: the
    build's (outside a build, the state record of site_dir's parent folder is used in place).
    `photos`: the web images the images stage made (name -> site_builder.images.shown.Shown),
    for the guide's pictures.
    """
    site_dir = Path(site_dir)
    started = time.perf_counter()
    facts = records.facts(db_path)
    site_url = (site_url or facts.site_url).rstrip("/")
    workers = drawing.default_workers() if workers is None else workers
    try:
        font_path = fonts.locate()[0]
    except fonts.FontMissing:
        font_path = None  # reported when a PDF has to be drawn
    files = files or Files()
    cache = Cache(files, site_dir, fingerprint(font_path), keep_others=operator_id is not None,
                  inputs=inputs(site_url, facts.demo, facts.release_date))
    summary = Summary()
    registry, code_products, gs1_products = _to_redo(db_path, cache, summary, operator_id, changes)
    summary.seconds["plan"] = time.perf_counter() - started

    started = time.perf_counter()
    matrices = _codes(cache, summary, code_products, site_url, workers, registry)
    summary.seconds["codes"] = time.perf_counter() - started

    started = time.perf_counter()
    _documents(cache, summary, registry, site_url, matrices, workers)
    summary.seconds["pdf"] = time.perf_counter() - started

    started = time.perf_counter()
    _gs1_pages(cache, summary, gs1_products, registry, site_url)
    summary.seconds["gs1"] = time.perf_counter() - started
    started = time.perf_counter()
    _guide(cache, summary, db_path, registry, site_url, photos or {})
    summary.seconds["guide"] = time.perf_counter() - started
    started = time.perf_counter()
    cache.save()
    summary.seconds["record"] = time.perf_counter() - started
    log.info("二维码 %d 个，作坊 %d 个，GS1 页面 %d 个；改写文件 %d 个，沿用 %d 个（未查看 %d 个）",
             summary.codes, summary.workshops, summary.gs1_pages, summary.written, summary.reused,
             summary.kept)
    return summary


def _to_redo(db_path: str | Path, cache: Cache, summary: Summary, operator_id: str | None,
             changes: dict[str, TableChange] | None) -> tuple[records.Registry, list[Product], list[Product]]:
    """The records this run reads, the products whose codes and those whose GS1 pages it makes:
    all of them, or in a rebuild that the previous record vouches for, only what shows a changed
    row (the rest of the previous build's files are kept unread)."""
    scope = plan(changes, db_path) if changes is not None and cache.continues else None
    registry = records.load(db_path, operator_id, scope)
    if scope is None:
        summary.codes, summary.workshops = len(registry.products), len(registry.workshops)
        return registry, registry.products, registry.products
    summary.incremental = True
    summary.codes, summary.workshops = records.totals(db_path)
    summary.kept = cache.keep(scope)
    return (registry, [p for p in registry.products if p.code in scope.codes],
            [p for p in registry.products if p.code in scope.gs1])


def _codes(cache: Cache, summary: Summary, products: list[Product], site_url: str,
           workers: int, registry: records.Registry) -> dict[str, Matrix]:
    """PNG and SVG per product; returns the matrices it made (address -> matrix) for the sheets."""
    jobs = []
    for product in products:
        text = urls.absolute(site_url, urls.product(product.code))
        rels = [urls.output_path(urls.qr_file(product.code, ext)) for ext in ("png", "svg")]
        if all([cache.fresh(rel, key(text)) for rel in rels]):
            summary.reused += 2
        else:
            jobs.append((text, rels))
    summary.codes_checked = len(products)
    matrices = {}
    results = drawing.run(drawing.draw_code, [text for text, _ in jobs], workers, registry, None)
    for (text, (png, svg)), (matrix, png_data, svg_data) in zip(jobs, results, strict=True):
        matrices[text] = matrix
        summary.written += cache.made(png, key(text), png_data)
        summary.written += cache.made(svg, key(text), svg_data)
        summary.versions[(matrix.version, matrix.symbol_size)] += 1
    return matrices


def _gs1_pages(cache: Cache, summary: Summary, products: list[Product], registry: records.Registry,
               site_url: str) -> None:
    """The GS1 Digital Link pages of `products` (with every product sharing their GTINs)."""
    site_dir = cache.site_dir
    for code, pages in digital_link.pages(products, registry.batches, site_url, registry.demo).items():
        rels = [urls.output_path(address) for address in pages]
        for rel, html in zip(rels, pages.values()):
            summary.written += cache.files.write_if_changed(site_dir / rel, html)
        summary.gs1_pages += len(rels)
        cache.pages(code, rels)


def _documents(cache: Cache, summary: Summary, registry: records.Registry, site_url: str,
               matrices: dict[str, Matrix], workers: int) -> None:
    """Label sheet and poster per workshop; the CJK font is cut only if one must be drawn."""
    context = (registry.demo, registry.release_date.isoformat(), site_url)
    sheets, posters_ = [], []
    summary.workshops_checked = len(registry.workshops)
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
        facts = registry.boards.get(workshop.id)
        rel, poster_key = urls.output_path(urls.poster(workshop.id)), key(
            context, asdict(workshop), address, asdict(facts) if facts else None)
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


def _guide(cache: Cache, summary: Summary, db_path, registry: records.Registry, site_url: str,
           photos: dict) -> None:
    """The specialty guide, drawn again only when what it prints changed (its rows, the photos'
    versions, the site URL, the release date or the code)."""
    area, brands = records.guide_brands(db_path)
    shown = {b.photo: photos[b.photo] for b in brands if b.photo in photos}
    rel = urls.output_path(urls.brand_guide())
    file_key = key(registry.demo, registry.release_date.isoformat(), site_url, area, [asdict(b) for b in brands],
                   {name: [s.version, list(s.widths), s.width, s.height] for name, s in sorted(shown.items())})
    if cache.fresh(rel, file_key):
        summary.reused += 1
        return

    def picture(name: str):
        s = shown.get(name)
        if s is None:
            return None
        width = max((w for w in s.widths if w <= 640), default=min(s.widths))
        path = cache.files.current(cache.site_dir / urls.output_path(urls.photo(name, width, "jpg")))
        return path.read_bytes(), width, max(1, round(s.height * width / s.width))

    chars = set(inspect.getsource(guide)) | set(inspect.getsource(pdfdoc)) | set(inspect.getsource(vocabulary))
    chars |= set(area) | {c for b in brands for v in vars(b).values() if v for c in str(v)}
    with fonts.SubsetFont(chars) as font:
        pdf = guide.guide(area, brands, registry, site_url, picture, font.add_to)
    summary.written += cache.made(rel, file_key, pdf)


def _printed_chars(registry: records.Registry) -> set[str]:
    """Every character a sheet or poster can print: the records' text and the modules' own literals."""
    chars: set[str] = set()
    for module in (labels, posters, pdfdoc, board, vocabulary, standing):  # the vocabulary's words are printed too
        chars.update(inspect.getsource(module))
    for workshop in registry.workshops:
        chars.update("".join(str(v) for v in vars(workshop).values() if v))
    for product in registry.products:
        chars.update(product.name + (product.spec or ""))
    for facts in registry.boards.values():
        chars.update("".join(str(v) for v in vars(facts).values() if v))
    return chars
