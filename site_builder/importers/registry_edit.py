"""Merges imported records into the registry's CSV files: new rows appended, changed rows
updated in place, nothing deleted, and a file rewritten only when a byte of it would change
(so importing the same file twice leaves the registry byte for byte as it was).

A table keeps its encoding (UTF-8, with or without BOM, or GB18030), its line endings and its
header order. Every file is written to a temporary file beside it and renamed over it once all
are ready, so a failure half-way leaves the registry as it was.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..errors import ZuofangError
from ..registry import readers
from ..registry.package import Package


class RegistryEditError(ZuofangError):
    """A registry table cannot be edited in place (an XLSX table, a missing file)."""


@dataclass
class Table:
    """One registry table as text rows keyed by header, with what it takes to write it back."""

    name: str
    path: Path
    header: list[str]
    rows: list[dict]
    encoding: str
    newline: str
    changed: bool = False
    added: int = 0
    updated: int = 0
    keys: dict = field(default_factory=dict)
    counters: dict = field(default_factory=dict)

    @classmethod
    def load(cls, package: Package, name: str) -> "Table":
        path = readers.locate(package.directory, name, package.resources[name].get("path"))
        if path is None:
            path = package.directory / (package.resources[name].get("path") or f"{name}.csv")
            header = [f["name"] for f in package.fields(name)]
            return cls(name, path, header, [], "utf-8", "\n")
        source = readers.detect(path)
        if source.format != "csv":
            raise RegistryEditError(f"{path.name}：导入只能写入 CSV 格式的数据表。请先把 {path.name} 另存为"
                                    f"“CSV UTF-8”（{name}.csv），删去 xlsx 文件，再导入。")
        raw = path.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else ("utf-8" if source.encoding == "utf-8-sig" else source.encoding)
        newline = "\r\n" if b"\r\n" in raw[:65536] else "\n"
        header, rows = readers.read_rows(source)
        width = len(header)
        records = [dict(zip(header, (r + [""] * width)[:width])) for r in rows]
        return cls(name, path, header, records, encoding, newline)

    def index(self, *fields: str) -> dict[tuple, int]:
        """Row position by the values of `fields` (first row wins), kept up to date by add()."""
        if fields not in self.keys:
            positions: dict[tuple, int] = {}
            for i, row in enumerate(self.rows):
                key = tuple(row.get(f, "") for f in fields)
                if all(key):
                    positions.setdefault(key, i)
            self.keys[fields] = positions
        return self.keys[fields]

    def add(self, record: dict) -> dict:
        row = {h: text(record.get(h)) for h in self.header}
        self.rows.append(row)
        for prefix in self.counters:
            number = row.get("id", "").removeprefix(prefix)
            if row.get("id", "").startswith(prefix) and number.isdigit():
                self.counters[prefix] = max(self.counters[prefix], int(number))
        for fields, positions in self.keys.items():
            key = tuple(row.get(f, "") for f in fields)
            if all(key):
                positions.setdefault(key, len(self.rows) - 1)
        self.changed = True
        self.added += 1
        return row

    def update(self, position: int, values: dict) -> bool:
        """Set the given fields of a row (only those the table has); True when a cell changed."""
        row, changed = self.rows[position], False
        for name, value in values.items():
            if name in row and row[name] != text(value):
                row[name] = text(value)
                changed = True
        if changed:
            self.changed = True
            self.updated += 1
        return changed

    def render(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=self.newline)
        writer.writerow(self.header)
        writer.writerows([row.get(h, "") for h in self.header] for row in self.rows)
        return out.getvalue().encode(self.encoding)

    def next_id(self, prefix: str, width: int, column: str = "id") -> str:
        """The next free id of the form <prefix><number>, after the highest one in the table
        (scanned once; add() counts the rows added since). Taken only when the row is added,
        so a record that goes to review leaves no gap."""
        if prefix not in self.counters:
            pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
            numbers = [int(m.group(1)) for row in self.rows if (m := pattern.match(row.get(column, "")))]
            self.counters[prefix] = max(numbers, default=0)
        return f"{prefix}{self.counters[prefix] + 1:0{width}d}"


def text(value) -> str:
    """A typed value as its CSV cell: ISO dates, numbers without a trailing .0, JSON arrays."""
    if value is None or value == []:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_files(contents: dict[Path, bytes]) -> list[Path]:
    """Write each file whose bytes differ from what is on disk, all or none; returns those written."""
    due = {p: b for p, b in contents.items() if not p.is_file() or p.read_bytes() != b}
    temps = {}
    try:
        for path, data in due.items():
            tmp = path.with_name(f".{path.name}.import{os.getpid()}")
            tmp.write_bytes(data)
            temps[path] = tmp
        for path, tmp in temps.items():
            os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    return sorted(due)
