"""Renders record pages in forked worker processes when the machine has several cores.

Rendering a Jinja template is pure-Python CPU work (about 1 ms a page), so a first build of
240,000 pages kept one core busy for minutes while the other idled. The workers are forked
after the registry is read, so they share it; worker k of n renders the k-th share of each
kind's keys and writes those pages (every page is its own file), then sends back the
addresses and what it wrote, which the parent adds to the build's files (build/files.py).
The output is the same whatever the number of workers (tests/test_incremental.py).

`Background` runs other whole-site work (the search index, the /data/ downloads: 25 s at
50,000 businesses) in more forked processes meanwhile, for the same reason.
"""
from __future__ import annotations

import functools
import multiprocessing

from ..build import cores
from ..build.files import Files
from . import pages

#: Below this many pages to render, forking costs more than it saves.
MIN_PAGES = 4000


workers = cores.workers  # how many processes may render (build/cores.py)


def render_records(generator, keys: dict[str, list[str]], n: int) -> None:
    """Render the record pages `keys` (kind -> keys) in `n` forked workers; the parent's job
    gets their addresses and counts, and the build's files what they wrote."""
    job = generator.job
    shares = [Background(job.files, functools.partial(_share, generator, keys, k, n)) for k in range(n)]
    results = join_all(*shares)
    for addresses, rendered, written in results:
        job.addresses.extend(addresses)
        job.rendered += rendered
        job.written += written


def _share(generator, keys: dict[str, list[str]], k: int, n: int):
    """In worker k: render the k-th share of every kind's keys; returns what it did."""
    job, reg = generator.job, generator.job.registry
    job.addresses, job.rendered, job.written = [], 0, 0
    env = job.renderer.env
    for kind, make in pages.RECORD_RENDERERS:
        for address, template, context in make(reg, job.site_url, set(keys[kind][k::n])):
            job.page(address, env.get_template(template), context)
    return job.addresses, job.rendered, job.written


class Background:
    """`func()` in a forked process (or here, when forking is not safe); `join()` waits, adds
    the files it produced to the build's `files`, raises what it raised, and returns what it
    returned. A forked child gets `func` and its arguments by inheritance, not by pickling."""

    def __init__(self, files: Files, func):
        self._files, self._process, self._result = files, None, None
        if workers() < 2:
            self._result = func()
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_background, args=(files, func, send), daemon=True)
        self._process.start()
        send.close()

    def join(self):
        if self._process is None:
            return self._result
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
        result, written = outcome[1]
        self._files.merge(*written)
        self._result = result
        return result


def join_all(*backgrounds: Background) -> list:
    """Wait for every one (none is left writing into the stage), then raise the first failure;
    returns what each returned."""
    failures, results = [], []
    for background in backgrounds:
        try:
            results.append(background.join())
        except BaseException as exc:  # noqa: BLE001 - raised below, after the others finished
            failures.append(exc)
    if failures:
        raise failures[0]
    return results


def _background(files: Files, func, send) -> None:
    files.worker_started()
    try:
        result = func()
        send.send(("done", (result, files.worker_result())))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send.send(("error", exc))
    finally:
        send.close()
