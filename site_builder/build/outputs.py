"""Every output family of a build, declared once: its address, its key, and which rows it shows.

A rebuild redoes only what shows a changed row, soundness checks that every record has its
page, permanence keeps every printed address, /changes/ lists new records, Datasette links rows
to their pages and the search update re-reads the records a change touches. Each of those reads
this declaration instead of keeping its own list, so that a new page, a new table or a new link
between tables is said in one place.

A family's `shows` say which changed rows redo which of its records: the records whose key is in
a column of the changed row (`Shows(table, column)`), or the keys a query finds in the new
registry.db for those values (`via`, with `{keys}` standing for them). A change to a table in
`everything` redoes every record of the family; so does a change to a table the family neither
shows nor `ignores` (a table added to the registry is redone everywhere until it is declared).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable

from .. import urls
from ..checksums import gtin14
from ..registry.package import TABLE_ORDER
from ..validate.photos import MIN_WIDTH as PHOTO_WIDTH  # every photo's narrowest web image
from . import delta


@dataclass(frozen=True)
class Shows:
    """A changed row of `table` redoes the records named by its `column` (through `via`)."""

    table: str
    column: str
    via: str | None = None


@dataclass(frozen=True)
class Family:
    """One kind of output. Record families have a `table` and `key`, one output per row (or per
    row that `rows` selects); overview families have fixed `addresses` and list the tables they
    `reads` (None: every table)."""

    name: str
    stage: str                                   # site, search, qr: the stage that makes it
    address: Callable[[str], str] | None = None  # a key -> its address
    table: str | None = None
    key: str | None = None
    rows: str | None = None                      # SQL for the address keys that must exist (default: every key)
    spell: Callable[[str], str] | None = None    # the key as its address spells it (GTIN-14)
    label: str | None = None                     # the column naming a record (links, /changes/)
    called: str = "页面"                         # what soundness calls one output when it is missing
    title: str | None = None                     # how /changes/ heads new records of it
    noun: str | None = None                      # what /changes/ counts
    permanent: bool = False                      # printed or linked from outside: never dropped
    shows: tuple[Shows, ...] = ()
    everything: frozenset[str] = frozenset()
    ignores: frozenset[str] = frozenset()
    addresses: tuple[str, ...] = ()              # overview families: their fixed addresses
    reads: frozenset[str] | None = frozenset()   # overview families: the tables they read
    all_operators: bool = False                  # the page lists every business (read whole)
    views: tuple[tuple[str, str, str], ...] = ()  # Datasette views whose rows are this family's

    def keys_sql(self) -> str:
        return self.rows or f'SELECT "{self.key}" FROM "{self.table}"'

    def address_of(self, key) -> str:
        """The address of the output for `key` (a value of the key column)."""
        return self.address(self.spell(str(key)) if self.spell else str(key))

    def affected(self, changes: dict[str, delta.TableChange], conn: sqlite3.Connection) -> set | None:
        """The keys of the records showing a row in `changes` (found in the new registry.db,
        `conn`); None when every record must be redone."""
        if self.redoes_everything(changes):
            return None
        keys: set = set()
        for shows in self.shows:
            if shows.table not in changes:
                continue
            values = changes[shows.table].values(shows.column)
            if shows.via is None:
                keys |= values
            elif values:
                keys |= {row[0] for row in delta.select_in(conn, shows.via, values)}
        return keys

    def redoes_everything(self, changes) -> bool:
        """A change to a table in `everything`, or to one the family does not know."""
        covered = {s.table for s in self.shows} | self.everything | self.ignores
        return any(t in changes for t in self.everything) or any(t not in covered for t in changes)

    def prefix(self) -> str:
        """The address family's folder (/p/ for /p/<code>/): what permanence holds."""
        return self.address("x")[: -len("x/")]


#: Tables every business page reads in full (region path, station, park).
_EVERY_BUSINESS_PAGE = frozenset({"regions", "stations", "parks"})
PRODUCTS_OF = "SELECT code FROM products WHERE operator_id IN {keys}"
_MAKERS = ("operators", "grades")  # a business's name, licence and current grade show on its products and brands


def _made_by(via: str) -> tuple[Shows, ...]:
    return tuple(Shows(table, "id" if table == "operators" else "operator_id", via) for table in _MAKERS)


def _ignoring(*shown: str, everything: frozenset[str] = frozenset()) -> frozenset[str]:
    return frozenset(TABLE_ORDER) - set(shown) - everything


