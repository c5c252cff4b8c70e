"""The QR stage: codes for every product, label sheet and poster print pages per workshop, GS1 pages.

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
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from site_builder import urls, vocabulary
from site_builder.build.delta import TableChange
from site_builder.build.files import Files
from site_builder.build.background import Background

from . import digital_link, drawing, fonts, guide, pdfdoc, print_pages, printing, records
from .cache import Cache, fingerprint, inputs, key
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
                photos: dict | None = None, pdf: bool = False) -> Summary:
    """Write QR codes, the print pages of label sheets and posters (/w/<id>/labels/, /w/<id>/poster/)
    and GS1 pages for all workshops (or one), and the specialty guide, into `site_dir`; with `pdf`,
    each workshop's label sheet and poster as PDFs too (zuofang build --pdf).

    `site_url` defaults to the one recorded in the database's `_build` table; `workers`
    (default: the number of cores) is how many processes draw codes, pages and PDFs. `changes` are the
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
                  inputs=inputs(site_url, facts.demo, facts.release_date, pdf))
    summary = Summary()
    registry, code_products, gs1_products = _to_redo(db_path, cache, summary, operator_id, changes)
    summary.seconds["plan"] = time.perf_counter() - started

    started = time.perf_counter()
    _draw(cache, summary, registry, code_products, site_url, workers, pdf)
    summary.seconds["draw"] = time.perf_counter() - started

    started = time.perf_counter()
    # The guide is drawn in a forked process while this one writes the GS1 pages: each was a
    # single core's work for tens of seconds at 50,000 businesses, with the other core idle.
    finish_guide = _start_guide(cache, summary, db_path, registry, site_url, photos or {})
    _gs1_pages(cache, summary, gs1_products, registry, site_url)
    summary.seconds["gs1"] = time.perf_counter() - started
    started = time.perf_counter()
    finish_guide()
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


#: Products of businesses other than workshops (no sheet) are drawn this many to a job.
PRODUCTS_PER_JOB = 32
#: The PDFs a workshop gets with --pdf, beside its print pages: kind -> its address.
PDFS = {"sheet": urls.label_sheet, "poster pdf": urls.poster}
PRINT_PAGES = {"labels": urls.label_page, "poster": urls.poster_page}
ADDRESSES = {**PRINT_PAGES, **PDFS}


def _draw(cache: Cache, summary: Summary, registry: records.Registry, products: list[Product], site_url: str,
          workers: int, pdf: bool) -> None:
    """PNG and SVG of `products`, and each workshop's print pages (and with `pdf` its PDFs): one job
    per workshop (its products' codes with it), the other products in batches. Only what is not
    fresh is drawn; the workers return bytes, written here in job order."""
    context = (registry.demo, registry.release_date.isoformat(), site_url)
    stale = [p for p in products if not _codes_fresh(cache, summary, p.code, site_url)]
    summary.codes_checked, summary.workshops_checked = len(products), len(registry.workshops)
    by_workshop: dict[str, list[str]] = {}
    workshop_ids = {w.id for w in registry.workshops}
    others = []
    for product in stale:
        if product.operator_id in workshop_ids:
            by_workshop.setdefault(product.operator_id, []).append(product.code)
        else:
            others.append(product.code)
    jobs, keys = [], []
    for workshop in registry.workshops:
        mine = registry.products_of(workshop.id)
        facts = registry.boards.get(workshop.id)
        text = {p.code: urls.absolute(site_url, urls.product(p.code)) for p in mine}
        sheet_key = key(context, asdict(workshop), [asdict(p) for p in mine], text)
        poster_key = key(context, asdict(workshop), urls.absolute(site_url, urls.operator(workshop.id)),
                         asdict(facts) if facts else None)
        wanted = {"labels": key("page", pdf, sheet_key), "poster": key("page", pdf, poster_key)}
        if pdf:
            wanted.update({"sheet": sheet_key, "poster pdf": poster_key})
        rels = {kind: urls.output_path(ADDRESSES[kind](workshop.id)) for kind in wanted}
        make = {kind: (rels[kind], file_key) for kind, file_key in wanted.items()
                if not _fresh(cache, summary, rels[kind], file_key)}
        codes = tuple(by_workshop.get(workshop.id, ()))
        if make or codes:
            jobs.append(drawing.Job(codes, workshop, tuple(mine), facts, tuple(make)))
            keys.append(make)
    for start in range(0, len(others), PRODUCTS_PER_JOB):
        jobs.append(drawing.Job(tuple(others[start:start + PRODUCTS_PER_JOB])))
        keys.append({})
    if not jobs:
        return
    printed = print_pages.Facts(registry.demo, registry.release_date.isoformat(), site_url, pdf)
    needs_font = any(kind in PDFS for make in keys for kind in make)
    with fonts.SubsetFont(_printed_chars(registry)) if needs_font else nullcontext() as font:
        results = drawing.run(drawing.draw, jobs, workers, registry, font.path if font else None, printed)
        for job, make, drawn in zip(jobs, keys, results, strict=True):
            for code in job.codes:
                text = urls.absolute(site_url, urls.product(code))
                for ext in ("png", "svg"):
                    summary.written += cache.made(urls.output_path(urls.qr_file(code, ext)), key(text),
                                                  drawn.content[f"{ext}:{code}"])
            for kind, (rel, file_key) in make.items():
                summary.written += cache.made(rel, file_key, drawn.content[kind])
            summary.versions.update(drawn.versions)


