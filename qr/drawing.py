"""Draws codes, print pages and PDFs, in this process or spread over worker processes.

Choosing a QR mask and embedding a font are CPU work, so on a machine with several cores the
stage forks workers. One job is a workshop (its products' codes, its /w/ code, its two print
pages and, with --pdf, its two PDFs) or a batch of other businesses' products: each matrix is
made once, in the worker, and only bytes and text come back, so the parent holds no matrix.
Jobs are plain records in, bytes out; the parent alone writes files, so writes stay ordered
and the output is the same whatever the number of workers (tests/test_qr.py checks this).
"""
from __future__ import annotations

import functools
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from site_builder.build import cores

from site_builder import urls

from . import fonts, labels, posters, print_pages
from .board import Board
from .codes import Matrix, make_matrix, png_bytes, svg_text
from .records import Product, Registry, Workshop

#: Below this many jobs per worker, forking costs more than it saves.
MIN_JOBS_PER_WORKER = 8

default_workers = cores.workers  # the one worker count (site_builder/build/cores.py)


@dataclass(frozen=True)
class Drawing:
    """What every job needs besides its own records: the package-wide facts (demo flag, release
    date), the site's address, whether PDFs are made, and the cut font (PDFs only); handed to
    each worker with its jobs."""

    registry: Registry
    font: str | None
    facts: print_pages.Facts | None = None

    def add_font(self, pdf) -> None:
        fonts.add_face(pdf, self.font)


@dataclass(frozen=True)
class Job:
    """One worker's part: the PNG and SVG of `codes` (product codes) and, for a workshop, the
    files of it named in `make` ("labels", "poster": the print pages; "sheet", "poster pdf": the
    PDFs). A workshop's products come with it, since its label sheet prints the active ones."""

    codes: tuple[str, ...]
    workshop: Workshop | None = None
    products: tuple[Product, ...] = ()
    board: Board | None = None
    make: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drawn:
    """What a job made, as bytes and text only (no matrix leaves the worker): file kind -> content
    ("png:<code>", "svg:<code>" and the `make` kinds), and each drawn code's (version, modules)."""

    content: dict[str, bytes | str]
    versions: tuple[tuple[int, int], ...]


def draw(drawing: Drawing, job: Job) -> Drawn:
    """Everything `job` asks for, each matrix made once: a product's code serves its PNG, its SVG
    and its label on the sheet; the workshop's /w/ code serves its poster page and PDF."""
    site_url = drawing.facts.site_url
    made: dict[str, Matrix] = {}

    def matrix(address: str) -> Matrix:
        text = urls.absolute(site_url, address)
        if text not in made:
            made[text] = make_matrix(text)
        return made[text]

    content: dict[str, bytes | str] = {}
    versions = []
    for code in job.codes:
        m = matrix(urls.product(code))
        content[f"png:{code}"], content[f"svg:{code}"] = png_bytes(m), svg_text(m)
        versions.append((m.version, m.symbol_size))
    if job.workshop is not None and job.make:
        content.update(_workshop_files(drawing, job, matrix))
    return Drawn(content, tuple(versions))


def _workshop_files(drawing: Drawing, job: Job, matrix: Callable[[str], Matrix]) -> dict[str, bytes | str]:
    workshop, products, registry = job.workshop, list(job.products), drawing.registry
    now = workshop.standing(registry.release_date)
    printed = [p for p in products if p.status == "active"] if now.operating else []
    codes = {p.code: matrix(urls.product(p.code)) for p in printed} if {"labels", "sheet"} & set(job.make) else {}
    home = matrix(urls.operator(workshop.id)) if {"poster", "poster pdf"} & set(job.make) else None
    out: dict[str, bytes | str] = {}
    if "labels" in job.make:
        out["labels"] = print_pages.label_page(workshop, products, codes, now, drawing.facts)
    if "poster" in job.make:
        out["poster"] = print_pages.poster_page(workshop, home, job.board, now, drawing.facts)
    if "sheet" in job.make:
        out["sheet"] = labels.label_sheet(workshop, products, codes, registry, drawing.add_font)
    if "poster pdf" in job.make:
        boards = {workshop.id: job.board} if job.board else {}
        out["poster pdf"] = posters.poster(workshop, home, replace(registry, boards=boards), drawing.add_font)
    return out


def run(func: Callable, jobs: list, workers: int, registry: Registry, font_path: Path | None,
        facts: print_pages.Facts | None = None) -> Iterator:
    """`func` over `jobs`, results in job order; in worker processes when there are enough jobs."""
    # Workers need only the package-wide facts (demo flag, release date), not every record.
    drawing = Drawing(replace(registry, products=[], workshops=[], batches={}, boards={}),
                      str(font_path) if font_path else None, facts)
    func = functools.partial(func, drawing)
    if workers <= 1 or len(jobs) < MIN_JOBS_PER_WORKER * workers:
        yield from map(func, jobs)
        return
    # fork starts workers at once with the modules already imported; but forking a process
    # that runs other threads can deadlock on a lock a thread held, so then spawn instead.
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(func, jobs, chunksize=chunk)

