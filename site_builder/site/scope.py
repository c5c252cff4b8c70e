"""Which record pages show a changed row: the output declaration (build/outputs.py) asked for
the product, business, brand and recall pages.

Both the old and the new version of a changed row count, so a product moved to another
business is taken off the old maker's page and put on the new one's. tests/test_incremental.py
holds a rebuild after each kind of change to a fresh build of the same data, byte for byte.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..build import outputs
from ..build.delta import TableChange


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
    keys = [family.affected(changes, conn) for family in outputs.RECORD_PAGES]
    if any(k is None for k in keys):
        return None
    products, operators, brands, recalls = keys
    return Scope(products, operators, brands, recalls)
