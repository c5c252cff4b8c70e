"""The one place that builds the site's addresses.

Pages are written at these paths and every link, feed entry, Datasette link and QR code
is made from them, so a QR code can never point at a page that was not built.
Published addresses are permanent: never rename one.

A key from the data (product code, business, brand or recall id, region code, GTIN, batch)
is always ONE part of an address, percent-encoded whole (a "/" in it becomes %2F), and the
validator refuses every key that `unsafe_segment` refuses, so no key can climb out of its
folder or land on another page's file. Links taken from the package descriptor (licences,
sources, the site's own address) are printed only when `external` accepts them.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from .validate.characters import CONTROL, clean

#: Characters quote() never escapes: an address part made only of these is its own encoding,
#: and checking first saves a second per 100,000 pages.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def _quote(text: str, safe: str = "/") -> str:
    return text if _PLAIN.fullmatch(text) else quote(text, safe=safe)


def _segment(key: str) -> str:
    """One address part made from a key: everything but [A-Za-z0-9_.~-] percent-encoded."""
    return _quote(key, safe="")


#: File systems allow 255 bytes in a name; a key also names files (`qr/<code>.png`), so once
#: percent-encoded it may take at most this many bytes (200 letters or digits, 22 Chinese
#: characters — real codes and batches take a tenth of that).
SEGMENT_MAX_BYTES = 200


def unsafe_segment(key: str) -> str | None:
    """Why `key` cannot be one part of an address, or None when it can: "empty" (nothing but
    spaces), "dot" ("." or "..", which a browser and a file system read as this or the parent
    folder), "control" (control characters) or "long" (over SEGMENT_MAX_BYTES once encoded).

    The one check for every key that becomes part of an address: the validator's rule
    address-part (rules.py) and the GS1 page maker (qr/records.py) both ask it."""
    key = key.strip()
    if not key:
        return "empty"
    if key in (".", ".."):
        return "dot"
    if CONTROL.search(key):
        return "control"
    if len(_segment(key)) > SEGMENT_MAX_BYTES:
        return "long"
    return None


#: What separates the batches a recall lists in one cell (、 , ， ; ； or spaces).
_BATCH_SEPARATORS = re.compile(r"[、,，;；\s]+")


def batch_list(cell: str) -> list[str]:
    """The batches a recall's `batches` cell names, in order, without empty ones."""
    return [b for b in _BATCH_SEPARATORS.split(cell.strip()) if b]


#: Characters an address may not hold unencoded (RFC 3986): printed inside an attribute they
#: could end it.
_NOT_IN_URL = re.compile(r'[\s"<>\\^`{|}]')


