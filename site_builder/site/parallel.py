"""Renders record pages in forked worker processes when the machine has several cores.

Rendering a Jinja template is pure-Python CPU work (about 1 ms a page), so a first build of
240,000 pages kept one core busy for minutes while the other idled. The workers are forked
after the registry is read, so they share it; worker k of n renders the k-th share of each
kind's keys and writes those pages (every page is its own file), then sends back the
addresses and what it wrote, which the parent adds to the build's files (build/files.py).
The output is the same whatever the number of workers (tests/test_incremental.py).

Other whole-site work (the search index, the /data/ downloads: 25 s at 50,000 businesses) runs
in more forked processes meanwhile, for the same reason (build/background.py's `Background`,
imported here for the site stage's callers).
"""
from __future__ import annotations

import functools

from ..build import cores
from ..build.background import Background, join_all
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
