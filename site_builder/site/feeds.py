"""Atom feeds (recalls, notices), sitemap.xml and robots.txt.

Feeds use absolute addresses (Package.site_url) because feed readers fetch them out of
context; "updated" comes from the records' own dates, never the clock, so rebuilding the
same data gives the same bytes.
"""
from __future__ import annotations

from typing import Callable, Iterable

from .. import urls
from .lists import ended_notices, open_notices
from .registry import Registry

Render = Callable[..., str]
#: Registry dates are days; Atom wants an instant: midnight in China Standard Time.
_TZ = "T00:00:00+08:00"


def _stamp(day: str | None, fallback: str) -> str:
    return (day or fallback)[:10] + _TZ


def recalls_feed(reg: Registry, site_url: str, render: Render) -> str:
    today = reg.release_date.isoformat()
    entries = [{
        "title": r["title"], "url": urls.absolute(site_url, urls.recall(r["id"])),
        "published": _stamp(r["issued_on"], today),
        "updated": _stamp(r.get("closed_on") or r["issued_on"], today),
        "summary": "；".join(x for x in (r.get("level"), r.get("reason"), r.get("advice")) if x),
    } for r in reg.recalls]  # already newest first
    return render(
        "feed.atom", title="召回与消费预警 Recalls and warnings", author="Zuofang",
        self_url=urls.absolute(site_url, urls.feed("recalls")),
        html_url=urls.absolute(site_url, urls.recalls()),
        updated=max((e["updated"] for e in entries), default=_stamp(today, today)), entries=entries,
    )


def notices_feed(reg: Registry, site_url: str, render: Render) -> str:
    today = reg.release_date.isoformat()
    brands = sorted(open_notices(reg) + ended_notices(reg),
                    key=lambda b: (b["publicity_start"], b["id"]), reverse=True)
    entries = [{
        "title": f"{b['program']}公示：{b['name']}", "url": urls.absolute(site_url, urls.brand(b["id"])),
        "published": _stamp(b["publicity_start"], today),
        "updated": _stamp(b["publicity_start"], today),
        "summary": f"公示期 {b['publicity_start']} 至 {b.get('publicity_end') or ''}",
    } for b in brands]
    return render(
        "feed.atom", title="公示 Public notices", author="Zuofang",
        self_url=urls.absolute(site_url, urls.feed("notices")),
        html_url=urls.absolute(site_url, urls.notices()),
        updated=max((e["updated"] for e in entries), default=_stamp(today, today)), entries=entries,
    )


#: The sitemaps protocol's limit of URLs per file (sitemaps.org): beyond it, /sitemap.xml is an
#: index of several files (a 50,000-business registry has about 240,000 pages).
SITEMAP_LIMIT = 50_000


def sitemaps(addresses: Iterable[str], site_url: str, render: Render, limit: int = SITEMAP_LIMIT) -> dict[str, str]:
    """address -> XML: /sitemap.xml with every HTML page (not the 404 page) in address order, or,
    over `limit` pages, /sitemap.xml indexing /sitemaps/<n>.xml of at most `limit` pages each."""
    pages = sorted(a for a in set(addresses) if a.endswith("/"))
    locations = [urls.absolute(site_url, a) for a in pages]
    if len(locations) <= limit:
        return {urls.sitemap(): render("sitemap.xml", locations=locations)}
    parts = {urls.sitemap_part(n + 1): render("sitemap.xml", locations=locations[start:start + limit])
             for n, start in enumerate(range(0, len(locations), limit))}
    index = render("sitemap-index.xml", locations=[urls.absolute(site_url, a) for a in parts])
    return {urls.sitemap(): index, **parts}


def robots(site_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {urls.absolute(site_url, urls.sitemap())}\n"
