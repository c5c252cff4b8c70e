"""Validating what changed since the last valid build: only new rows go through Frictionless.

After one record changed, `zuofang build` at 50,000 businesses spent 58 s of 90 s validating
900,000 rows the previous build had already validated. So a build remembers a digest of every
row it published (memory.py: the "validation" section of the signed state record, so a digest
forged into it is not believed), and the next build reads each table,
gives Frictionless and the domain rules (rules.py) only the rows whose digest is new, and checks
what spans rows — primary keys and unique columns, foreign keys, the owners the same-operator
rules read, the regions — over every row with sets.

This path can only say "valid". At the first doubt (any problem, a file that is not plain CSV,
a changed header or region table, other code, descriptor or release date, a table path or link
the descriptor may not have, a file past the size limits) it gives up and the whole registry is
validated as `zuofang validate` does, so a clerk always gets that report, with its row numbers
and messages. New rows go through the same domain rules (rules.check_row), control and
invisible characters and address parts included.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date

from frictionless import Field, FrictionlessException, system

from ..registry.package import TABLE_ORDER, Package
from ..registry.readers import UnsafePath
from .descriptor import descriptor_problems
from .facts import DEPENDS, FACTS
from .facts import record as record_facts
from .frictionless import attach_lookups, hand_lookups, inline_resource, table_schema
from .photos import PHOTO_TABLES, file_problem
from .dates import date_spelling_problems
from .report import Report
from ..registry.programmes import programmes
from .memory import (
    Memory,
    Scan,
    as_list,
    context_digest,
    memorise,
    rows_of,
    scan_table,
    set_digests,
    target,
    unique_fields,
    wanted_columns,
)
from .rules import OWNED, SAME_OPERATOR, Region, RuleContext, check_row
from .across import COLUMNS as ACROSS_COLUMNS, Gathered, across_findings



class _Doubt(Exception):
    """The changed rows alone cannot prove the registry valid."""


@dataclass
class Judged:
    """A registry proved valid from its changed rows: the report, the memory of it (for
    `remember`), and what it took: the tables read and how many rows of each were new."""

    report: Report
    memory: Memory
    read: list[str]
    new_rows: dict[str, int]


def validate_changes(package: Package, memory: Memory | None) -> Judged | None:
    """The registry proved valid from its changed tables' new rows and the memory; None when
    that cannot be proved (then validate everything). Tables whose file did not change are read
    only when a check needs them: as the target of a changed table's references, or when a
    table they point to lost keys or handed a product, inspection or sampling to another
    business."""
    if memory is None or memory.context != context_digest(package) or list(memory.tables) != list(TABLE_ORDER):
        return None
    if descriptor_problems(package):
        return None
    try:
        return _Judgement(package, memory).run()
    except _Doubt:
        return None


class _Judgement:
    def __init__(self, package: Package, memory: Memory):
        self.package, self.memory = package, memory
        self.wanted = wanted_columns(package)
        self.scans: dict[str, Scan] = {}
        self.changed = []
        for table in TABLE_ORDER:
            try:
                path = package.table_file(table)
            except UnsafePath:
                raise _Doubt from None
            info = memory.tables[table]
            if path is None and package.is_optional(table):
                if info["file"] != "":
                    self.changed.append(table)  # the table's file was removed: it has no rows now
                continue
            if path is None:
                raise _Doubt
            if path.relative_to(package.directory).as_posix() != info["file"] or package.sha256(path) != info["sha256"]:
                self.changed.append(table)

    def scan(self, table: str) -> Scan:
        if table not in self.scans:
            scan = scan_table(self.package, table, self.wanted[table], self.memory.known(table))
            if scan is None or scan.file != self.memory.tables[table]["file"] \
                    or scan.labels != self.memory.tables[table]["labels"]:
                raise _Doubt
            self.scans[table] = scan
        return self.scans[table]

    def run(self) -> Judged:
        package, changed = self.package, self.changed
        if "regions" in changed:
            raise _Doubt  # every rule about a region's level and parent, and every county check, reads it
        for table in changed:
            self.scan(table)
        sets = {t: set_digests(package, t, self.scans[t]) for t in changed}
        before = {t: self.memory.tables[t]["sets"] for t in changed}
        keys_moved = {t for t in changed if any(sets[t][n] != before[t].get(n) for n in sets[t] if n != "owners")}
        owners_moved = {t for t in changed if t in OWNED and sets[t]["owners"] != before[t].get("owners")}
        references = [(table, fk) for table in TABLE_ORDER for fk in package.foreign_keys(table)
                      if table in changed or target(fk, table) in keys_moved]
        for table, fk in references:
            self.scan(table)
            self.scan(target(fk, table))
        for table, links in SAME_OPERATOR.items():
            if table in changed or any(owned in owners_moved for _, owned in links):
                self.scan(table)
                for _, owned in links:
                    self.scan(owned)
        self.scan("regions")
        owners = _owners(self.scans)
        if not (all(_keys_unique(package, t, self.scans[t]) for t in changed)
                and all(_reference_found(table, fk, self.scans) for table, fk in references)
                and _owners_kept(self.scans, owners, owners_moved)):
            raise _Doubt
        facts_moved = {t for t in changed if t in FACTS and sets[t].get("facts") != before[t].get("facts")}
        again = self.rows_naming_moved_facts(facts_moved)
        regions = {code: Region(level or None, name or None, parent or None) for code, level, name, parent in zip(
            *(self.scans["regions"].columns[c] for c in ("code", "level", "name", "parent_code")))}
        context = RuleContext(package.release_date, regions, owners, self.facts(
            {t for t in changed if self.scans[t].new_rows} | set(again)))
        for table in changed:
            if self.scans[table].new_rows and not _new_rows_valid(package, table, self.scans, context):
                raise _Doubt
        for table, rows in again.items():  # rows whose rules read a fact that changed (facts.py)
            if rows and not _new_rows_valid(package, table, self.scans, context, rows):
                raise _Doubt
        if any(t in ACROSS_COLUMNS for t in changed):  # judged again over every row (rules_across.py)
            for table in ACROSS_COLUMNS:
                self.scan(table)
            if next(across_findings(_gathered(package, self.scans), package.release_date,
                                    programmes(package.descriptor)), None) is not None:
                raise _Doubt
        memory = Memory(self.memory.context, dict(self.memory.tables), dict(self.memory.blocks))
        for table in changed:
            memorise(package, memory, table, self.scans[table])
        report = Report(files={t: info["file"] for t, info in memory.tables.items()},
                        counts={t: info["rows"] for t, info in memory.tables.items()})
        return Judged(report, memory, [t for t in TABLE_ORDER if t in self.scans],
                      {t: len(self.scans[t].new_rows) for t in changed if self.scans[t].new_rows})

    def rows_naming_moved_facts(self, moved: set[str]) -> dict[str, list[list[str]]]:
        """Rows whose rules read a fact that may have changed (facts.DEPENDS): those naming a key
        of a changed row of a fact table (directly or one step away), or every row when the rule
        reads the whole table. New rows are judged anyway; these are the others."""
        again: dict[str, list[list[str]]] = {}
        for table, depends in DEPENDS.items():
            wanted, every = set(), False
            for dep in depends:
                if dep.facts not in moved:
                    continue
                if dep.every:
                    every = True
                    continue
                keys = _new_keys(self.scans[dep.facts], FACTS[dep.facts][0][0])
                if dep.via:
                    via_table, via_key, via_column = dep.via
                    columns = self.scan(via_table).columns
                    keys = {k for k, v in zip(columns[via_key], columns[via_column]) if v in keys}
                wanted |= {(dep.column, k) for k in keys}
            if not wanted and not every:
                continue
            scan = self.scan(table)
            for fk in self.package.foreign_keys(table):  # the judged rows' references are looked up there
                self.scan(target(fk, table))
            positions = {c: scan.labels.index(c) for c, _ in wanted}
            fresh = {tuple(row) for row in scan.new_rows}
            again[table] = [row for row in rows_of(self.package, scan) if tuple(row) not in fresh and (
                every or any((c, row[i] if i < len(row) else "") in wanted for c, i in positions.items()))]
        return again

    def facts(self, tables: set[str]) -> dict:
        """The facts (facts.py) the rules of `tables` read, from the scans of the fact tables."""
        needed = {dep.facts for t in tables for dep in DEPENDS.get(t, ())}
        needed |= {dep.via[0] for t in tables for dep in DEPENDS.get(t, ()) if dep.via}
        found: dict = {}
        for table in sorted(needed & set(FACTS)):
            columns = self.scan(table).columns
            names = [*FACTS[table][0], *FACTS[table][1]]
            for values in zip(*(columns[n] for n in names)):
                record_facts(found, table, dict(zip(names, values)))
        return found


def _new_keys(scan: Scan, key: str) -> set[str]:
    """The keys of a scan's new (added or changed) rows."""
    at = scan.labels.index(key)
    return {row[at] for row in scan.new_rows if at < len(row)}


