"""The Pelican plugin: a generator that renders the registry's pages from registry.db.

Pelican's own Writer writes every file again and is slow for 100,000 pages, while a
build's staging folder must receive only changed files (files.py). So this generator
writes into the stage's site folder with write_if_changed (only when the bytes changed),
and refuses an address twice, as Pelican's Writer does, so two records can never silently
share a page.

A rebuild renders only the record pages its scope names (site/scope.py) and keeps the others
as the previous build wrote them; overview pages and feeds are rendered every time (a few dozen).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import urls
from ..build.files import Files
from ..errors import ZuofangError
from . import feeds, lists, pages, parallel
from .registry import Registry, load_registry
from .render import Renderer
from .scope import Scope

log = logging.getLogger(__name__)

#: The settings key through which build_site hands this build's job to the generator.
JOB_SETTING = "ZUOFANG_JOB"


class AddressClash(ZuofangError):
    """Two pages of one build want the same address."""


@dataclass
class Editorial:
    """What the registry pages need of Pelican's: the editorial pages' addresses (content/pages)
    and the news items (content/news), newest first."""

    pages: list[str]
    news: list[dict]

    @classmethod
    def read(cls, context: dict) -> "Editorial":
        """From the context of Pelican's run."""
        articles = sorted(context.get("articles", []), key=lambda a: (a.date, a.slug), reverse=True)
        news = [{"address": urls.news(a.slug), "title": a.title, "date": a.date.date().isoformat()}
                for a in articles]
        return cls([urls.page(p.slug) for p in context.get("pages", [])], news)


@dataclass
class SiteJob:
    """What one build's generator needs, and what it reports back."""

    files: Files = field(repr=False)  # the build's (build/files.py)
    db_path: Path
    release_date: date
    renderer: Renderer = field(repr=False)
    site_dir: Path
    site_url: str
    scope: Scope | None = None  # the record pages to render; None: all of them
    changed: set[str] | None = None  # tables changed since the previous build (with a scope)
    photos: dict = field(default_factory=dict, repr=False)  # photo name -> images/shown.py Shown
    registry: Registry | None = field(default=None, repr=False)  # read by the generator
    editorial: Editorial | None = None  # read from Pelican's run, or kept from the previous one
    addresses: list[str] = field(default_factory=list)
    written: int = 0
    rendered: int = 0   # pages rendered
    records: int = 0    # of which record pages (/p/, /w/, /brands/<id>/, /recalls/<id>/)
    kept: int = 0       # record pages kept from the previous build

    def write(self, address: str, text: str | bytes) -> None:
        self.addresses.append(address)
        self.written += self.files.write_if_changed(self.site_dir / urls.output_path(address), text)

    def page(self, address: str, template, context: dict) -> None:
        self.rendered += 1
        self.write(address, template.render(**context))

    def keep(self, addresses: list[str], pages: bool = True) -> None:
        """Pages (or other files) the previous build wrote from what did not change: they stay."""
        root = os.path.join(os.fspath(self.site_dir), "")
        self.files.record_many(root + urls.output_path(a) for a in addresses)
        self.addresses.extend(addresses)
        self.kept += len(addresses) if pages else 0


class RegistryGenerator:
    """Computes the page list in generate_context(); renders and writes in generate_output()."""

    def __init__(self, context, settings, path, theme, output_path, **kwargs):
        self.context = context
        self.job: SiteJob = settings[JOB_SETTING]

    def generate_context(self):
        # One read of registry.db; every page is then built from these dicts.
        scope = self.job.scope
        self.overview = lists.overview_to_render(None if scope is None else self.job.changed)
        trends = "regions" in self.overview
        if scope is None:
            self.job.registry = load_registry(self.job.db_path, self.job.release_date, with_trends=trends)
        else:
            # Only the views the pages rendered show: a business page its latest checklist.
            views = lists.views_read(self.overview) | ({"latest_checklist_items"} if scope.operators else set())
            self.job.registry = load_registry(self.job.db_path, self.job.release_date,
                                              ops=scope.operators, products=scope.products,
                                              all_operators=lists.needs_all_operators(self.overview),
                                              with_trends=trends, views=views)
        self.job.registry.photos = self.job.photos
        # The editorial pages Pelican read are part of the site's address list (sitemap, permanence).
        if self.job.editorial is None:
            self.job.editorial = Editorial.read(self.context)
        self.news = self.job.editorial.news
        self.editorial = self.job.editorial.pages + [n["address"] for n in self.news]

    def render(self, address: str, template: str, context: dict, seen: set[str]) -> None:
        self.check_clashes([address], seen)
        self.job.page(address, self.job.renderer.env.get_template(template), context)

    @staticmethod
    def check_clashes(addresses: list[str], seen: set[str]) -> None:
        """Refuse an address twice (Pelican's Writer does), for pages rendered here or by workers."""
        for address in addresses:
            if address in seen:
                raise AddressClash(f"地址 {address} 被两个页面使用。请检查编号是否重复。")
            seen.add(address)

    def generate_output(self, writer):
        job, reg = self.job, self.job.registry
        seen: set[str] = set(self.editorial)
        job.addresses.extend(self.editorial)
        keys = pages.record_keys(reg, job.scope)
        workers = parallel.workers()
        if workers > 1 and sum(map(len, keys.values())) >= parallel.MIN_PAGES:
            start = len(job.addresses)
            parallel.render_records(self, keys, workers)
            self.check_clashes(job.addresses[start:], seen)
        else:
            for kind, make in pages.RECORD_RENDERERS:
                for address, template, context in make(reg, job.site_url, set(keys[kind])):
                    self.render(address, template, context, seen)
        job.records = job.rendered
        for address, template, context in lists.overview_pages(reg, self.news, self.overview):
            self.render(address, template, context, seen)
        if job.scope is not None:
            kept_overview = [a for name, addresses in lists.overview_addresses(reg).items()
                             if name not in self.overview for a in addresses]
            job.keep([a for a in pages.record_addresses(reg) + kept_overview if a not in seen])
        job.write(urls.feed("recalls"), feeds.recalls_feed(reg, job.site_url, job.renderer.render))
        job.write(urls.feed("notices"), feeds.notices_feed(reg, job.site_url, job.renderer.render))
        log.info("registry pages: %d addresses, %d record pages rendered, %d kept, %d overview pages, "
                 "%d files written", len(job.addresses), job.records, job.kept, job.rendered - job.records, job.written)


def _generators(pelican):
    return RegistryGenerator if JOB_SETTING in pelican.settings else None


def register():
    from pelican import signals

    signals.get_generators.connect(_generators)