#: A product page names its maker's brand of the product's category (its English name for tourists).
_BRAND_OF_PRODUCTS = Shows("brands", "operator_id", PRODUCTS_OF)
PRODUCT_PAGES = Family(
    "product pages", "site", urls.product, "products", "code", label="name", noun="产品", permanent=True,
    title="新增产品 New products",
    shows=(Shows("products", "code"), Shows("material_sources", "product_code"),
           Shows("samplings", "product_code"), Shows("recalls", "product_code"), _BRAND_OF_PRODUCTS,
           *_made_by(PRODUCTS_OF),
           Shows("upgrades", "operator_id", PRODUCTS_OF)),  # the verdict names the maker's SC licence
    everything=_EVERY_BUSINESS_PAGE,
    ignores=_ignoring("products", "material_sources", "samplings", "recalls", "brands", "upgrades", *_MAKERS,
                      everything=_EVERY_BUSINESS_PAGE))

_ON_BUSINESS_PAGE = ("products", "inspections", "samplings", "recalls", "brands", "penalties", "boards", "upgrades")
#: The latest checklist on a business page: its items' results, names and list.
_LATEST_CHECKLIST = (
    Shows("inspection_items", "inspection_id", "SELECT operator_id FROM inspections WHERE id IN {keys}"),
    Shows("checklist_items", "id", "SELECT DISTINCT operator_id FROM latest_checklist_items WHERE item_id IN {keys}"),
    Shows("checklists", "id", "SELECT DISTINCT operator_id FROM latest_checklist_items WHERE checklist_id IN {keys}"),
)
BUSINESS_PAGES = Family(
    "business pages", "site", urls.operator, "operators", "id", label="name", noun="主体", permanent=True,
    title="新登记主体 New businesses",
    shows=(Shows("operators", "id"), Shows("grades", "operator_id"),
           *(Shows(table, "operator_id") for table in _ON_BUSINESS_PAGE), *_LATEST_CHECKLIST),
    everything=_EVERY_BUSINESS_PAGE,
    ignores=_ignoring("operators", "grades", *_ON_BUSINESS_PAGE, *(s.table for s in _LATEST_CHECKLIST),
                      everything=_EVERY_BUSINESS_PAGE))

#: A brand page lists its maker's products of the brand's category (where they are made and
#: sold), each with its status: 召回中 while a recall of it is ongoing.
BRANDS_OF = "SELECT id FROM brands WHERE operator_id IN {keys}"
BRAND_PAGES = Family(
    "brand pages", "site", urls.brand, "brands", "id", label="name", noun="品牌", permanent=True,
    title="新增品牌 New brands",
    shows=(Shows("brands", "id"), Shows("products", "operator_id", BRANDS_OF), Shows("recalls", "operator_id", BRANDS_OF),
           *_made_by(BRANDS_OF)),
    everything=_EVERY_BUSINESS_PAGE,
    ignores=_ignoring("brands", "products", "recalls", *_MAKERS, everything=_EVERY_BUSINESS_PAGE))

RECALL_PAGES = Family(
    "recall pages", "site", urls.recall, "recalls", "id", label="title", noun="召回", permanent=True,
    title="新发布召回和预警 New recalls",
    shows=(Shows("recalls", "id"), Shows("operators", "id", "SELECT id FROM recalls WHERE operator_id IN {keys}"),
           Shows("products", "code", "SELECT id FROM recalls WHERE product_code IN {keys}"),
           Shows("samplings", "id", "SELECT id FROM recalls WHERE sampling_id IN {keys}")),
    everything=_EVERY_BUSINESS_PAGE,
    ignores=_ignoring("recalls", "operators", "products", "samplings", everything=_EVERY_BUSINESS_PAGE),
    views=(("ongoing_recalls", "id", "title"),))

#: The record pages, in the order a build renders them (site/pages.py makes their contexts).
RECORD_PAGES = (PRODUCT_PAGES, BUSINESS_PAGES, BRAND_PAGES, RECALL_PAGES)

#: A region page shows its figures against its targets: every region page is rendered again
#: when a table they read changed.
_REGION_FIGURES = frozenset({"regions", "operators", "grades", "samplings", "recalls", "brands", "targets",
                             # the share meeting each checklist item; its zones, closures and programmes
                             "inspections", "inspection_items", "checklist_items", "checklists",
                             "parks", "closures", "programmes", "programme_targets"})
REGION_PAGES = Family(
    "region pages", "site", urls.region, "regions", "code", label="name", permanent=True,
    reads=_REGION_FIGURES, everything=_REGION_FIGURES, ignores=_ignoring(everything=_REGION_FIGURES),
    all_operators=True, views=(("region_figures", "region_code", "region_name"),))

#: A zone's page lists its businesses with their grades, and its figures (checklist items met,
#: video supervision): every zone page is rendered again when a table it reads changed.
_ZONE_FIGURES = frozenset({"parks", "regions", "operators", "grades", "inspections", "inspection_items",
                           "checklist_items", "checklists", "boards"})
ZONE_PAGES = Family(
    "zone pages", "site", urls.zone, "parks", "id", label="name", permanent=True,
    reads=_ZONE_FIGURES, everything=_ZONE_FIGURES, ignores=_ignoring(everything=_ZONE_FIGURES), all_operators=True)

#: A programme's page sets each target beside its figure, which its metric's query computes from
#: these tables (database/metrics.py).
_PROGRAMME_FIGURES = frozenset({"programmes", "programme_targets", "regions", "stations", "operators", "inspections",
                                "inspection_items", "samplings", "grades", "brands", "upgrades", "boards",
                                "activities", "closures", "parks"})
PROGRAMME_PAGES = Family(
    "programme pages", "site", urls.programme, "programmes", "id", label="name", permanent=True,
    reads=_PROGRAMME_FIGURES, everything=_PROGRAMME_FIGURES, ignores=_ignoring(everything=_PROGRAMME_FIGURES),
    views=(("programme_progress", "programme_id", "programme_name"),))

#: Enforcement notices of unlicensed workshops closed down (取缔): a few, rendered together.
_CLOSURE_FACTS = frozenset({"closures", "regions", "stations"})
CLOSURE_PAGES = Family(
    "closure pages", "site", urls.closure, "closures", "id", label="name", permanent=True,
    reads=_CLOSURE_FACTS, everything=_CLOSURE_FACTS, ignores=_ignoring(everything=_CLOSURE_FACTS))

#: Pages that list many records, rendered again whenever a table they read changed.
OVERVIEW_PAGES = {
    "home": Family("home page", "site", addresses=(urls.home(),), reads=None),
    "brands": Family("brand catalogue", "site", addresses=(urls.brands(),), permanent=True,
                     reads=frozenset({"brands", "operators", "regions"})),
    "recalls": Family("recall list", "site", addresses=(urls.recalls(),), permanent=True, reads=frozenset({"recalls"})),
    "notices": Family("notices", "site", addresses=(urls.notices(),), reads=frozenset({"brands"})),
    "regions": REGION_PAGES,
    "grades": Family("grades page", "site", addresses=(urls.grades(),),
                     reads=frozenset({"regions", "operators", "grades"}), all_operators=True),
    "zone list": Family("zone list", "site", addresses=(urls.zones(),), permanent=True,
                        reads=frozenset({"parks", "regions", "operators"})),
    "zones": ZONE_PAGES,
    "programme list": Family("programme list", "site", addresses=(urls.programmes(),), permanent=True,
                             reads=_PROGRAMME_FIGURES),
    "programmes": PROGRAMME_PAGES,
    "closure list": Family("closure list", "site", addresses=(urls.closures(),), permanent=True, reads=_CLOSURE_FACTS),
    "closures": CLOSURE_PAGES,
    "search": Family("search page", "site", addresses=(urls.search(),)),
    "404": Family("not-found page", "site", addresses=(urls.not_found(),)),
}

#: The static search index's entries, by the kind letter search.js knows them by.
SEARCH_ENTRIES = {
    "b": Family("brand search entries", "search", urls.brand, "brands", "id", shows=(Shows("brands", "id"),),
                ignores=_ignoring("brands")),
    "p": Family("product search entries", "search", urls.product, "products", "code",
                shows=(Shows("products", "code"), Shows("recalls", "product_code"),
                       Shows("operators", "id", PRODUCTS_OF), _BRAND_OF_PRODUCTS),
                ignores=_ignoring("products", "recalls", "operators", "brands")),
    "w": Family("business search entries", "search", urls.operator, "operators", "id",
                shows=(Shows("operators", "id"),), ignores=_ignoring("operators")),
}

#: What the QR stage draws (qr/scope.py adds the GTIN owners to the GS1 pages).
_WORKSHOP_SHOWS = (Shows("operators", "id"), Shows("grades", "operator_id"), Shows("products", "operator_id"),
                   Shows("stations", "id", "SELECT id FROM operators WHERE station_id IN {keys}"))
QR_IMAGES = tuple(
    Family(f"QR codes ({ext.upper()})", "qr", lambda code, ext=ext: urls.qr_file(code, ext), "products", "code",
           called="二维码", shows=(Shows("products", "code"),), ignores=_ignoring("products"))
    for ext in ("png", "svg"))
#: A workshop's print pages (qr/print_pages.py): every workshop has both, a revoked one too (its
#: label page says why it gets no labels). Not in the address record: printed QR codes lead to
#: /w/<id>/, not to these.
LABEL_PAGES = Family("label print pages", "qr", urls.label_page, "operators", "id", called="标签打印页",
                     rows="SELECT id FROM operators WHERE kind = 'workshop'", shows=_WORKSHOP_SHOWS,
                     ignores=_ignoring("operators", "grades", "products", "stations"))