def _gathered(package: Package, scans: dict[str, Scan]) -> Gathered:
    """The columns the rules across tables read, typed from every row's text (valid rows spell
    dates YYYY-MM-DD: date_spelling.py refuses any other spelling)."""
    gathered = Gathered()
    for table, columns in ACROSS_COLUMNS.items():
        kinds = {f["name"]: f.get("type", "string") for f in package.fields(table)}
        present = [c for c in columns if c in scans[table].columns]
        try:
            # Each column typed once per distinct value (dates repeat across thousands of rows).
            cells = [_read_each(scans[table].columns[c], date.fromisoformat if kinds[c] == "date" else None)
                     for c in present]
        except ValueError:
            raise _Doubt from None
        add = gathered.add
        for number, values in enumerate(zip(*cells), 2):
            add(table, number, dict(zip(present, values)))
    return gathered


def _read_each(cells: list[str], read) -> list:
    """`cells` with "" as None and the others through `read` (None: kept as text), each distinct
    value read once."""
    if read is None:
        return [c if c != "" else None for c in cells]
    seen = {"": None}
    return [seen[c] if c in seen else seen.setdefault(c, read(c)) for c in cells]


def _owners(scans: dict[str, Scan]) -> dict[str, dict[str, str]]:
    """The business each product, inspection and sampling read belongs to (rules.OWNED)."""
    return {table: {k: o for k, o in zip(scans[table].columns[key], scans[table].columns["operator_id"]) if k and o}
            for table, key in OWNED.items() if table in scans}


