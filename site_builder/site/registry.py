"""Reads registry.db once into dicts the page builders look things up in.

One query per table (ordered, so every build sees rows in the same order), then
grouping in Python: 50,000 pages must not cost 50,000 queries.

A rebuild that renders only some pages (site/scope.py) reads the large per-record tables only
for those pages' businesses and products (`SCOPED`): each page still finds every row it shows,
in the same order, so it renders exactly as in a full build. Businesses are read whole only
when a page listing all of them (regions, grades) is rendered; `counts`, `product_codes`,
`operator_ids` and `regions_with_operators` come from SQL, never from a scoped table.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..registry.standing import standing
from . import trends

#: Each table's order: the natural key, so output never depends on insertion order.
_ORDER = {
    "regions": "code", "stations": "id", "parks": "id", "operators": "id", "products": "code",
    "material_sources": "product_code, material", "inspections": "date desc, id",
    "grades": "operator_id, effective_on desc", "samplings": "sampled_on desc, id",
    "recalls": "issued_on desc, id", "brands": "id", "penalties": "decided_on desc, id",
    "targets": "region_code, year, metric",
    "checklists": "id", "checklist_items": "checklist_id, number, id", "boards": "operator_id",
    "upgrades": "operator_id", "closures": "banned_on desc, id", "programmes": "id",
}
#: Views the pages read (site/programme_pages.py, zone_pages.py): a business's latest checklist
#: (scoped like its other rows), the shares meeting each item, every target's progress. Boards
#: and upgrades are read whole (one row per business at most): zone pages count them.
_VIEW_ORDER = {
    "latest_checklist_items": "operator_id, number, item_id", "checklist_shares": "region_code, checklist_id, number",
    "zone_checklist_shares": "park_id, checklist_id, number", "programme_progress": "programme_id, number",
}
#: Every view load_registry can read: computing them is most of its cost (programme_progress
#: alone took 7 s at 10,000 businesses), so a rebuild reads only those its pages show
#: (lists.views_read).
VIEWS = frozenset(_VIEW_ORDER) | {"region_figures"}


#: Per-record tables, read for the scope's businesses and products only (temp tables named
#: apart from the registry's: a temp table would hide its namesake).
SCOPED = {
    # Recall pages show their product: products named by a recall are read too (a few); brand
    # pages list their maker's products of the brand's category: the brand makers' products too.
    "products": "code IN (SELECT k FROM temp.scope_products) OR operator_id IN (SELECT k FROM temp.scope_ops) "
                "OR code IN (SELECT product_code FROM recalls) OR operator_id IN (SELECT operator_id FROM brands)",
    "material_sources": "product_code IN (SELECT k FROM temp.scope_products)",
    # The inspection beside each grade belongs to the same business (rules.py: same-operator),
    # but read it by its id too: a page must never lose a row to the scope.
    "inspections": "operator_id IN (SELECT k FROM temp.scope_ops) OR id IN "
                   "(SELECT inspection_id FROM grades WHERE operator_id IN (SELECT k FROM temp.scope_ops))",
    "grades": "operator_id IN (SELECT k FROM temp.scope_ops)",
    "samplings": "operator_id IN (SELECT k FROM temp.scope_ops) OR product_code IN (SELECT k FROM temp.scope_products) "
                 "OR id IN (SELECT sampling_id FROM recalls)",
    "penalties": "operator_id IN (SELECT k FROM temp.scope_ops)",
    "latest_checklist_items": "operator_id IN (SELECT k FROM temp.scope_ops)",
    # The makers of the products, brands and recalls shown (SCOPED_MAKERS), unless all are needed.
    "operators": "id IN ({makers})",
    "current_grades": "operator_id IN ({makers})",
}
SCOPED_MAKERS = ("SELECT k FROM temp.scope_ops UNION SELECT operator_id FROM products WHERE code IN "
                 "(SELECT k FROM temp.scope_products) UNION SELECT operator_id FROM brands "
                 "UNION SELECT operator_id FROM recalls")
#: What the home page counts (SQL counts: scoped tables are partial).
COUNTED = ("operators", "products", "samplings")


class Row(dict):
    """A table row whose columns templates read as attributes (`p.name`) without Jinja first
    trying, and failing, an attribute lookup on a plain dict: measurably faster at 100k pages."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row.get(key) is not None:
            grouped[row[key]].append(row)
    return dict(grouped)


