"""A registry's metadata as the plugin gives it to Datasette.

- Opened without a metadata file, a registry describes itself: `datasette registry.db` shows the
  titles, licence, column descriptions, facets and canned queries the build stored in its `_about`
  table (database/about.py), as `zuofang serve` shows them from datasette_metadata.json.
- At startup, a registry's facets become the counted ones (facets.py), and its column
  descriptions move out of the metadata Datasette was given into this plugin, which hands them
  over only when Datasette looks up a table's metadata: Datasette 0.65 deep-copies the whole
  metadata for every permission check (four a table request), and the descriptions are most of
  it (3 ms a request at 50,000 businesses).
- For the same reason the rest of a registry's metadata (titles, facets, canned queries) moves
  into this plugin too, and a permission check (Datasette's lookup of key "tables") is handed only
  the tables that carry an `allow` rule: those copies took 7.0 -> 6.1 ms of a faceted table
  request at 50,000 businesses (one process, in-process client, bench/bench_datasette.py's URL).
"""
from __future__ import annotations

import weakref

from datasette import hookimpl

from site_builder import urls
from site_builder.datasette.facets import counted_facets
from site_builder.datasette.registry_info import registries

#: Keys of the stored document's top level that a database's own metadata may carry too.
SHARED = ("license", "license_url", "source", "source_url", "about", "about_url")
#: The lookups through which Datasette reads a table's column descriptions.
COLUMN_KEYS = (None, "databases", "columns")
#: The lookup of Datasette's table permission checks (app.py _table_permission_allows).
PERMISSIONS_KEY = "tables"

_stored: "weakref.WeakKeyDictionary[object, tuple]" = weakref.WeakKeyDictionary()
_columns: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()
_moved: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def stored_databases(datasette) -> dict:
    """database name -> its stored metadata (without column descriptions), for each registry the
    local metadata leaves out."""
    names = tuple(datasette.databases)
    cached = _stored.get(datasette)
    if cached is not None and cached[0] == names:
        return cached[1]
    described = (datasette._metadata_local or {}).get("databases") or {}
    found = {}
    for name, registry in registries(datasette).items():
        document = registry.metadata
        if name in described or not document:
            continue
        database = dict((document.get("databases") or {}).get(urls.DATASETTE_DB) or {})
        for key in SHARED:
            if document.get(key) and key not in database:
                database[key] = document[key]
        found[name] = database
    found = counted_facets({"databases": found})["databases"]
    for name, database in found.items():
        _columns.setdefault(datasette, {})[name] = _take_columns(database)
    _stored[datasette] = (names, found)
    return found


def _take_columns(database: dict) -> dict:
    """Remove every table's column descriptions from `database`; returns them by table."""
    return {table: meta.pop("columns") for table, meta in (database.get("tables") or {}).items() if "columns" in meta}


@hookimpl
def get_metadata(datasette, key, database, table):
    # Fresh dicts down to each table's: Datasette merges its local metadata into what this returns.
    stored = {**stored_databases(datasette), **(_moved.get(datasette) or {})}
    if key == PERMISSIONS_KEY:
        databases = {name: {"tables": allowing} for name, meta in stored.items()
                     if (allowing := _allow_rules(meta))}
        return {"databases": databases} if databases else {}
    databases = {name: dict(meta) for name, meta in stored.items()}
    if key in COLUMN_KEYS:
        for name, tables in (_columns.get(datasette) or {}).items():
            target = databases.setdefault(name, {})
            merged = dict(target.get("tables") or {})
            for table_name, columns in tables.items():
                merged[table_name] = {**merged.get(table_name, {}), "columns": columns}
            target["tables"] = merged
    return {"databases": databases} if databases else {}


def _allow_rules(database: dict) -> dict:
    """The tables of a database's metadata that say who may see them (`allow`)."""
    return {name: {"allow": meta["allow"]} for name, meta in (database.get("tables") or {}).items()
            if isinstance(meta, dict) and "allow" in meta}


@hookimpl
def startup(datasette):
    # Datasette has no public way to change the metadata it was given; its local copy is swapped
    # for one whose registries have counted facets and no column descriptions (kept here).
    stored_databases(datasette)
    found = registries(datasette)
    local = datasette._metadata_local
    if not found or not local:
        return
    local = counted_facets(local, found)
    databases = dict(local.get("databases") or {})
    for name in found:
        if name in databases:
            database = databases.pop(name)
            _columns.setdefault(datasette, {})[name] = _take_columns(database)
            _moved.setdefault(datasette, {})[name] = database
    datasette._metadata_local = {**local, "databases": databases}
