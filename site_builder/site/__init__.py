"""The public site: Pelican renders the editorial pages, our plugin's generator the registry pages.

`build_site(ctx)` is the build's "site" stage. Every page extends theme/templates/base.html;
`render.render()` gives other modules (the changes page) the same chrome.
"""
from __future__ import annotations

import importlib.util
import logging

from .. import urls
from . import feeds, render
from .pelican_run import run_pelican
from .pagecache import PageCache
from .plugin import SiteJob

log = logging.getLogger(__name__)


def _optional(name: str):
    """Another helper's module (search, downloads, permanence, changes), if it exists yet."""
    if importlib.util.find_spec(f"site_builder.{name}") is None:
        return None
    return importlib.import_module(f"site_builder.{name}")


def build_site(ctx) -> SiteJob:
    """Render every page of the site into ctx.site_dir, writing only files whose bytes changed."""
    package = ctx.package
    renderer = render.configure(package)
    job = SiteJob(ctx.db_path, package.release_date, renderer, ctx.site_dir, package.site_url,
                  cache=PageCache(ctx.stage_dir, package))
    run_pelican(package, job)
    for name in render.STATIC_FILES:
        job.write(urls.static(name), (render.THEME / "static" / name).read_bytes())

    if (search := _optional("sitesearch")) is not None:
        search.write_search_index(ctx.db_path, ctx.site_dir)
    if (publish := _optional("publish")) is not None:
        publish.publish_package(package, ctx.db_path, ctx.site_dir)
    if (changes := _optional("changes")) is not None:
        changes.build_changes(ctx, renderer.render)
        job.addresses.append(urls.changes())

    job.write(urls.sitemap(), feeds.sitemap(job.addresses, package.site_url, renderer.render))
    job.write(urls.robots(), feeds.robots(package.site_url))
    if (permanence := _optional("permanence")) is not None:
        permanence.check_and_record(sorted(set(job.addresses)), ctx)
    log.info("site: %d addresses, %d files changed", len(job.addresses), job.written)
    return job
