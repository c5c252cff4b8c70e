"""Which QR files a rebuild redoes: the QR families of the output declaration, plus GTIN owners.

At 10,000 businesses a full QR run after one product was renamed took 3 to 7 s: it read every
product, looked at all 85,000 cached files and rendered all 25,000 GS1 pages again; now 0.7 s, of
which 0.4 s redraws that product's label sheet (bench/bench_site.py --all-stages 10000). The
previous build's files are still right for every product and workshop whose rows did not change
(delta.py), provided the QR code, libraries, font, site URL, demo flag and release date are the
same (cache.py: the record's fingerprint and inputs) and both databases were made by the same code
from the same descriptor (BuildContext.same_database_code; it also covers the current_grades
view, which no table comparison would see change). Which rows each file shows is declared in
site_builder/build/outputs.py (QR_IMAGES, LABEL_PAGES, POSTER_PAGES, GS1_PAGES; the PDFs of --pdf
show the same rows as the pages): a product's codes, its maker's label and poster pages, the
station's workshops, the batches on GS1 pages.

A GTIN's addresses belong to the first product (by code) that has it, so every product sharing
a GTIN with a redone one is redone too. Both the old and the new version of a changed row count
(a product moved to another workshop leaves one sheet and joins another).
tests/test_qr_incremental.py holds each kind of change to a full run, byte for byte.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import urls
from site_builder.build import delta, outputs
from site_builder.checksums import gtin14

#: The QR stage's output families (site_builder/build/outputs.py says which rows each shows).
FAMILIES = (*outputs.QR_IMAGES, outputs.LABEL_PAGES, outputs.POSTER_PAGES, outputs.GS1_PAGES)
#: A workshop's files: its print pages and (zuofang build --pdf) its PDFs, which show the same rows.
WORKSHOP_FILES = (urls.label_page, urls.poster_page, *(f.address for f in outputs.PDF_FAMILIES))


@dataclass
class Scope:
    """What a rebuild redoes, by key; the previous build's other QR files are kept unseen."""

    codes: set[str] = field(default_factory=set)      # products whose PNG and SVG are checked
    workshops: set[str] = field(default_factory=set)  # operators whose print pages (and PDFs) are checked
    gs1: set[str] = field(default_factory=set)        # products whose GS1 pages are rendered

    def files(self) -> set[str]:
        """The cached files (relative to site/) this scope redoes."""
        return ({urls.output_path(urls.qr_file(code, ext)) for code in self.codes for ext in ("png", "svg")}
                | {urls.output_path(address(w)) for w in self.workshops for address in WORKSHOP_FILES})


def plan(changes: dict[str, delta.TableChange], db_path: Path) -> Scope | None:
    """What to redo for the rows `changes` names (the pipeline's comparison of the previous
    registry.db with `db_path`, BuildContext.changes); None when everything must be."""
    if any(family.redoes_everything(changes) for family in FAMILIES):
        return None
    conn = sqlite3.connect(f"file:{Path(db_path).absolute()}?mode=ro", uri=True)
    try:
        return affected(changes, conn)
    finally:
        conn.close()


def affected(changes: dict[str, delta.TableChange], conn: sqlite3.Connection) -> Scope | None:
    """The products and workshops whose QR files show a row in `changes`, looked up in the new
    registry.db (`conn`); None when every file must be redone."""
    found = [family.affected(changes, conn) for family in FAMILIES]
    if any(keys is None for keys in found):
        return None
    png, svg, sheets, posters, gs1 = found
    products = changes.get("products")
    gtins = {gtin14(g) for g in products.values("gtin")} if products else set()
    gtins |= {gtin14(g) for g in _first(conn, "SELECT gtin FROM products WHERE gtin IS NOT NULL AND code IN {keys}", gs1)}
    gs1 |= _first(conn, "SELECT code FROM products WHERE gtin IN {keys}", _spellings(gtins))
    return Scope(png | svg, sheets | posters, gs1)


def _spellings(gtins: set[str]) -> set[str]:
    """Every GTIN as the registry may write it: gtin14() pads shorter GTINs with leading zeros."""
    return {g[i:] for g in gtins for i in range(len(g)) if not g[:i].strip("0")}


def _first(conn: sqlite3.Connection, sql: str, keys: set) -> set:
    """The first column of `sql` (see delta.select_in), as a set."""
    return {row[0] for row in delta.select_in(conn, sql, keys)} if keys else set()