_POSTER_SHOWS = (*_WORKSHOP_SHOWS, Shows("boards", "operator_id"))  # and its 信息公开栏 (qr/board.py)
POSTER_PAGES = Family("poster print pages", "qr", urls.poster_page, "operators", "id", called="信息公示牌打印页",
                      rows="SELECT id FROM operators WHERE kind = 'workshop'", shows=_POSTER_SHOWS,
                      ignores=_ignoring("operators", "grades", "products", "stations", "boards"))
#: The same as PDFs, made only by `zuofang build --pdf` (soundness checks them only then).
LABEL_SHEETS = Family("label sheets", "qr", urls.label_sheet, "operators", "id", called="标签纸",
                      rows="SELECT id FROM operators WHERE kind = 'workshop'", shows=_WORKSHOP_SHOWS,
                      ignores=_ignoring("operators", "grades", "products", "stations"))
POSTERS = Family("posters", "qr", urls.poster, "operators", "id", called="信息公示牌",
                 rows="SELECT id FROM operators WHERE kind = 'workshop'", shows=_POSTER_SHOWS,
                 ignores=_ignoring("operators", "grades", "products", "stations", "boards"))
PDF_FAMILIES = (LABEL_SHEETS, POSTERS)
GS1_PAGES = Family("GS1 Digital Link pages", "qr", urls.gs1_digital_link, "products", "code", called="GS1 页面",
                   rows="SELECT DISTINCT gtin FROM products WHERE gtin IS NOT NULL", spell=gtin14, permanent=True,
                   shows=(Shows("products", "code"), Shows("samplings", "product_code"), Shows("recalls", "product_code")),
                   ignores=_ignoring("products", "samplings", "recalls"))

#: The web images of every photo a row names (images/build.py makes them; a photo is made at
#: the narrowest width whatever its size, so that one's address stands for the photo's files).
_PHOTOS_NAMED = ("SELECT photo FROM products WHERE photo IS NOT NULL AND photo != '' "
                 "UNION SELECT photo FROM brands WHERE photo IS NOT NULL AND photo != ''")
PHOTO_IMAGES = tuple(
    Family(f"photo images ({ext.upper()})", "images", lambda name, ext=ext: urls.photo(name, PHOTO_WIDTH, ext),
           "products", "photo", rows=_PHOTOS_NAMED, called="网页图片",
           shows=(Shows("products", "photo"), Shows("brands", "photo")), ignores=_ignoring("products", "brands"))
    for ext in ("webp", "jpg"))

#: Whole-site files (no key): made by their stage on every build that changes what they read.
FILES = (
    Family("feeds", "site", addresses=(urls.feed("recalls"), urls.feed("notices"))),
    Family("changes page", "site", addresses=(urls.changes(),)),
    Family("sitemap", "site", addresses=(urls.sitemap(), urls.robots())),
    Family("downloads", "site", addresses=(urls.data_file("datapackage.json"), urls.data_file("zuofang-data.zip"),
                                            urls.data_file("registry.db")), reads=None),
    # /data/ lists every download with its size and sha256: made after them, on every build.
    Family("data page", "site", addresses=(urls.data(),), reads=None),
    Family("handbook", "handbook", addresses=(urls.handbook(),)),
    Family("specialty guide", "qr", addresses=(urls.brand_guide(),), called="名特优导览"),
)

#: Every family with one site page per row: Datasette links their rows to them.
PAGE_FAMILIES = (*RECORD_PAGES, REGION_PAGES, ZONE_PAGES, PROGRAMME_PAGES, CLOSURE_PAGES)

FAMILIES: tuple[Family, ...] = (*RECORD_PAGES, *OVERVIEW_PAGES.values(), *SEARCH_ENTRIES.values(), *QR_IMAGES,
                                LABEL_PAGES, POSTER_PAGES, GS1_PAGES, *PHOTO_IMAGES, *FILES)
#: Families with one output per record, which the rebuild plans narrow.
KEYED = tuple(f for f in FAMILIES if f.key is not None)
#: Families whose outputs are files of the site, which soundness finds on disk for every key.
FILED = tuple(f for f in FAMILIES if f.stage != "search")
#: Address folders that must never lose a page once published (printed QR codes, barcodes).
PERMANENT_PREFIXES = tuple(dict.fromkeys(f.prefix() for f in FAMILIES if f.permanent and f.address))
PERMANENT_PAGES = tuple(a for f in FAMILIES if f.permanent for a in f.addresses)


def by_table() -> dict[str, Family]:
    """The site's families with a page per row, by their table (and Datasette's views of them)."""
    out = {}
    for family in PAGE_FAMILIES:
        out[family.table] = family
        for view, _key, _label in family.views:
            out[view] = family
    return out
