"""Rules that hold for every HTML page of the built site, whichever stage wrote it
(Pelican and the registry generator, the QR stage's GS1 pages, the mkdocs handbook)."""
from __future__ import annotations

import re

import pytest

DEMO_NOTICE = "演示数据"


@pytest.fixture(scope="module")
def every_page(demo_build):
    site = demo_build / "site"
    pages = sorted(site.rglob("*.html"))
    assert any(p.relative_to(site).parts[0] == "01" for p in pages), "GS1 pages are in the build"
    assert any(p.relative_to(site).parts[0] == "handbook" for p in pages), "the handbook is in the build"
    return site, pages


def test_every_page_is_chinese_first(every_page):
    site, pages = every_page
    wrong = [str(p.relative_to(site)) for p in pages
             if not re.search(r'<html[^>]*\slang="zh-CN"', p.read_text(encoding="utf-8"))]
    assert wrong == []


def test_every_page_says_it_is_demonstration_data(every_page):
    site, pages = every_page
    # mkdocs-material's 404 page is rendered from the same overridden main template.
    silent = [str(p.relative_to(site)) for p in pages if DEMO_NOTICE not in p.read_text(encoding="utf-8")]
    assert silent == []
