"""GS1 Digital Link pages: /01/<GTIN-14>/ and /01/<GTIN-14>/10/<batch>/ lead to /p/<code>/.

A phone scanning a GS1 Digital Link QR (the GS1 standard that puts the GTIN, AI 01, and the
batch, AI 10, into a web address) lands on a tiny static page that forwards to the product's
provenance page: a meta refresh for browsers, a visible link for everyone else, and
rel=canonical so search engines index the provenance page only.
"""
from __future__ import annotations

import logging
from html import escape

from site_builder import urls, vocabulary
from site_builder.checksums import gtin14

from .records import Product

log = logging.getLogger(__name__)


#: Said on every page while the registry is demonstration data (the site's header says the same).
DEMO_NOTICE = f"<p><strong>{vocabulary.DEMO_NOTICE.zh}</strong> — {vocabulary.DEMO_NOTICE.en}</p>\n"


def pages(products: list[Product], batches: dict[str, list[str]], site_url: str,
          demo: bool) -> dict[str, dict[str, str]]:
    """Product code -> {site address -> HTML} for every GTIN and every known batch of a product
    with a GTIN, by the product that owns them (a rebuild keeps the pages of the products it does
    not redo: qr/scope.py); products owning no address are left out."""
    out: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for product in sorted(products, key=lambda p: p.code):
        if not product.gtin:
            continue
        gtin = gtin14(product.gtin)
        if gtin in owner:
            # One GTIN names one trade item; a second product with it would make the address ambiguous.
            log.warning("商品条码 %s 同时属于产品 %s 和 %s；GS1 地址指向 %s。", gtin, owner[gtin], product.code, owner[gtin])
            continue
        owner[gtin] = product.code
        owned = out[product.code] = {urls.gs1_digital_link(gtin): page(product, gtin, None, site_url, demo)}
        for batch in batches.get(product.code, []):
            owned[urls.gs1_digital_link(gtin, batch)] = page(product, gtin, batch, site_url, demo)
    return out


def page(product: Product, gtin: str, batch: str | None, site_url: str, demo: bool) -> str:
    target = urls.product(product.code)
    canonical = urls.absolute(site_url, target)
    what = f"商品条码 {gtin}" + (f"，批次 {batch}" if batch else "")
    name = escape(product.name)
    return (
        "<!doctype html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{name} — {escape(what)}</title>\n"
        f'<link rel="canonical" href="{escape(canonical)}">\n'
        f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n'
        "</head>\n<body>\n"
        + (DEMO_NOTICE if demo else "")
        + "<main>\n"
        f"<h1>{name}</h1>\n"
        f"<p>{escape(what)}</p>\n"
        f'<p><a href="{escape(target)}">查看产品溯源信息 View product information</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )
