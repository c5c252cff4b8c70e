"""A registry opened without a metadata file describes itself: `datasette registry.db` shows the
titles, licence, column descriptions, facets and canned queries the build stored in its `_about`
table (database_about.py), as `zuofang serve` shows them from datasette_metadata.json."""
from __future__ import annotations

import weakref

from datasette import hookimpl

from site_builder import urls
from site_builder.datasette.facets import counted_facets
from site_builder.datasette.registry_info import registries

#: Keys of the stored document's top level that a database's own metadata may carry too.
SHARED = ("license", "license_url", "source", "source_url", "about", "about_url")

_cache: "weakref.WeakKeyDictionary[object, tuple]" = weakref.WeakKeyDictionary()


def stored_databases(datasette) -> dict:
    """database name -> its stored metadata, for each registry the local metadata leaves out."""
    names = tuple(datasette.databases)
    cached = _cache.get(datasette)
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
    _cache[datasette] = (names, found)
    return found


@hookimpl
def get_metadata(datasette, key, database, table):
    found = stored_databases(datasette)
    # A fresh outer dict each time: Datasette merges its local metadata into what this returns.
    return {"databases": dict(found)} if found else {}
