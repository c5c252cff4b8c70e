"""What one import run works with: the registry's tables, the business directory, the record
checker, and what happened to every row (placed records, review lines, skipped rows)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..registry.package import Package
from .checks import RecordChecker
from . import headers as hd
from .headers import Layout, cells_by_header
from .matching import Directory
from .registry_edit import Table
from .review import ReviewRow

#: Tables an import may write.
WRITES = {"sampling": ("samplings",), "penalties": ("penalties",), "licences": ("operators",)}


@dataclass
class Placement:
    """A record the import wrote (or found unchanged): where from, which business, by what."""

    file: str
    sheet: str
    rows: list[int]
    table: str
    record_id: str
    operator_id: str
    operator_name: str
    method: str
    action: str  # added, updated, unchanged
    role: str = ""  # for samplings: producer or sampled unit

    def as_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "rows": self.rows, "table": self.table,
                "record_id": self.record_id, "operator_id": self.operator_id, "operator_name": self.operator_name,
                "method": self.method, "action": self.action, "role": self.role}


@dataclass
class Context:
    package: Package
    command: str
    tables: dict[str, Table]
    directory: Directory
    checker: RecordChecker
    placements: list[Placement] = field(default_factory=list)
    review: list[ReviewRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0
    skipped: int = 0

    @property
    def places(self) -> tuple[str, ...]:
        return self.directory.places

    def products_of(self, operator_id: str) -> list[dict]:
        if not hasattr(self, "_products"):
            grouped: dict[str, list[dict]] = {}
            for p in self.tables["products"].rows:
                grouped.setdefault(p.get("operator_id", ""), []).append(p)
            self._products = grouped
        return self._products.get(operator_id, [])

    def data_rows(self, found: Layout):
        """(row number, cells) of the sheet's data rows, counted as read; a header the file
        repeats (a page break in a printed export) is skipped, not read."""
        for number, cells in hd.data_rows(found):
            if hd.is_repeated_header(found, cells):
                self.skipped += 1
                continue
            self.rows_read += 1
            yield number, cells

    def records(self, found: Layout, noun: str):
        """(row number, cells, values) of each data row that holds a record; a row of one text
        alone (a footnote) goes to the review file as not a `noun`."""
        for number, cells in self.data_rows(found):
            if hd.note_text(cells) is not None:
                self.send_to_review(found, [(number, cells)], "not-a-record", f"这一行只有一段文字，不是{noun}")
                continue
            yield number, cells, hd.values(found, cells)

    def send_to_review(self, found: Layout, rows: list[tuple[int, list[str]]], code: str, reason: str,
                       candidates=(), imported: bool = False) -> None:
        for number, cells in rows:
            self.review.append(ReviewRow(self.command, found.sheet.file, found.sheet.name, number, code, reason,
                                         [self.describe(c) for c in candidates], imported,
                                         cells_by_header(found, cells)))

    def describe(self, operator_id: str) -> str:
        op = self.directory.operators.get(operator_id, {})
        return f"{operator_id} {op.get('name', '')}（{op.get('address', '')}）".strip()

    def written_fields(self, table: str, record: dict) -> tuple[dict, list[str]]:
        """The record with only the fields the registry's table has, and the names left out
        (an older datapackage.json without a newer field)."""
        header = self.tables[table].header
        return {k: v for k, v in record.items() if k in header}, [k for k, v in record.items()
                                                                  if k not in header and v not in (None, "", [])]
