"""Validating what changed since the last valid build: only new rows go through Frictionless.

After one record changed, `zuofang build` at 50,000 businesses spent 58 s of 90 s validating
900,000 rows the previous build had already validated. So a build remembers a digest of every
row it published (OUT_DIR/.validated-rows, not published), and the next build reads each table,
gives Frictionless and the domain rules (rules.py) only the rows whose digest is new, and checks
what spans rows — primary keys and unique columns, foreign keys, the owners the same-operator
rules read, the regions — over every row with sets.

This path can only say "valid". At the first doubt (any problem, a file that is not plain CSV,
a changed header or region table, other code, descriptor or release date) it gives up and the whole registry is validated as
`zuofang validate` does, so a clerk always gets that report, with its row numbers and messages.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from frictionless import Field, FrictionlessException, system

from . import files, readers
from .package import TABLE_ORDER, Package
from .readers import TableReadError
from .report import Report
from .rules import OWNED, SAME_OPERATOR, Region, RuleContext, check_row
from .validate_frictionless import attach_lookups, inline_resource, table_schema

MEMORY = ".validated-rows"
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
    """What the last valid build validated: per table its file, header and row digests, and
    what every verdict depended on besides the rows (`context_digest`)."""

    context: str
    tables: dict[str, dict]
    digests: dict[str, set[bytes]]

    def to_bytes(self) -> bytes:
        header = {"context": self.context, "tables": self.tables}
        body = b"".join(b"".join(sorted(self.digests[t])) for t in self.tables)
        return json.dumps(header, ensure_ascii=False).encode() + b"\n" + body  # tables in TABLE_ORDER

    @classmethod
    def from_bytes(cls, data: bytes) -> Memory:
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        digests, at = {}, 0
        for table, info in header["tables"].items():
            end = at + info["digests"] * _DIGEST
            digests[table] = {body[i:i + _DIGEST] for i in range(at, end, _DIGEST)}
            at = end
        return cls(header["context"], header["tables"], digests)


def context_digest(package: Package) -> str:
    """Everything a row's verdict depends on besides the row and the other tables: the
    descriptor (schemas, release date), Frictionless, and this package's code (conservative)."""
    h = hashlib.sha256()
    h.update(json.dumps(package.descriptor, ensure_ascii=False, sort_keys=True, default=str).encode())
    h.update(f"frictionless {version('frictionless')}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def read_memory(path: Path) -> Memory | None:
    """The memory in file `path` (OUT_DIR/.validated-rows), or None."""
    try:
        return Memory.from_bytes(Path(path).read_bytes())
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def remember(package: Package, stage_dir: Path, scans: dict[str, Scan] | None = None) -> None:
    """Write the memory of this (valid) registry into the build's stage; nothing when a table is
    not plain CSV (the next build then validates everything, as this one did)."""
    path = Path(stage_dir) / MEMORY
    context = context_digest(package)
    if scans is None:
        kept = read_memory(files.current(path))
        if kept is not None and kept.context == context and _same_files(package, kept):
            files.record(path)
            return
        scans = scan_tables(package, None)
        if scans is None:
            return
    files.write_if_changed(path, memory_of(package, scans, context).to_bytes())


def memory_of(package: Package, scans: dict[str, Scan], context: str | None = None) -> Memory:
    """The memory of a valid registry read as `scans`."""
    return Memory(context or context_digest(package), {
        t: {"file": s.file, "labels": s.labels, "rows": len(s.digests), "digests": len(set(s.digests)),
            "sha256": _sha256(package, s.file)} for t, s in scans.items()},
        {t: set(s.digests) for t, s in scans.items()})


def _sha256(package: Package, file: str) -> str:
    return files.sha256_of(package.directory / file)


def _same_files(package: Package, memory: Memory) -> bool:
    """The registry files are byte for byte the ones the memory was made from."""
    try:
        return all(_sha256(package, info["file"]) == info["sha256"] for info in memory.tables.values())
    except OSError:
        return False


def validate_changes(package: Package, memory: Memory | None) -> tuple[Report, dict[str, Scan]] | None:
    """A report for a registry proved valid from its new rows and the memory, with the scans
    (for `remember`); None when that cannot be proved (then validate everything)."""
    if memory is None or memory.context != context_digest(package) or list(memory.tables) != list(TABLE_ORDER):
        return None
    scans = scan_tables(package, memory)
    if scans is None or not _same_shape(scans, memory):
        return None
    owners = _owners(scans)
    if not (_keys_unique(package, scans) and _references_found(package, scans) and _owners_kept(scans, owners)):
        return None
    regions = {code: Region(level or None, name or None, parent or None) for code, level, name, parent in zip(
        *(scans["regions"].columns[c] for c in ("code", "level", "name", "parent_code")))}
    context = RuleContext(package.release_date, regions, owners)
    for table in TABLE_ORDER:
        if scans[table].new_rows and not _new_rows_valid(package, table, scans, context):
            return None
    report = Report(files={t: s.file for t, s in scans.items()},
                    counts={t: len(s.digests) for t, s in scans.items()})
    return report, scans


def scan_tables(package: Package, memory: Memory | None) -> dict[str, Scan] | None:
    """Every table read as CSV text rows; None when one is missing, not CSV, or damaged."""
    wanted = _wanted_columns(package)
    scans = {}
    for table in TABLE_ORDER:
        known = memory.digests.get(table, set()) if memory else set()
        scan = _scan(package, table, wanted[table], known)
        if scan is None:
            return None
        scans[table] = scan
    return scans


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
    wanted["regions"] |= {"code", "level", "name", "parent_code"}
    return wanted


def _scan(package: Package, table: str, wanted: set[str], known: set[bytes]) -> Scan | None:
    path = readers.locate(package.directory, table, package.resources[table].get("path"))
    if path is None:
        return None
    raw = path.read_bytes()
    if readers.is_xlsx(path, raw):
        return None
    try:
        text = raw.decode(readers.detect_encoding(path.name, raw))
    except TableReadError:
        return None
    del raw
    rows = list(csv.reader(io.StringIO(text, newline="")))
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


def _same_shape(scans: dict[str, Scan], memory: Memory) -> bool:
    """Same files and headers as last time, and the regions table unchanged (every rule about
    a region's level and parent, and every county check, read it)."""
    for table, scan in scans.items():
        info = memory.tables[table]
        if scan.file != info["file"] or scan.labels != info["labels"]:
            return False
    regions = scans["regions"]
    return not regions.new_rows and len(regions.digests) == memory.tables["regions"]["rows"]


def _owners(scans: dict[str, Scan]) -> dict[str, dict[str, str]]:
    """The business each product, inspection and sampling belongs to (rules.OWNED)."""
    return {table: {k: o for k, o in zip(scans[table].columns[key], scans[table].columns["operator_id"]) if k and o}
            for table, key in OWNED.items()}


def _owners_kept(scans: dict[str, Scan], owners: dict[str, dict[str, str]]) -> bool:
    """Unchanged rows were judged against the owners of their day: a product, inspection or
    sampling whose row is new may have moved to another business, so every row naming one of
    those is judged again by the same-operator rule (rules.SAME_OPERATOR)."""
    moved = {}
    for table, key in OWNED.items():
        i = scans[table].labels.index(key)
        moved[table] = {row[i] for row in scans[table].new_rows if i < len(row)}
    for table, links in SAME_OPERATOR.items():
        columns = scans[table].columns
        for name, owned in links:
            for value, operator in zip(columns[name], columns["operator_id"]):
                if value in moved[owned] and operator and owners[owned].get(value, operator) != operator:
                    return False
    return True


def _unique_fields(package: Package, table: str) -> set[str]:
    return {f["name"] for f in package.fields(table) if f.get("constraints", {}).get("unique")}


def _keys_unique(package: Package, scans: dict[str, Scan]) -> bool:
    """Primary keys and unique columns hold no value twice, compared as Frictionless reads them
    (2026-1-5 and 2026-01-05 are one date)."""
    for table in TABLE_ORDER:
        scan = scans[table]
        types = {f["name"]: f for f in package.fields(table)}
        keys = [package.primary_key(table)] + [[n] for n in sorted(_unique_fields(package, table))]
        for key in keys:
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


def _references_found(package: Package, scans: dict[str, Scan]) -> bool:
    """Every foreign key of every row names a row that exists."""
    for table in TABLE_ORDER:
        for fk in package.foreign_keys(table):
            names, target = _list(fk["fields"]), fk["reference"]["resource"] or table
            refs = [scans[table].columns[n] for n in names]
            keys = set(zip(*(scans[target].columns[n] for n in _list(fk["reference"]["fields"]))))
            for value in zip(*refs):
                if any(value) and (not all(value) or value not in keys):
                    return False
    return True


def _new_rows_valid(package: Package, table: str, scans: dict[str, Scan], context: RuleContext) -> bool:
    """The new rows pass Frictionless (types, constraints, keys among themselves, references)
    and the domain rules."""
    scan = scans[table]
    if any(len(row) != len(scan.labels) or not any(row) for row in scan.new_rows):
        return False  # short, long or blank rows: the whole validation says where and why
    descriptor = package.resources[table]["schema"]
    lookups, types = {}, {}
    for fk in package.foreign_keys(table):
        target = fk["reference"]["resource"] or table
        key = tuple(_list(fk["reference"]["fields"]))
        lookups[(target, key)] = set(zip(*(scans[target].columns[n] for n in key)))
        types[target] = {f["name"]: f.get("type", "string") for f in package.fields(target)}
    schema = table_schema(descriptor, scan.labels, {f"{t}:{','.join(k)}" for t, k in lookups})
    if len(schema.foreign_keys) != len(package.foreign_keys(table)):
        return False
    resource = inline_resource(table, [scan.labels, *scan.new_rows], schema)
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