def _owners_kept(scans: dict[str, Scan], owners: dict[str, dict[str, str]], moved_tables: set[str]) -> bool:
    """Unchanged rows were judged against the owners of their day: when who owns what changed
    in a table, its new rows' products, inspections or samplings may have moved to another
    business, so every row naming one of those is judged again by the same-operator rule
    (rules.SAME_OPERATOR)."""
    moved = {}
    for table in moved_tables:
        i = scans[table].labels.index(OWNED[table])
        moved[table] = {row[i] for row in scans[table].new_rows if i < len(row)}
    for table, links in SAME_OPERATOR.items():
        for name, owned in links:
            if owned not in moved:
                continue
            columns = scans[table].columns
            for value, operator in zip(columns[name], columns["operator_id"]):
                if value in moved[owned] and operator and owners[owned].get(value, operator) != operator:
                    return False
    return True


def _keys_unique(package: Package, table: str, scan: Scan) -> bool:
    """Primary keys and unique columns hold no value twice, compared as Frictionless reads them
    (2026-1-5 and 2026-01-05 are one date)."""
    types = {f["name"]: f for f in package.fields(table)}
    for key in [package.primary_key(table)] + [[n] for n in sorted(unique_fields(package, table))]:
        if not key:
            continue
        columns = [_typed(types[n], scan.columns[n]) for n in key]
        values = [v for v in zip(*columns) if None not in v]
        if len(set(values)) != len(values):
            return False
    return True


def _typed(field_descriptor: dict, cells: list[str]) -> list:
    if field_descriptor.get("type", "string") == "string":
        return _read_each(cells, None)
    return _read_each(cells, Field.from_descriptor(field_descriptor).create_value_reader())


def _reference_found(table: str, fk: dict, scans: dict[str, Scan]) -> bool:
    """Every row's foreign key `fk` names a row that exists."""
    keys = set(zip(*(scans[target(fk, table)].columns[n] for n in as_list(fk["reference"]["fields"]))))
    for value in zip(*(scans[table].columns[n] for n in as_list(fk["fields"]))):
        if any(value) and (not all(value) or value not in keys):
            return False
    return True


def _new_rows_valid(package: Package, table: str, scans: dict[str, Scan], context: RuleContext,
                    rows: list[list[str]] | None = None) -> bool:
    """The new rows (or `rows`) pass Frictionless (types, constraints, keys among themselves,
    references) and the domain rules."""
    scan = scans[table]
    rows = scan.new_rows if rows is None else rows
    if any(len(row) != len(scan.labels) or not any(row) for row in rows):
        return False  # short, long or blank rows: the whole validation says where and why
    dates = {f["name"]: f["name"] for f in package.fields(table) if f.get("type") == "date"}
    if dates and any(date_spelling_problems(dict(zip(scan.labels, row)), dates) for row in rows):
        return False  # Frictionless reads 2025-7-5 as a date; the schema's spelling is 2025-07-05
    descriptor = package.resources[table]["schema"]
    lookups, types = {}, {}
    for fk in package.foreign_keys(table):
        target = fk["reference"]["resource"] or table
        key = tuple(as_list(fk["reference"]["fields"]))
        # Only the keys the new rows name: Frictionless copies its lookup tables whole.
        positions = [scan.labels.index(n) for n in as_list(fk["fields"])]
        named = {tuple(row[i] for i in positions) for row in rows}
        lookups[(target, key)] = named & set(zip(*(scans[target].columns[n] for n in key)))
        types[target] = {f["name"]: f.get("type", "string") for f in package.fields(target)}
    schema = table_schema(descriptor, scan.labels, {f"{t}:{','.join(k)}" for t, k in lookups})
    if len(schema.foreign_keys) != len(package.foreign_keys(table)):
        return False
    resource = inline_resource(table, [scan.labels, *rows], schema)
    sets = attach_lookups(resource, {k: v for k, v in lookups.items() if k[0] != table}, types)
    fields = {f["name"] for f in package.fields(table)}
    try:
        with warnings.catch_warnings(), system.use_context(trusted=True):
            warnings.simplefilter("ignore")
            with resource:
                hand_lookups(resource, sets)
                for row in resource.row_stream:
                    if row.errors:
                        return False
                    clean = {k: v for k, v in row.to_dict().items() if k in fields}
                    if check_row(table, clean, context):
                        return False
                    if table in PHOTO_TABLES and clean.get("photo") and file_problem(package.directory, clean["photo"]):
                        return False  # a new row naming a missing or broken photo: the whole validation reports it
    except (FrictionlessException, ValueError):
        return False
    return True