def external(url) -> str | None:
    """`url` when a page may link to it: an absolute http:// or https:// address with a host,
    without spaces, quotes, control or invisible characters; else None (javascript:, data:,
    file:, relative paths …). Links from the package descriptor go through here."""
    if not isinstance(url, str) or _NOT_IN_URL.search(url) or not clean(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed port or IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url


#: What a map app's address template may name (zuofang:map_links): WGS-84 degrees, and the
#: business's name and address, each percent-encoded.
MAP_FIELDS = ("lat", "lon", "name", "address")
MAP_FIELD_PATTERN = re.compile(r"\{([^{}]*)\}")


def map_link(template: str, lat: float, lon: float, name: str = "", address: str = "") -> str | None:
    """A map app's link to a place (the deployer's template with {lat} {lon} {name} {address}
    filled in), or None when the result is not an http(s) address (`external`). The site links
    out to the visitor's map app and never draws a map itself: a map published by a site may
    need map-review approval (审图号) in China."""
    values = {"lat": _degrees(lat), "lon": _degrees(lon), "name": quote(name or "", safe=""),
              "address": quote(address or "", safe="")}
    if any(field not in values for field in MAP_FIELD_PATTERN.findall(template)):
        return None
    return external(MAP_FIELD_PATTERN.sub(lambda m: values[m.group(1)], template))


def geo(lat: float, lon: float, name: str = "") -> str:
    """The place as a geo: URI (RFC 5870, WGS-84): a phone opens it in its own map app."""
    point = f"{_degrees(lat)},{_degrees(lon)}"
    label = f"({quote(name, safe='')})" if name else ""
    return f"geo:{point}?q={point}{label}"


def _degrees(value: float) -> str:
    """Degrees to six places (about 0.1 m), without trailing zeros."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def home() -> str:
    return "/"


def product(code: str) -> str:
    """The provenance page printed as a QR code on every package."""
    return f"/p/{_segment(code)}/"


def operator(operator_id: str) -> str:
    return f"/w/{_segment(operator_id)}/"


def brands() -> str:
    return "/brands/"


def brand(brand_id: str) -> str:
    return f"/brands/{_segment(brand_id)}/"


def brand_guide() -> str:
    """The printable A5 guide to the awarded specialties (PDF)."""
    return "/brands/guide.pdf"


def photo(name: str, width: int, ext: str) -> str:
    """One web image made from photo `name` of the registry's photos/ folder (`webp` or `jpg`)."""
    return f"/photos/{_segment(name)}/{int(width)}.{ext}"


def recalls() -> str:
    return "/recalls/"


def recall(recall_id: str) -> str:
    return f"/recalls/{_segment(recall_id)}/"


def notices() -> str:
    return "/notices/"


def region(code: str) -> str:
    return f"/regions/{_segment(code)}/"


def grades() -> str:
    return "/grades/"


def zones() -> str:
    return "/zones/"


def zone(zone_id: str) -> str:
    """A park, processing area, model street or stall area (the parks table)."""
    return f"/zones/{_segment(zone_id)}/"


def programmes() -> str:
    return "/programmes/"


def programme(programme_id: str) -> str:
    return f"/programmes/{_segment(programme_id)}/"


def closures() -> str:
    """Enforcement notices: unlicensed workshops closed down (取缔)."""
    return "/closures/"


def closure(closure_id: str) -> str:
    return f"/closures/{_segment(closure_id)}/"


def data() -> str:
    return "/data/"


def data_file(name: str) -> str:
    """A published download under /data/ (the package zip, a table's CSV, registry.db)."""
    return f"/data/{_quote(name)}"


def search() -> str:
    return "/search/"


def handbook() -> str:
    return "/handbook/"


def handbook_page(name: str, anchor: str | None = None) -> str:
    """A page of the handbook (its Markdown file's name without .md), at a heading's anchor."""
    return f"/handbook/{_quote(name)}/" + (f"#{_quote(anchor, safe='')}" if anchor else "")


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
    return f"/qr/{_segment(code)}.{ext}"


def label_page(operator_id: str) -> str:
    """A workshop's print page of product QR labels (A4, 3 × 7 labels of 70 × 38 mm)."""
    return f"{operator(operator_id)}labels/"


def poster_page(operator_id: str) -> str:
    """A workshop's print page of its A4 信息公示牌 poster."""
    return f"{operator(operator_id)}poster/"


def label_sheet(operator_id: str) -> str:
    """A workshop's A4 sheet of product QR labels as a PDF (made with `zuofang build --pdf`)."""
    return f"/labels/{_segment(operator_id)}.pdf"


def poster(operator_id: str) -> str:
    """A workshop's A4 信息公示牌 poster as a PDF (made with `zuofang build --pdf`)."""
    return f"/posters/{_segment(operator_id)}.pdf"


def gs1_digital_link(gtin14: str, batch: str | None = None) -> str:
    """GS1 Digital Link path (AI 01 = GTIN, AI 10 = batch/lot) on the static site."""
    path = f"/01/{_segment(gtin14)}/"
    if batch:
        path += f"10/{_segment(batch)}/"
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


def datasette_rows(table: str, column: str, value: str) -> str:
    """A Datasette table page showing the rows whose `column` equals `value`."""
    return f"{datasette_table(table)}?{quote(column, safe='')}={quote(value, safe='')}"


def datasette_row(table: str, *pk: str) -> str:
    """Row page; compound keys are joined with commas as Datasette expects (each part tilde-encoded)."""
    from datasette.utils import tilde_encode

    parts = (str(p) for p in pk)
    return f"{datasette_table(table)}/{','.join(p if _TILDE_PLAIN.fullmatch(p) else tilde_encode(p) for p in parts)}"
