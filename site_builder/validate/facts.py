"""What a row rule may know of other tables: a few columns of the rows another row names.

A checklist result is judged against the inspection it belongs to, that inspection's business
(kind and region) and the list that business must be inspected by; a business's zone must lie in
its region; an upgrade must be a workshop's; a target's station must lie in its region. Those
rules read `RuleContext.facts`: table -> key -> the values of its FACTS columns, as text (the
whole validation fills it while reading, in load order; a rebuild's from its scans).

`DEPENDS` says, for each table whose rules read facts, which column of its rows names a key of
which fact table (through another table when the key is one step away): when facts change, the
rows naming a changed key are judged again (validate/changed.py).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Mapping

#: table -> (key columns, fact columns)
FACTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "stations": (("id",), ("region_code",)),
    "parks": (("id",), ("region_code",)),
    "operators": (("id",), ("kind", "region_code")),
    "inspections": (("id",), ("operator_id", "date")),
    "checklist_items": (("id",), ("checklist_id",)),
    "checklist_use": (("kind", "region_code", "since"), ("checklist_id",)),
}


@dataclass(frozen=True)
class Depends:
    """Rows of a table name keys of `facts` in `column` (directly, or through `via`: a table,
    its key column and its column naming the fact key); `every`: each row reads all its facts."""

    facts: str
    column: str | None = None
    via: tuple[str, str, str] | None = None
    every: bool = False


DEPENDS: dict[str, tuple[Depends, ...]] = {
    "operators": (Depends("parks", "park_id"),),
    "upgrades": (Depends("operators", "operator_id"),),
    "programme_targets": (Depends("stations", "station_id"),),
    "inspection_items": (Depends("checklist_items", "item_id"), Depends("inspections", "inspection_id"),
                         Depends("operators", "inspection_id", via=("inspections", "id", "operator_id")),
                         Depends("checklist_use", every=True)),
}


def key_of(table: str, row: Mapping) -> object:
    """The fact key of a row (one value, or a tuple for a compound key)."""
    columns = FACTS[table][0]
    values = tuple(text(row.get(c)) for c in columns)
    return values[0] if len(values) == 1 else values


def values_of(table: str, row: Mapping) -> tuple:
    return tuple(text(row.get(c)) for c in FACTS[table][1])


def text(value) -> str | None:
    """A fact as the text its cell holds (typed values from Frictionless: dates as ISO dates)."""
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def record(facts: dict, table: str, row: Mapping) -> None:
    """Remember the facts of one valid row."""
    key = key_of(table, row)
    if key is not None and (not isinstance(key, tuple) or None not in key):
        facts.setdefault(table, {})[key] = values_of(table, row)


def applicable_checklist(facts: dict, regions: Mapping, kind: str, region: str, day: str) -> str | None:
    """The checklist a business of `kind` in `region` is inspected by on `day`: among the
    checklist_use rows of its kind, those of the nearest region (the county, then its city, then
    its province), the one in use most recently by that day."""
    index = facts.get("_checklist_use_index")
    if index is None:
        index = {}
        for (use_kind, use_region, since), (checklist,) in sorted(facts.get("checklist_use", {}).items()):
            entry = index.setdefault((use_kind, use_region), ([], []))
            entry[0].append(since)
            entry[1].append(checklist)
        facts["_checklist_use_index"] = index
    seen = set()
    while region and region not in seen:
        seen.add(region)
        entry = index.get((kind, region))
        if entry:
            at = bisect_right(entry[0], day)
            if at:
                return entry[1][at - 1]
        parent = regions.get(region)
        region = getattr(parent, "parent_code", None)
    return None
