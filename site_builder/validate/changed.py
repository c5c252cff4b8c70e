"""Validating what changed since the last valid build: only new rows go through Frictionless.

After one record changed, `zuofang build` at 50,000 businesses spent 58 s of 90 s validating
900,000 rows the previous build had already validated. So a build remembers a digest of every
row it published (the "validation" section of the signed state record, state.py: a digest
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

import csv
import hashlib
import json
import warnings
from dataclasses import dataclass, field

from frictionless import Field, FrictionlessException, system

from ..build.state import StateRecord
from ..database.build import code_digest
from ..registry import readers
from ..registry.package import TABLE_ORDER, Package
from ..registry.readers import TableReadError, UnsafePath
from .descriptor import descriptor_problems
from .facts import DEPENDS, FACTS
from .facts import record as record_facts
from .frictionless import attach_lookups, inline_resource, table_schema
from .report import Report
from .rules import OWNED, SAME_OPERATOR, Region, RuleContext, check_row

SECTION = "validation"  # of the state record (state.py)
_DIGEST = 8  # bytes per row digest


@dataclass
class Scan:
    """One table as read now: its file, header, row digests (in file order), the rows the
    last valid build did not have, and the key columns the cross-row checks need."""

    file: str
    labels: list[str]
    digests: list[bytes]
    new_rows: list[list[str]] = field(default_factory=list)
    columns: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Memory:
    """What the last valid build validated: per table its file, header, sha256, digests of the
    key sets and owners other tables check against (`sets`), and its row digests (sorted, as
    one block of bytes); and what every verdict depended on besides the rows (`context`)."""

    context: str
    tables: dict[str, dict]
    blocks: dict[str, bytes]

    def known(self, table: str) -> set[bytes]:
        block = self.blocks.get(table, b"")
        return {block[i:i + _DIGEST] for i in range(0, len(block), _DIGEST)}

    def to_bytes(self) -> bytes:
        header = {"context": self.context, "tables": self.tables}
        body = b"".join(self.blocks[t] for t in self.tables)
        return json.dumps(header, ensure_ascii=False).encode() + b"\n" + body  # tables in TABLE_ORDER

    @classmethod
    def from_bytes(cls, data: bytes) -> Memory:
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        blocks, at = {}, 0
        for table, info in header["tables"].items():
            end = at + info["digests"] * _DIGEST
            blocks[table] = body[at:end]
            at = end
        if at != len(body):
            raise ValueError("memory cut short")
        return cls(header["context"], header["tables"], blocks)


def context_digest(package: Package) -> str:
    """Everything a row's verdict depends on besides the row and the other tables: the
    descriptor (schemas, release date), Frictionless, and this package's code — what
    registry.db's code digest covers (conservative: SQLite's version too)."""
    return code_digest(package)


def read_memory(records: StateRecord) -> Memory | None:
    """The memory the previous build left in its state record, or None (none, or not trusted)."""
    data = records.get(SECTION)
    if data is None:
        return None
    try:
        return Memory.from_bytes(data)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(package: Package, records: StateRecord, memory: Memory | None = None) -> None:
    """Put the memory of this (valid) registry into the build's state record (`memory` when the
    changed rows were judged: validate_changes made it); nothing when a table is not plain CSV
    (the next build then validates everything, as this one did)."""
    if memory is None:
        kept = read_memory(records)
        if kept is not None and kept.context == context_digest(package) and _same_files(package, kept):
            records.carry(SECTION)
            return
        scans = scan_tables(package)
        if scans is None:
            return
        memory = memory_of(package, scans)
    records.put(SECTION, memory.to_bytes())


def memory_of(package: Package, scans: dict[str, Scan]) -> Memory:
    """The memory of a valid registry read whole as `scans`."""
    memory = Memory(context_digest(package), {}, {})
    for table, scan in scans.items():
        _memorise(package, memory, table, scan)
    return memory


def _memorise(package: Package, memory: Memory, table: str, scan: Scan) -> None:
    memory.tables[table] = {"file": scan.file, "labels": scan.labels, "rows": len(scan.digests),
                            "digests": len(set(scan.digests)), "sha256": _sha256(package, scan.file),
                            "sets": _set_digests(package, table, scan)}
    memory.blocks[table] = b"".join(sorted(set(scan.digests)))


def _sha256(package: Package, file: str) -> str:
    return package.sha256(package.directory / file) if file else ""  # "": an absent optional table


def _same_files(package: Package, memory: Memory) -> bool:
    """The registry files are byte for byte the ones the memory was made from. The files are
    located as every reader locates them; a name the memory holds is compared, never opened."""
    if list(memory.tables) != list(TABLE_ORDER):
        return False
    try:
        for table, info in memory.tables.items():
            path = package.table_file(table)
            if path is None and package.is_optional(table) and info["file"] == "":
                continue
            if path is None or path.relative_to(package.directory).as_posix() != info["file"] \
                    or package.sha256(path) != info["sha256"]:
                return False
        return True
    except (OSError, UnsafePath):
        return False


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
        self.wanted = _wanted_columns(package)
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
            scan = _scan(self.package, table, self.wanted[table], self.memory.known(table))
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
        sets = {t: _set_digests(package, t, self.scans[t]) for t in changed}
        before = {t: self.memory.tables[t]["sets"] for t in changed}
        keys_moved = {t for t in changed if any(sets[t][n] != before[t].get(n) for n in sets[t] if n != "owners")}
        owners_moved = {t for t in changed if t in OWNED and sets[t]["owners"] != before[t].get("owners")}
        references = [(table, fk) for table in TABLE_ORDER for fk in package.foreign_keys(table)
                      if table in changed or _target(fk, table) in keys_moved]
        for table, fk in references:
            self.scan(table)
            self.scan(_target(fk, table))
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
        for table, rows in again.items():
            if rows and not _new_rows_valid(package, table, self.scans, context, rows):
                raise _Doubt
        memory = Memory(self.memory.context, dict(self.memory.tables), dict(self.memory.blocks))
        for table in changed:
            _memorise(package, memory, table, self.scans[table])
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
                self.scan(_target(fk, table))
            positions = {c: scan.labels.index(c) for c, _ in wanted}
            fresh = {tuple(row) for row in scan.new_rows}
            again[table] = [row for row in _rows_of(self.package, scan) if tuple(row) not in fresh and (
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


def _rows_of(package: Package, scan: Scan) -> list[list[str]]:
    """Every row of a scanned table (read again: a scan keeps only its new rows and key columns)."""
    if not scan.file:
        return []
    path = package.directory / scan.file
    raw = readers.read_bytes(path, path.name)
    return list(readers.csv_rows(raw.decode(readers.detect_encoding(path.name, raw)), path.name))[1:]


def scan_tables(package: Package) -> dict[str, Scan] | None:
    """Every table read as CSV text rows; None when one is missing, not CSV, or damaged."""
    wanted = _wanted_columns(package)
    scans = {}
    for table in TABLE_ORDER:
        scan = _scan(package, table, wanted[table], set())
        if scan is None:
            return None
        scans[table] = scan
    return scans


def _target(fk: dict, table: str) -> str:
    return fk["reference"]["resource"] or table


def _target_keys(package: Package) -> dict[str, set[tuple[str, ...]]]:
    """Per table, the keys other rows point to (foreign keys)."""
    keys = {t: set() for t in TABLE_ORDER}
    for table in TABLE_ORDER:
        for fk in package.foreign_keys(table):
            keys[_target(fk, table)].add(tuple(_list(fk["reference"]["fields"])))
    return keys


def _set_digests(package: Package, table: str, scan: Scan) -> dict[str, str]:
    """Digests of the key sets other tables point to, and of who owns what (rules.OWNED): when
    they are the same as last time, the tables pointing here need not be read again."""
    def digest(values) -> str:
        return hashlib.sha256("\n".join(sorted({"\x1f".join(v) for v in values})).encode()).hexdigest()

    sets = {f"key:{','.join(key)}": digest(zip(*(scan.columns[n] for n in key)))
            for key in sorted(_target_keys(package)[table])}
    if table in OWNED:
        sets["owners"] = digest(zip(scan.columns[OWNED[table]], scan.columns["operator_id"]))
    if table in FACTS:  # what other tables' rules read of it (facts.py)
        sets["facts"] = digest(zip(*(scan.columns[n] for n in (*FACTS[table][0], *FACTS[table][1]))))
    return sets


def _wanted_columns(package: Package) -> dict[str, set[str]]:
    """Per table, the columns some check across rows reads."""
    wanted = {t: set(package.primary_key(t)) | _unique_fields(package, t) for t in TABLE_ORDER}
    for table in TABLE_ORDER:
        for fk in package.foreign_keys(table):
            wanted[table] |= set(_list(fk["fields"]))
            wanted[fk["reference"]["resource"] or table] |= set(_list(fk["reference"]["fields"]))
    for table, key in OWNED.items():
        wanted[table] |= {key, "operator_id"}
    for table, links in SAME_OPERATOR.items():
        wanted[table] |= {"operator_id", *(name for name, _ in links)}
    for table, (key, columns) in FACTS.items():
        wanted[table] |= {*key, *columns}
    for table, depends in DEPENDS.items():
        for dep in depends:
            wanted[table] |= {dep.column} if dep.column else set()
            if dep.via:
                wanted[dep.via[0]] |= {dep.via[1], dep.via[2]}
    wanted["regions"] |= {"code", "level", "name", "parent_code"}
    return wanted


def _scan(package: Package, table: str, wanted: set[str], known: set[bytes]) -> Scan | None:
    try:
        path = package.table_file(table)
        if path is None and package.is_optional(table):  # no file: no rows
            labels = [f["name"] for f in package.fields(table)]
            return Scan("", labels, [], columns={name: [] for name in wanted})
        if path is None:
            return None
        raw = readers.read_bytes(path, path.name)
        if readers.is_xlsx(path, raw):
            return None
        text = raw.decode(readers.detect_encoding(path.name, raw))
        del raw
        rows = list(readers.csv_rows(text, path.name))
    except (UnsafePath, TableReadError, csv.Error):
        return None
    if not rows or readers.csv_truncation(text, len(rows[0])):
        return None
    labels, rows = rows[0], rows[1:]
    if not wanted <= set(labels) or len(set(labels)) != len(labels):
        return None
    scan = Scan(path.relative_to(package.directory).as_posix(), labels, [])
    blake2b, sep = hashlib.blake2b, "\x1f"
    for row in rows:
        joined = sep.join(row)
        if joined.count(sep) != len(row) - 1:  # a cell holding the separator: spell the row unambiguously
            joined = json.dumps(row, ensure_ascii=False)
        digest = blake2b(joined.encode(), digest_size=_DIGEST).digest()
        scan.digests.append(digest)
        if digest not in known:
            scan.new_rows.append(row)
    for name in wanted:
        i = labels.index(name)
        scan.columns[name] = [row[i] if i < len(row) else "" for row in rows]
    return scan


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


def _unique_fields(package: Package, table: str) -> set[str]:
    return {f["name"] for f in package.fields(table) if f.get("constraints", {}).get("unique")}


def _keys_unique(package: Package, table: str, scan: Scan) -> bool:
    """Primary keys and unique columns hold no value twice, compared as Frictionless reads them
    (2026-1-5 and 2026-01-05 are one date)."""
    types = {f["name"]: f for f in package.fields(table)}
    for key in [package.primary_key(table)] + [[n] for n in sorted(_unique_fields(package, table))]:
        if not key:
            continue
        columns = [_typed(types[n], scan.columns[n]) for n in key]
        values = [v for v in zip(*columns) if None not in v]
        if len(set(values)) != len(values):
            return False
    return True


def _typed(field_descriptor: dict, cells: list[str]) -> list:
    if field_descriptor.get("type", "string") == "string":
        return [c if c != "" else None for c in cells]
    read = Field.from_descriptor(field_descriptor).create_value_reader()
    return [read(c) if c != "" else None for c in cells]


def _reference_found(table: str, fk: dict, scans: dict[str, Scan]) -> bool:
    """Every row's foreign key `fk` names a row that exists."""
    keys = set(zip(*(scans[_target(fk, table)].columns[n] for n in _list(fk["reference"]["fields"]))))
    for value in zip(*(scans[table].columns[n] for n in _list(fk["fields"]))):
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
    descriptor = package.resources[table]["schema"]
    lookups, types = {}, {}
    for fk in package.foreign_keys(table):
        target = fk["reference"]["resource"] or table
        key = tuple(_list(fk["reference"]["fields"]))
        # Only the keys the new rows name: Frictionless copies its lookup tables whole.
        positions = [scan.labels.index(n) for n in _list(fk["fields"])]
        named = {tuple(row[i] for i in positions) for row in rows}
        lookups[(target, key)] = named & set(zip(*(scans[target].columns[n] for n in key)))
        types[target] = {f["name"]: f.get("type", "string") for f in package.fields(target)}
    schema = table_schema(descriptor, scan.labels, {f"{t}:{','.join(k)}" for t, k in lookups})
    if len(schema.foreign_keys) != len(package.foreign_keys(table)):
        return False
    resource = inline_resource(table, [scan.labels, *rows], schema)
    attach_lookups(resource, {k: v for k, v in lookups.items() if k[0] != table}, types)
    fields = {f["name"] for f in package.fields(table)}
    try:
        with warnings.catch_warnings(), system.use_context(trusted=True):
            warnings.simplefilter("ignore")
            with resource:
                for row in resource.row_stream:
                    if row.errors:
                        return False
                    clean = {k: v for k, v in row.to_dict().items() if k in fields}
                    if check_row(table, clean, context):
                        return False
    except (FrictionlessException, ValueError):
        return False
    return True


def _list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
