"""Facets on a whole table read the counts the build made (registry.db's `_facet_counts`).

Datasette counts every facet of every table page again, per request: three facets over 50,000
businesses cost 9 ms of SQL, which held faceted table JSON to 75 requests a second. registry.db
never changes once built, so its facet columns are counted once, at build time
(database/about.py write_facet_counts), and a request for a whole table (no filter, no search, no
page after the first) gets those counts; anything narrower is counted by Datasette's own SQL, as
before. At startup a registry's metadata facets become the facet type "counted" (`counted_facets`,
called by metadata.py), which only this class answers, so the metadata file stays as stock
Datasette reads it.
"""
from __future__ import annotations

import copy

from datasette import hookimpl
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from site_builder.datasette.registry_info import info

TYPE = "counted"


class CountedFacet(ColumnFacet):
    """A column facet whose whole-table counts come from the build."""

    type = TYPE

    async def facet_results(self):
        counts = self._build_counts()
        if counts is None:
            results, timed_out = await super().facet_results()
        else:
            results, timed_out = await self._from_counts(counts), []
        for result in results:
            result["type"] = "column"  # what the JSON has always said
        return results, timed_out

    def _build_counts(self) -> dict | None:
        """column -> counts for every configured facet, when the request covers the whole table
        of an immutable registry; else None."""
        registry = info(self.ds, self.database)
        whole_table = (not self.params and self.table is not None
                       and self.sql.rstrip().endswith(" from " + escape_sqlite(self.table)))
        if registry is None or not registry.immutable or not whole_table:
            return None
        counts = {}
        for config in self.get_configs():
            column = _column(config["config"])
            if (self.table, column) not in registry.facet_counts:
                return None
            counts[column] = registry.facet_counts[(self.table, column)]
        return counts

    async def _labels(self, column: str, counts: list[tuple]) -> dict:
        """The labels of `column`'s values (a foreign key's are the other table's label column),
        looked up once: the database does not change."""
        registry = info(self.ds, self.database)
        key = (self.table, column)
        if key not in registry.facet_labels:
            registry.facet_labels[key] = await self.ds.expand_foreign_keys(
                self.database, self.table, column, [v for v, _c in counts])
        return registry.facet_labels[key]

    async def _from_counts(self, counts: dict) -> list[dict]:
        """What ColumnFacet.facet_results returns, from counts instead of SQL."""
        qs_pairs = self.get_querystring_pairs()
        facet_size = self.get_facet_size()
        results = []
        for source_and_config in self.get_configs():
            column = _column(source_and_config["config"])
            rows = counts[column][:facet_size]
            expanded = await self._labels(column, counts[column])
            column_qs = f"{column}__exact" if column.startswith("_") else column
            values = []
            for value, count in rows:
                selected = (column_qs, str(value)) in qs_pairs
                toggle = (path_with_removed_args(self.request, {column_qs: str(value)}) if selected
                          else path_with_added_args(self.request, {column_qs: value}))
                values.append({"value": value, "label": expanded.get((column, value), value), "count": count,
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                               "selected": selected})
            results.append({
                "name": column, "type": self.type, "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
                "results": values, "truncated": len(counts[column]) > facet_size,
            })
        return results


def _column(config: dict) -> str:
    return config.get("column") or config["simple"]


def counted_facets(metadata: dict, databases=None) -> dict:
    """`metadata` with the plain column facets of every table (of `databases`, default all) as
    "counted" ones (a copy)."""
    metadata = copy.deepcopy(metadata)
    for name, database in (metadata.get("databases") or {}).items():
        if databases is not None and name not in databases:
            continue
        for table in (database.get("tables") or {}).values():
            if "facets" in table:
                table["facets"] = [{TYPE: f} if isinstance(f, str) else f for f in table["facets"]]
    return metadata


@hookimpl
def register_facet_classes():
    return [CountedFacet]