def _codes_fresh(cache: Cache, summary: Summary, code: str, site_url: str) -> bool:
    """Both of a product's QR images exist, made from its address (then they are kept)."""
    text = urls.absolute(site_url, urls.product(code))
    return all([_fresh(cache, summary, urls.output_path(urls.qr_file(code, ext)), key(text)) for ext in ("png", "svg")])


def _fresh(cache: Cache, summary: Summary, rel: str, file_key: str) -> bool:
    if cache.fresh(rel, file_key):
        summary.reused += 1
        return True
    return False


def _start_guide(cache: Cache, summary: Summary, db_path, registry: records.Registry, site_url: str,
                 photos: dict) -> Callable[[], None]:
    """Start drawing the specialty guide, unless what it prints is unchanged (its rows, the
    photos' versions, the site URL, the release date or the code); the function returned waits
    for it and writes it. It is drawn in a forked process (build/background.py), which
    hands back its bytes only: the file is written here, with the stage's others."""
    area, brands = records.guide_brands(db_path)
    shown = {b.photo: photos[b.photo] for b in brands if b.photo in photos}
    rel = urls.output_path(urls.brand_guide())
    file_key = key(registry.demo, registry.release_date.isoformat(), site_url, area, [asdict(b) for b in brands],
                   {name: [s.version, list(s.widths), s.width, s.height] for name, s in sorted(shown.items())})
    if cache.fresh(rel, file_key):
        summary.reused += 1
        return lambda: None

    def picture(name: str):
        s = shown.get(name)
        if s is None:
            return None
        width = max((w for w in s.widths if w <= 640), default=min(s.widths))
        path = cache.files.current(cache.site_dir / urls.output_path(urls.photo(name, width, "jpg")))
        return path.read_bytes(), width, max(1, round(s.height * width / s.width))

    def draw() -> bytes:
        chars = set(inspect.getsource(guide)) | set(inspect.getsource(pdfdoc)) | set(inspect.getsource(vocabulary))
        chars |= set(area) | {c for b in brands for v in vars(b).values() if v for c in str(v)}
        with fonts.SubsetFont(chars) as font:
            return guide.guide(area, brands, registry, site_url, picture, font.add_to)

    drawn = Background(cache.files, draw)

    def finish() -> None:
        summary.written += cache.made(rel, file_key, drawn.join())

    return finish


def _printed_chars(registry: records.Registry) -> set[str]:
    """Every character a sheet or poster of this run can print (zuofang print's sets, joined)."""
    return printing.printed_chars("labels", registry) | printing.printed_chars("posters", registry)