def failed_items(value) -> list[dict]:
    """The sampling's failed items (a JSON array of {item, measured, standard, unit})."""
    if not value:
        return []
    if isinstance(value, list):
        return value
    try:
        items = json.loads(value)
    except (TypeError, ValueError):
        return [{"item": str(value)}]
    return [i if isinstance(i, dict) else {"item": str(i)} for i in items] if isinstance(items, list) else []


@dataclass
class Registry:
    """Every public row, plus the lookups pages need (by operator, by product, by region)."""

    release_date: date
    tables: dict[str, list[dict]]
    figures: list[dict] = field(default_factory=list)
    current_grade: dict[str, dict] | None = None  # None: no current_grades view, work it out
    counts: dict[str, int] = field(default_factory=dict)
    product_codes: list[str] = field(default_factory=list)  # every product, scoped or not
    operator_ids: list[str] = field(default_factory=list)   # every business, scoped or not
    regions_with_operators: set[str] = field(default_factory=set)
    trends: dict[str, list[dict]] = field(default_factory=dict)  # region -> years (trends.py), when read
    photos: dict = field(default_factory=dict)  # photo name -> what pages show of it (images/shown.py)

    def __post_init__(self):
        t = self.tables
        self.regions = {r["code"]: r for r in t["regions"]}
        self.stations = {r["id"]: r for r in t["stations"]}
        self.parks = {r["id"]: r for r in t["parks"]}
        self.operators = {r["id"]: r for r in t["operators"]}
        self.products = {r["code"]: r for r in t["products"]}
        self.inspections = {r["id"]: r for r in t["inspections"]}
        self.samplings_by_id = {r["id"]: r for r in t["samplings"]}
        self.brands = {r["id"]: r for r in t["brands"]}
        self.recalls = t["recalls"]  # newest first
        for s in t["samplings"]:
            s["failed"] = failed_items(s.get("failed_items"))
        self.products_by_operator = _group(t["products"], "operator_id")
        self.materials_by_product = _group(t["material_sources"], "product_code")
        self.inspections_by_operator = _group(t["inspections"], "operator_id")
        self.grades_by_operator = _group(t["grades"], "operator_id")
        self.samplings_by_operator = _group(t["samplings"], "operator_id")
        self.samplings_by_product = _group(t["samplings"], "product_code")
        self.recalls_by_operator = _group(self.recalls, "operator_id")
        self.recalls_by_product = _group(self.recalls, "product_code")
        self.brands_by_operator = _group(t["brands"], "operator_id")
        self.penalties_by_operator = _group(t["penalties"], "operator_id")
        self.operators_by_region = _group(t["operators"], "region_code")
        self.targets_by_region = _group(t["targets"], "region_code")
        self.figures_by_region = _group(self.figures, "region_code")
        self.children = _group(t["regions"], "parent_code")
        # checklists, zones, 信息公开栏, upgrades, closures, programmes
        self.parks_by_region = _group(t["parks"], "region_code")
        self.operators_by_zone = _group(t["operators"], "park_id")
        self.checklists = {r["id"]: r for r in t["checklists"]}
        self.boards = {r["operator_id"]: r for r in t["boards"]}
        self.upgrades = {r["operator_id"]: r for r in t["upgrades"]}
        self.closures = {r["id"]: r for r in t["closures"]}  # newest first
        self.closures_by_region = _group(t["closures"], "region_code")
        self.programmes = {r["id"]: r for r in t["programmes"]}
        self.latest_checklist = _group(t["latest_checklist_items"], "operator_id")
        self.shares_by_region = _group(t["checklist_shares"], "region_code")
        self.shares_by_zone = _group(t["zone_checklist_shares"], "park_id")
        self.progress_by_programme = _group(t["programme_progress"], "programme_id")
        # A region page lists the programmes with a target in it: each target is a row of
        # programme_progress, so programme_targets says which without computing the view.
        self.programmes_by_region = _group(t.get("programme_regions", ()), "region_code")
        if self.current_grade is None:
            self.current_grade = self._latest_grades()
        if not self.counts:
            self.counts = {table: len(t[table]) for table in COUNTED}
        if not self.product_codes:
            self.product_codes = list(self.products)
        if not self.operator_ids:
            self.operator_ids = list(self.operators)
        if not self.regions_with_operators:
            self.regions_with_operators = set(self.operators_by_region)

    def _latest_grades(self) -> dict[str, dict]:
        """The grade in force on the release date: the newest one that took effect by then."""
        today = self.release_date.isoformat()
        current = {}
        for op, grades in self.grades_by_operator.items():
            in_force = [g for g in grades if (g["effective_on"] or "") <= today]
            if in_force:
                current[op] = in_force[0]
        return current

    def standing(self, op: dict | None):
        """Whether business `op` may operate on the release date (standing.py); None for no business."""
        return None if op is None else standing(op, self.release_date)

    def ongoing_recalls_of(self, operator_id: str) -> list[dict]:
        """The business's ongoing recalls, newest first, each with its product's name."""
        return [Row(r, product_name=(self.products.get(r.get("product_code")) or {}).get("name"))
                for r in self.recalls_by_operator.get(operator_id, ()) if r["status"] == "ongoing"]

    def ongoing_recall(self, product_code: str) -> dict | None:
        """The newest ongoing recall of a product (shown above everything on its page)."""
        return next((r for r in self.recalls_by_product.get(product_code, ()) if r["status"] == "ongoing"), None)

    def region_path(self, code: str | None) -> list[dict]:
        """The region and its parents, outermost first (省 › 市 › 县)."""
        path, seen = [], set()
        while code and code in self.regions and code not in seen:
            seen.add(code)
            path.insert(0, self.regions[code])
            code = self.regions[code].get("parent_code")
        return path

    def descendants(self, code: str) -> list[str]:
        """The region's code and the codes of every region under it."""
        out, stack = [], [code]
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(r["code"] for r in self.children.get(c, ()))
        return out


