"""Which record pages show a changed row: pages.py's contexts read backwards.

| a changed row of | is shown on the pages of |
|---|---|
| operators | the business; its products, brands and recalls (maker name, licence, grade) |
| products | the product; its maker; recalls of it |
| material_sources | the product |
| inspections, penalties | the business |
| grades | the business; its products and brands (current grade) |
| samplings | the business; the product; recalls that cite it |
| recalls | the recall; its product and business |
| brands | the brand; its business |
| targets | none (only the overview pages, which every build renders) |
| regions, stations, parks | every business page (region path, station, park): all pages render |

Both the old and the new version of a changed row count, so a product moved to another
business is taken off the old maker's page and put on the new one's. tests/test_incremental.py
holds a rebuild after each kind of change to a fresh build of the same data, byte for byte.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..build.delta import TableChange, select_in

#: Tables every business page reads in full: a change to one of them renders every page.
EVERYWHERE = ("regions", "stations", "parks")


@dataclass
class Scope:
    """The record pages to render again, by key; the rest are kept from the previous build."""

    products: set[str] = field(default_factory=set)
    operators: set[str] = field(default_factory=set)
    brands: set[str] = field(default_factory=set)
    recalls: set[str] = field(default_factory=set)


def pages_to_render(changes: dict[str, TableChange], conn: sqlite3.Connection) -> Scope | None:
    """The pages showing a row in `changes`, looked up in the new registry.db (`conn`); None
    when every page must be rendered."""
    if any(table in changes for table in EVERYWHERE):
        return None

    def values(table: str, column: str) -> set:
        return changes[table].values(column) if table in changes else set()

    scope = Scope()
    makers = values("operators", "id") | values("grades", "operator_id")  # shown on products and brands
    scope.operators = makers | {op for table in ("products", "inspections", "samplings", "recalls", "brands",
                                                 "penalties") for op in values(table, "operator_id")}
    scope.products = (values("products", "code") | values("material_sources", "product_code")
                      | values("samplings", "product_code") | values("recalls", "product_code")
                      | _first(conn, "SELECT code FROM products WHERE operator_id IN {keys}", makers))
    scope.brands = values("brands", "id") | _first(conn, "SELECT id FROM brands WHERE operator_id IN {keys}", makers)
    scope.recalls = (values("recalls", "id")
                     | _first(conn, "SELECT id FROM recalls WHERE operator_id IN {keys}", values("operators", "id"))
                     | _first(conn, "SELECT id FROM recalls WHERE product_code IN {keys}", values("products", "code"))
                     | _first(conn, "SELECT id FROM recalls WHERE sampling_id IN {keys}", values("samplings", "id")))
    return scope


def _first(conn: sqlite3.Connection, sql: str, keys: set) -> set:
    """The first column of `sql` (see delta.select_in), as a set."""
    return {row[0] for row in select_in(conn, sql, keys)} if keys else set()
