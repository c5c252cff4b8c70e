"""The Pelican plugin: a generator that renders the registry's pages from registry.db.

Pelican's own Writer opens files for writing in place, which would also change the
previous build through the stage folder's hard links, and it is slow for 100,000 pages.
So this generator writes straight into the stage's site folder with write_if_changed
(new file + rename, and only when the bytes changed), and refuses an address twice,
as Pelican's Writer does, so two records can never silently share a page.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pelican import signals

from .. import files, urls
from ..errors import ZuofangError
from . import feeds, lists, pages
from .pagecache import PageCache
from .registry import Registry, load_registry
from .render import Renderer

log = logging.getLogger(__name__)

#: The settings key through which build_site hands this build's job to the generator.
JOB_SETTING = "ZUOFANG_JOB"


class AddressClash(ZuofangError):
    """Two pages of one build want the same address."""


@dataclass
class SiteJob:
    """What one build's generator needs, and what it reports back."""

    db_path: Path
    release_date: date
    renderer: Renderer = field(repr=False)
    site_dir: Path
    site_url: str
    registry: Registry | None = field(default=None, repr=False)  # read by the generator
    cache: PageCache | None = field(default=None, repr=False)
    addresses: list[str] = field(default_factory=list)
    written: int = 0
    rendered: int = 0

    def write(self, address: str, text: str | bytes) -> None:
        self.addresses.append(address)
        self.written += files.write_if_changed(self.site_dir / urls.output_path(address), text)

    def page(self, address: str, template, context: dict) -> None:
        """Render a page unless the previous build rendered it from the same inputs."""
        if self.cache is not None:
            digest = self.cache.fingerprint({"template": template.name, "context": context})
            if self.cache.fresh(address, digest, os.path.join(self.site_dir, urls.output_path(address))):
                self.addresses.append(address)
                return
        self.rendered += 1
        self.write(address, template.render(**context))


class RegistryGenerator:
    """Computes the page list in generate_context(); renders and writes in generate_output()."""

    def __init__(self, context, settings, path, theme, output_path, **kwargs):
        self.context = context
        self.job: SiteJob = settings[JOB_SETTING]

    def generate_context(self):
        # One read of registry.db; every page is then built from these dicts.
        self.job.registry = load_registry(self.job.db_path, self.job.release_date)
        # The editorial pages Pelican read are part of the site's address list (sitemap, permanence).
        self.editorial = [urls.page(p.slug) for p in self.context.get("pages", [])]
        articles = sorted(self.context.get("articles", []), key=lambda a: (a.date, a.slug), reverse=True)
        self.news = [{"address": urls.news(a.slug), "title": a.title, "date": a.date.date().isoformat()}
                     for a in articles]
        self.editorial += [n["address"] for n in self.news]

    def generate_output(self, writer):
        job, reg = self.job, self.job.registry
        seen: set[str] = set(self.editorial)
        job.addresses.extend(self.editorial)
        render = job.renderer.env.get_template
        sources = [f(reg, job.site_url) for f in pages.RECORD_PAGES] + [lists.overview_pages(reg, self.news)]
        for source in sources:
            for address, template, context in source:
                if address in seen:
                    raise AddressClash(f"地址 {address} 被两个页面使用（模板 {template}）。请检查编号是否重复。")
                seen.add(address)
                job.page(address, render(template), context)
        job.write(urls.feed("recalls"), feeds.recalls_feed(reg, job.site_url, job.renderer.render))
        job.write(urls.feed("notices"), feeds.notices_feed(reg, job.site_url, job.renderer.render))
        if job.cache is not None:
            job.cache.save()
        log.info("registry pages: %d addresses, %d rendered, %d files written",
                 len(job.addresses), job.rendered, job.written)


def _generators(pelican):
    return RegistryGenerator if JOB_SETTING in pelican.settings else None


def register():
    signals.get_generators.connect(_generators)
