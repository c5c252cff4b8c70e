"""The public site: Pelican renders the editorial pages, our plugin's generator the registry pages.

`build_site(ctx)` is the build's "site" stage. Every page extends theme/templates/base.html;
the stage's `Renderer` gives other modules (the changes page) the same chrome. A rebuild whose
editorial inputs did not change keeps Pelican's pages and runs the generator alone
(pelican_run.py, rebuild.previous_editorial).
"""
from __future__ import annotations

import hashlib
import logging

from .. import search, urls
from . import changes, data_page, feeds, parallel, rebuild, render
from .pelican_run import inputs as editorial_inputs
from .pelican_run import run_pelican, run_registry
from .plugin import SiteJob

log = logging.getLogger(__name__)


def write_sitemaps(ctx, plan: rebuild.Plan, job: SiteJob) -> None:
    """The sitemap files, unless the previous build wrote them for the same pages (1 s at 50,000
    businesses): they list addresses only."""
    pages = sorted(a for a in set(job.addresses) if a.endswith("/"))
    plan.sitemap = {"pages": hashlib.sha256("\n".join(pages).encode()).hexdigest()}
    kept = rebuild.previous_sitemap(ctx, plan)
    if kept is not None:
        job.keep(kept, pages=False)
        plan.sitemap["files"] = kept
        return
    written = feeds.sitemaps(pages, ctx.package.site_url, job.renderer.render)
    for address, xml in written.items():
        job.write(address, xml)
    plan.sitemap["files"] = list(written)


def build_site(ctx) -> SiteJob:
    """Render every page of the site into ctx.site_dir, writing only files whose bytes changed."""
    package = ctx.package
    renderer = render.Renderer(package)
    plan = rebuild.plan(ctx)
    job = SiteJob(ctx.files, ctx.db_path, package.release_date, renderer, ctx.site_dir, package.site_url,
                  scope=plan.scope, changed=set(plan.changes or ()) | plan.photo_tables,
                  photos=ctx.photos.shown if ctx.photos else {})

    def index() -> None:
        search.write_search_index(ctx.db_path, ctx.site_dir, plan.changes if plan.scope is not None else None,
                                  ctx.files)

    # The index is made alongside the pages in a forked process (the update after a change takes
    # 1 s at 50,000 businesses). The /data/ downloads and their page were started by the build
    # right after the database stage and are waited for later (data_page.py); run alone, this
    # stage makes them itself, beside the pages.
    backgrounds = [parallel.Background(ctx.files, index)]
    if ctx.downloads is None:
        backgrounds.append(data_page.start(ctx))
    try:
        made_from = editorial_inputs(plan.salt)
        kept = rebuild.previous_editorial(ctx, plan, made_from)
        if kept is None:
            plan.editorial = run_pelican(package, job, made_from=made_from)
        else:
            run_registry(job, kept)
            plan.editorial = kept
        for name in render.STATIC_FILES:
            job.write(urls.static(name), (render.THEME / "static" / name).read_bytes())
    finally:
        # Pelican memoizes its articles for good (pelican.utils.memoized) and each holds a copy
        # of the settings, the job among them: the rows the pages were read from (260,000 at
        # 10,000 businesses) would stay alive to the end of the build, in every later stage's peak.
        job.registry = None
        joined = parallel.join_all(*backgrounds)
    # /data/ is rendered by the downloads' process: counted here, with the other overview pages.
    job.addresses.append(urls.data())
    job.rendered += 1
    job.written += sum(joined[1:])
    changes.build_changes(ctx, renderer.render, plan.changes)
    job.addresses.append(urls.changes())

    write_sitemaps(ctx, plan, job)
    job.write(urls.robots(), feeds.robots(package.site_url))
    rebuild.save(ctx, plan)
    # Permanence is checked once every stage has written its pages (the soundness stage),
    # so that the QR stage's GS1 addresses are held to it too.
    ctx.addresses.extend(sorted(set(job.addresses)))
    ctx.pages = {"records": job.records, "kept": job.kept, "overview": job.rendered - job.records,
                 "written": job.written}
    log.info("site: %d addresses, %d files changed", len(job.addresses), job.written)
    return job
