"""Draws codes and PDFs, in this process or spread over worker processes.

Choosing a QR mask and embedding a font are pure-Python CPU work, so on a machine with
several cores the stage forks workers (the build's only parallel part). Jobs are plain
records in, bytes out; the parent alone writes files, so writes stay ordered and the
output is the same whatever the number of workers (tests/test_qr.py checks this).
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

from . import fonts, labels, posters
from .codes import Matrix, make_matrix, png_bytes, svg_text
from .records import Product, Registry, Workshop

#: Below this many jobs per worker, forking costs more than it saves.
MIN_JOBS_PER_WORKER = 8

default_workers = cores.workers  # the one worker count (site_builder/build/cores.py)


@dataclass(frozen=True)
class Drawing:
    """What every sheet and poster needs besides its own records: the package-wide facts (demo
    flag, release date) and the cut font; handed to each worker with its jobs."""

    registry: Registry
    font: str | None

    def add_font(self, pdf) -> None:
        fonts.add_face(pdf, self.font)


def draw_code(drawing: Drawing, text: str) -> tuple[Matrix, bytes, str]:
    """The matrix, PNG and SVG of one address."""
    matrix = make_matrix(text)
    return matrix, png_bytes(matrix), svg_text(matrix)


def draw_sheet(drawing: Drawing, job: tuple[Workshop, list[Product], dict[str, Matrix | str]]) -> bytes:
    """A label sheet; products' codes come as matrices, or as addresses when not made this run."""
    workshop, products, codes = job
    matrices = {code: m if isinstance(m, Matrix) else make_matrix(m) for code, m in codes.items()}
    return labels.label_sheet(workshop, products, matrices, drawing.registry, drawing.add_font)


def draw_poster(drawing: Drawing, job: tuple[Workshop, str]) -> bytes:
    workshop, address = job
    return posters.poster(workshop, make_matrix(address), drawing.registry, drawing.add_font)


def run(func: Callable, jobs: list, workers: int, registry: Registry, font_path: Path | None) -> Iterator:
    """`func` over `jobs`, results in job order; in worker processes when there are enough jobs."""
    # Workers need only the package-wide facts (demo flag, release date), not every record.
    drawing = Drawing(replace(registry, products=[], workshops=[], batches={}), str(font_path) if font_path else None)
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

