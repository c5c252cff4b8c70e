"""Renders record pages in forked worker processes when the machine has several cores.

Rendering a Jinja template is pure-Python CPU work (about 1 ms a page), so a first build of
240,000 pages kept one core busy for minutes while the other idled. The workers are forked
after the registry is read, so they share it; worker k of n renders the k-th share of each
kind's keys and writes those pages (every page is its own file), then sends back the
addresses and what it wrote, which the parent adds to the build's record of files (files.py).
The output is the same whatever the number of workers (tests/test_incremental.py).

`Background` runs other whole-site work (the search index, the /data/ downloads: 25 s at
50,000 businesses) in more forked processes meanwhile, for the same reason.
"""
from __future__ import annotations

import multiprocessing
import os
import threading

from ..build import files
from . import pages

#: Below this many pages to render, forking costs more than it saves.
MIN_PAGES = 4000

_work: dict = {}  # set just before forking: the generator and each kind's keys


def workers() -> int:
    """How many processes may render: the cores, when forking is safe (no other threads)."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def render_records(generator, keys: dict[str, list[str]], n: int) -> None:
    """Render the record pages `keys` (kind -> keys) in `n` forked workers; the parent's job
    gets their addresses and counts, and files.py their files."""
    job = generator.job
    _work.update(generator=generator, keys=keys, n=n)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            results = pool.map(_share, range(n))
    finally:
        _work.clear()
    for addresses, rendered, written, produced, changed, sections in results:
        job.addresses.extend(addresses)
        job.rendered += rendered
        job.written += written
        files.merge(produced, changed, sections)


def _share(k: int):
    """In worker k: render the k-th share of every kind's keys; returns what it did."""
    generator, keys, n = _work["generator"], _work["keys"], _work["n"]
    job, reg = generator.job, generator.job.registry
    files.worker_started()
    job.addresses, job.rendered, job.written = [], 0, 0
    env = job.renderer.env
    for kind, make in pages.RECORD_PAGES:
        for address, template, context in make(reg, job.site_url, set(keys[kind][k::n])):
            job.page(address, env.get_template(template), context)
    produced, changed, sections = files.worker_result()
    return job.addresses, job.rendered, job.written, produced, changed, sections


class Background:
    """`func()` in a forked process (or here, when forking is not safe); `join()` waits, adds
    the files it produced to the build's record and raises what it raised."""

    def __init__(self, func):
        self._process = None
        if workers() < 2:
            func()
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_background, args=(func, send), daemon=True)
        self._process.start()
        send.close()

    def join(self) -> None:
        if self._process is None:
            return
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = ("error", RuntimeError(f"后台进程意外退出（退出码 {self._process.exitcode}）"))
        finally:
            self._process.join()
            self._receive.close()
            self._process = None
        if outcome[0] == "error":
            raise outcome[1]
        files.merge(*outcome[1])


def join_all(*backgrounds: Background) -> None:
    """Wait for every one (none is left writing into the stage), then raise the first failure."""
    failures = []
    for background in backgrounds:
        try:
            background.join()
        except BaseException as exc:  # noqa: BLE001 - raised below, after the others finished
            failures.append(exc)
    if failures:
        raise failures[0]


def _background(func, send) -> None:
    files.worker_started()
    try:
        func()
        send.send(("done", files.worker_result()))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send.send(("error", exc))
    finally:
        send.close()
