"""Which databases of a Datasette are Zuofang registries, and what each says of itself.

Installed with zuofang, the plugin is in every Datasette of that environment: a journalist's
other databases must keep Datasette's own behaviour. A registry says so in its `_about` table
(search.INDEX_KEY), whatever its file is called; that table and `_columns`, `_labels` and
`_facet_counts` (database/about.py) are read once per Datasette, from the file, because hooks
such as render_cell and get_metadata cannot wait for a query.
"""
from __future__ import annotations

import json
import sqlite3
import weakref
from dataclasses import dataclass, field
from functools import cached_property

from site_builder.database.about import ABOUT, COLUMNS, FACET_COUNTS, LABELS, METADATA_KEY, VIEW_SOURCES
from site_builder.database.fts import INDEX_KEY, INDEX_KIND


@dataclass
class RegistryInfo:
    """One registry database as the plugin sees it."""

    about: dict[str, str]
    titles: dict[str, dict[str, str]]          # table -> column -> Chinese title
    labels: dict[str, dict[str, dict]]         # table -> column -> code -> (zh, en)
    immutable: bool
    facet_counts: dict[tuple[str, str], list[tuple]] = field(default_factory=dict)
    #: (table, column) -> the labels of its facet values (foreign keys expanded): asked once
    facet_labels: dict[tuple[str, str], dict] = field(default_factory=dict)

    @cached_property
    def metadata(self) -> dict:
        """The Datasette metadata the build stored for this database."""
        return json.loads(self.about.get(METADATA_KEY) or "{}")

    def title(self, table: str | None, column: str) -> str | None:
        return self.titles.get(table or "", {}).get(column)

    def label(self, table: str | None, column: str, value) -> tuple[str, str] | None:
        """(Chinese, English) of a coded value of `table`.`column` (a view's: of its table's)."""
        for name in (table, VIEW_SOURCES.get(table or "")):
            found = self.labels.get(name or "", {}).get(column, {}).get(value)
            if found:
                return found
        return None


_known: "weakref.WeakKeyDictionary[object, dict[str, RegistryInfo | None]]" = weakref.WeakKeyDictionary()


def says_registry(conn: sqlite3.Connection) -> bool:
    """True for a connection to a database built by Zuofang (its `_about` says how it indexes)."""
    try:
        row = conn.execute(f"SELECT value FROM [{ABOUT}] WHERE key = ?", [INDEX_KEY]).fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == INDEX_KIND


def info(datasette, database: str | None) -> RegistryInfo | None:
    """What registry `database` of `datasette` says of itself; None when it is not a registry."""
    if datasette is None or database is None:
        return None
    known = _known.setdefault(datasette, {})
    if database not in known:
        db = datasette.databases.get(database)
        known[database] = _read(db.path, not db.is_mutable) if db is not None and db.path else None
    return known[database]


def registries(datasette) -> dict[str, RegistryInfo]:
    """Every registry `datasette` serves, by database name."""
    found = {name: info(datasette, name) for name in list(datasette.databases)
             if name not in ("_internal", "_memory")}
    return {name: registry for name, registry in found.items() if registry is not None}


def _read(path: str, immutable: bool) -> RegistryInfo | None:
    uri = f"file:{path}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        if not says_registry(conn):
            return None
        about = dict(conn.execute(f"SELECT key, value FROM [{ABOUT}]"))
        titles: dict[str, dict[str, str]] = {}
        for table, column, title in conn.execute(f"SELECT table_name, column_name, title FROM [{COLUMNS}]"):
            titles.setdefault(table, {})[column] = title
        labels: dict[str, dict[str, dict]] = {}
        for table, column, code, zh, en in conn.execute(f"SELECT table_name, column_name, code, zh, en FROM [{LABELS}]"):
            labels.setdefault(table, {}).setdefault(column, {})[code] = (zh, en)
        counts: dict[tuple[str, str], list[tuple]] = {}
        if immutable:  # a database that may change would make these stale
            for table, column, value, count in conn.execute(
                    f"SELECT table_name, column_name, value, count FROM [{FACET_COUNTS}] "
                    "ORDER BY table_name, column_name, count DESC, value"):
                counts.setdefault((table, column), []).append((value, count))
        return RegistryInfo(about, titles, labels, immutable, counts)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