def _has(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where name = ?", (name,)).fetchone() is not None


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict]:
    cur = conn.execute(sql)
    names = [d[0] for d in cur.description]
    return [Row(zip(names, row)) for row in cur]


def load_registry(db_path: str | Path, release_date: date, ops: set[str] | None = None,
                  products: set[str] | None = None, all_operators: bool = True, with_trends: bool = True,
                  views: set[str] | None = None) -> Registry:
    """Read the public tables of registry.db (read-only) into a Registry: whole, or with the
    per-record tables (`SCOPED`) only for the businesses `ops` and the products `products`,
    and, unless `all_operators`, only the businesses those pages show; `with_trends`: the
    regions' figures by year too (trends.py: the region pages need them); `views`: the views
    (`VIEWS`) to read, the others left empty (None: all of them)."""
    conn = sqlite3.connect(f"file:{Path(db_path).absolute()}?mode=ro", uri=True)
    try:
        scoped = ops is not None or products is not None
        where = {}
        if scoped:
            for name, keys in (("scope_ops", ops or ()), ("scope_products", products or ())):
                conn.execute(f"CREATE TEMP TABLE {name} (k TEXT PRIMARY KEY)")
                conn.executemany(f"INSERT INTO temp.{name} VALUES (?)", ((k,) for k in sorted(keys)))
            where = {t: f" where {w.format(makers=SCOPED_MAKERS)}" for t, w in SCOPED.items()
                     if not all_operators or t not in ("operators", "current_grades")}
        tables = {name: _rows(conn, f"select * from [{name}]{where.get(name, '')} order by {order}")
                  for name, order in _ORDER.items()}
        wanted = VIEWS if views is None else views
        tables.update({name: _rows(conn, f"select * from [{name}]{where.get(name, '')} order by {order}")
                       if name in wanted and _has(conn, name) else [] for name, order in _VIEW_ORDER.items()})
        tables["programme_regions"] = _rows(conn, "select programme_id, region_code from programme_targets "
                                                  "order by programme_id, number") if _has(conn, "programme_targets") else []
        figures = (_rows(conn, "select * from region_figures")
                   if "region_figures" in wanted and _has(conn, "region_figures") else [])
        current = None
        if _has(conn, "current_grades"):
            current = {r["operator_id"]: r for r in _rows(
                conn, f"select * from current_grades{where.get('current_grades', '')} order by operator_id")}
        counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in COUNTED}
        years = {}
        if with_trends:
            years = trends.load(conn, release_date, {r["code"]: r.get("parent_code") for r in tables["regions"]})
        keys = {}
        if scoped:
            keys = {"product_codes": [c for (c,) in conn.execute("select code from products order by code")],
                    "operator_ids": [i for (i,) in conn.execute("select id from operators order by id")],
                    "regions_with_operators": {c for (c,) in conn.execute(
                        "select distinct region_code from operators where region_code is not null")}}
    finally:
        conn.close()
    return Registry(release_date, tables, figures, current, counts, **keys, trends=years)
