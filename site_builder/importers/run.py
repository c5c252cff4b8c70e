"""One import: read the files, find their headers, turn rows into records, merge them into the
registry and write the review file — everything decided in memory first, then written all at
once (or, with dry_run, not at all). Any file that cannot be read stops the import before a
byte is written."""
from __future__ import annotations

from pathlib import Path

from ..registry.package import Package
from . import headers, licences, penalties, sampling
from .checks import RecordChecker
from .context import WRITES, Context
from .matching import Directory
from .registry_edit import Table, write_files
from .report import ImportReport
from .review import REVIEW_NAME, merged
from .sources import read_files

IMPORTERS = {"sampling": sampling.import_sheet, "penalties": penalties.import_sheet, "licences": licences.import_sheet}
#: Tables every import reads (to match rows and check records), besides those it writes.
READS = ("regions", "stations", "operators", "products", "samplings", "penalties")


def run_import(command: str, files: list[Path], data_dir: Path, maps: tuple[str, ...] = (),
               dry_run: bool = False) -> ImportReport:
    package = Package.load(data_dir)
    mapping = headers.parse_maps(command, maps)
    sheets, warnings = read_files(files)
    found, notes = headers.layouts(sheets, command, mapping)
    tables = {name: Table.load(package, name) for name in READS}
    owners = {"products": {p["code"]: p["operator_id"] for p in tables["products"].rows},
              "samplings": {s["id"]: s["operator_id"] for s in tables["samplings"].rows}}
    ctx = Context(package, command, tables, Directory(tables["operators"].rows, tables["regions"].rows),
                  RecordChecker(package, tables["regions"].rows, owners), warnings=warnings + notes)
    for layout in found:
        IMPORTERS[command](ctx, layout)
    writes = {tables[name].path: tables[name].render() for name in WRITES[command] if tables[name].changed}
    review_path = Path(data_dir) / REVIEW_NAME
    review = merged(review_path, command, {Path(f).name for f in files}, ctx.review)
    if review is not None:
        writes[review_path] = review
    due = sorted(p for p, data in writes.items() if not p.is_file() or p.read_bytes() != data)
    if not dry_run:
        write_files(writes)
    return ImportReport.of(ctx, sheets, [tables[name] for name in WRITES[command]],
                           review_path if review is not None else None, due, dry_run)
