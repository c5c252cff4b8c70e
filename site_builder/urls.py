"""The one place that builds the site's addresses.

Pages are written at these paths and every link, feed entry, Datasette link and QR code
is made from them, so a QR code can never point at a page that was not built.
Published addresses are permanent: never rename one.
"""
from __future__ import annotations

import re
from urllib.parse import quote


#: Characters quote() never escapes: an address part made only of these is its own encoding,
#: and checking first saves a second per 100,000 pages.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def _quote(text: str, safe: str = "/") -> str:
    return text if _PLAIN.fullmatch(text) else quote(text, safe=safe)


def home() -> str:
    return "/"


def product(code: str) -> str:
    """The provenance page printed as a QR code on every package."""
    return f"/p/{_quote(code)}/"


def operator(operator_id: str) -> str:
    return f"/w/{_quote(operator_id)}/"


def brands() -> str:
    return "/brands/"


def brand(brand_id: str) -> str:
    return f"/brands/{_quote(brand_id)}/"


def recalls() -> str:
    return "/recalls/"


def recall(recall_id: str) -> str:
    return f"/recalls/{_quote(recall_id)}/"


def notices() -> str:
    return "/notices/"


def region(code: str) -> str:
    return f"/regions/{_quote(code)}/"


def grades() -> str:
    return "/grades/"


def data() -> str:
    return "/data/"


def data_file(name: str) -> str:
    """A published download under /data/ (the package zip, a table's CSV, registry.db)."""
    return f"/data/{_quote(name)}"


def search() -> str:
    return "/search/"


def handbook() -> str:
    return "/handbook/"


def changes() -> str:
    return "/changes/"


def page(slug: str) -> str:
    """An editorial page from content/pages (about, grading, report …)."""
    return f"/{_quote(slug)}/"


def news(slug: str) -> str:
    """An announcement (公告) from content/news."""
    return f"/news/{_quote(slug)}/"


def static(name: str) -> str:
    """A theme file (CSS, icons) served from /static/."""
    return f"/static/{_quote(name)}"


def sitemap() -> str:
    return "/sitemap.xml"


def sitemap_part(number: int) -> str:
    """One file of a sitemap index (a site with more pages than one sitemap may list)."""
    return f"/sitemaps/{number}.xml"


def robots() -> str:
    return "/robots.txt"


def not_found() -> str:
    """The page static hosts serve for an unknown address."""
    return "/404.html"


def feed(name: str) -> str:
    """`recalls` or `notices`."""
    return f"/feeds/{name}.atom"


def qr_file(code: str, ext: str) -> str:
    """A product's QR image, `svg` or `png`."""
    return f"/qr/{_quote(code)}.{ext}"


def label_sheet(operator_id: str) -> str:
    """A workshop's printable A4 sheet of product QR labels (PDF)."""
    return f"/labels/{_quote(operator_id)}.pdf"


def poster(operator_id: str) -> str:
    """A workshop's printable A4 信息公示牌 poster (PDF)."""
    return f"/posters/{_quote(operator_id)}.pdf"


def gs1_digital_link(gtin14: str, batch: str | None = None) -> str:
    """GS1 Digital Link path (AI 01 = GTIN, AI 10 = batch/lot) on the static site."""
    path = f"/01/{gtin14}/"
    if batch:
        path += f"10/{_quote(batch, safe='')}/"
    return path


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path


def output_path(path: str) -> str:
    """Address -> file path relative to the site root (`/p/x/` -> `p/x/index.html`)."""
    rel = path.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


# Datasette is served under /datasette/ on the same host (base_url), database `registry`,
# so the site links to it with plain paths that work locally and when deployed.
DATASETTE_BASE = "/datasette/"
DATASETTE_DB = "registry"


def datasette_home() -> str:
    return DATASETTE_BASE


def datasette_table(table: str) -> str:
    return f"{DATASETTE_BASE}{DATASETTE_DB}/{_quote(table)}"


#: What tilde_encode leaves as it is: a key made only of these is its own encoding (checking
#: first saved 2 s of the site stage at 50,000 businesses).
_TILDE_PLAIN = re.compile(r"[A-Za-z0-9_-]*")


def datasette_row(table: str, *pk: str) -> str:
    """Row page; compound keys are joined with commas as Datasette expects (each part tilde-encoded)."""
    from datasette.utils import tilde_encode

    parts = (str(p) for p in pk)
    return f"{datasette_table(table)}/{','.join(p if _TILDE_PLAIN.fullmatch(p) else tilde_encode(p) for p in parts)}"
