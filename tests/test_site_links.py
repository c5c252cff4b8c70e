"""Every internal link and resource on the built site resolves, and nothing loads from another host."""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from sitecheck import page_links, page_loads, resolve_internal

# Links into Datasette are served by Datasette, not by the static site; test_datasette checks them.
DATASETTE_PREFIX = "/datasette/"


@pytest.fixture(scope="module")
def site_pages(demo_build):
    root = demo_build / "site"
    return root, sorted(root.rglob("*.html"))


def test_no_broken_internal_link(site_pages):
    root, pages = site_pages
    assert len(pages) > 1000
    broken = defaultdict(list)
    for page in pages:
        for tag, attr, url in page_links(page):
            if url.startswith(DATASETTE_PREFIX):
                continue
            target = resolve_internal(root, page, url)
            if target is not None and not target.exists():
                broken[url].append(str(page.relative_to(root)))
    assert not broken, {u: p[:3] for u, p in list(broken.items())[:20]}


def test_nothing_loads_from_another_host(site_pages):
    """Scripts, images, stylesheets, icons: all from the site itself (canonical links name it, load nothing)."""
    root, pages = site_pages
    offenders = [
        (str(page.relative_to(root)), url)
        for page in pages
        for url in page_loads(page)
        if urlsplit(url).scheme not in ("", "data") or url.startswith("//")
    ]
    assert offenders == []


def test_workshop_pages_link_their_poster_and_label_sheet(demo_build):
    """The bureau prints a workshop's 信息公示牌 and labels from its page (their print pages)."""
    import sqlite3

    from site_builder import urls

    site = demo_build / "site"
    conn = sqlite3.connect(demo_build / "registry.db")
    workshops = [i for (i,) in conn.execute("select id from operators where kind = 'workshop'")]
    conn.close()
    assert workshops
    for operator_id in workshops:
        html = (site / urls.output_path(urls.operator(operator_id))).read_text(encoding="utf-8")
        for address in (urls.poster_page(operator_id), urls.label_page(operator_id)):
            assert f'href="{address}"' in html
            assert (site / urls.output_path(address)).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
