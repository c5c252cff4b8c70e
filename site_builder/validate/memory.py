"""What a valid build remembers of its registry, for the next build's changed-rows validation.

Each table is read as CSV text rows, each row digested (8 bytes of BLAKE2b over its cells); the
memory keeps, per table, its file, header and sha256, the sorted row digests, and digests of the
key sets and owners other tables check against. It lives in the "validation" section of the
signed state record (build/state.py), so a digest forged into it is not believed. changed.py
judges a new registry against it.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field

from ..build.state import StateRecord
from ..database.build import code_digest
from ..registry import readers
from ..registry.package import TABLE_ORDER, Package
from ..registry.readers import TableReadError, UnsafePath
from .across import COLUMNS as ACROSS_COLUMNS
from .facts import DEPENDS, FACTS
from .rules import OWNED, SAME_OPERATOR

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
    sha256: str = ""  # of the bytes scanned, when scanned by whole.py (scan_tables checks it)


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


def remember(package: Package, records: StateRecord, memory: Memory | None = None,
             scans: dict[str, Scan] | None = None) -> None:
    """Put the memory of this (valid) registry into the build's state record (`memory` when the
    changed rows were judged: validate_changes made it; else from `scans`, the tables whole.py
    scanned while it validated them, and the others read now); nothing when a table is not plain
    CSV (the next build then validates everything, as this one did)."""
    if memory is None:
        kept = read_memory(records)
        if kept is not None and kept.context == context_digest(package) and same_files(package, kept):
            records.carry(SECTION)
            return
        scans = scan_tables(package, scans)
        if scans is None:
            return
        memory = memory_of(package, scans)
    records.put(SECTION, memory.to_bytes())


def memory_of(package: Package, scans: dict[str, Scan]) -> Memory:
    """The memory of a valid registry read whole as `scans`."""
    memory = Memory(context_digest(package), {}, {})
    for table, scan in scans.items():
        memorise(package, memory, table, scan)
    return memory


def memorise(package: Package, memory: Memory, table: str, scan: Scan) -> None:
    memory.tables[table] = {"file": scan.file, "labels": scan.labels, "rows": len(scan.digests),
                            "digests": len(set(scan.digests)), "sha256": file_sha256(package, scan.file),
                            "sets": set_digests(package, table, scan)}
    memory.blocks[table] = b"".join(sorted(set(scan.digests)))


def file_sha256(package: Package, file: str) -> str:
    return package.sha256(package.directory / file) if file else ""  # "": an absent optional table


def same_files(package: Package, memory: Memory) -> bool:
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


def scan_tables(package: Package, made: dict[str, Scan] | None = None) -> dict[str, Scan] | None:
    """Every table read as CSV text rows (those `made` holds, already scanned while validated,
    are not read again); None when one is missing, not CSV, or damaged."""
    wanted = wanted_columns(package)
    scans = {}
    for table in TABLE_ORDER:
        scan = (made or {}).get(table)
        if scan is None or not scan.sha256 or file_sha256(package, scan.file) != scan.sha256:
            scan = scan_table(package, table, wanted[table], set())  # not scanned, or changed since
        if scan is None:
            return None
        scans[table] = scan
    return scans


def target(fk: dict, table: str) -> str:
    return fk["reference"]["resource"] or table


def target_keys(package: Package) -> dict[str, set[tuple[str, ...]]]:
    """Per table, the keys other rows point to (foreign keys)."""
    keys = {t: set() for t in TABLE_ORDER}
    for table in TABLE_ORDER:
        for fk in package.foreign_keys(table):
            keys[target(fk, table)].add(tuple(as_list(fk["reference"]["fields"])))
    return keys


def set_digests(package: Package, table: str, scan: Scan) -> dict[str, str]:
    """Digests of the key sets other tables point to, and of who owns what (rules.OWNED): when
    they are the same as last time, the tables pointing here need not be read again."""
    def digest(values) -> str:
        return hashlib.sha256("\n".join(sorted({"\x1f".join(v) for v in values})).encode()).hexdigest()

    sets = {f"key:{','.join(key)}": digest(zip(*(scan.columns[n] for n in key)))
            for key in sorted(target_keys(package)[table])}
    if table in OWNED:
        sets["owners"] = digest(zip(scan.columns[OWNED[table]], scan.columns["operator_id"]))
    if table in FACTS:  # what other tables' rules read of it (facts.py)
        sets["facts"] = digest(zip(*(scan.columns[n] for n in (*FACTS[table][0], *FACTS[table][1]))))
    return sets


def wanted_columns(package: Package) -> dict[str, set[str]]:
    """Per table, the columns some check across rows reads."""
    wanted = {t: set(package.primary_key(t)) | unique_fields(package, t) for t in TABLE_ORDER}
    for table in TABLE_ORDER:
        for fk in package.foreign_keys(table):
            wanted[table] |= set(as_list(fk["fields"]))
            wanted[fk["reference"]["resource"] or table] |= set(as_list(fk["reference"]["fields"]))
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
    for table, columns in ACROSS_COLUMNS.items():
        wanted[table] |= {c for c in columns if c in {f["name"] for f in package.fields(table)}}
    return wanted


def scan_table(package: Package, table: str, wanted: set[str], known: set[bytes]) -> Scan | None:
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
    return scan_rows(path.relative_to(package.directory).as_posix(), text, rows, wanted, known)


def scan_rows(file: str, text: str, rows: list[list[str]], wanted: set[str], known: set[bytes]) -> Scan | None:
    """The scan of a CSV table already read as `text` and parsed into `rows` (header first), so
    that `zuofang validate`, which parses each file anyway, need not read it a second time;
    None when it is not one the memory can hold."""
    if not rows or readers.csv_truncation(text, len(rows[0])):
        return None
    labels, rows = rows[0], rows[1:]
    if not wanted <= set(labels) or len(set(labels)) != len(labels):
        return None
    scan = Scan(file, labels, [])
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


def unique_fields(package: Package, table: str) -> set[str]:
    return {f["name"] for f in package.fields(table) if f.get("constraints", {}).get("unique")}


def as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def rows_of(package: Package, scan: Scan) -> list[list[str]]:
    """Every row of a scanned table (read again: a scan keeps only its new rows and key columns)."""
    if not scan.file:
        return []
    path = package.directory / scan.file
    raw = readers.read_bytes(path, path.name)
    return list(readers.csv_rows(raw.decode(readers.detect_encoding(path.name, raw)), path.name))[1:]
