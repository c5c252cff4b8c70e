"""The /data/ downloads: the public registry as a Frictionless data package, a zip of it, registry.db.

Every CSV is exported FROM registry.db, so the downloads cannot disagree with the pages, and
carry only what the database holds: dropped private columns are absent, masked ones masked.
The descriptor is the registry's own, with those columns taken out and the `zuofang:private`
markers removed. Output is deterministic: rows in database order, JSON with sorted keys, zip
entries in a fixed order with the release date as their timestamp.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import os
import sqlite3
import zipfile
from pathlib import Path

from . import files
from .package import PRIVATE_KEY, TABLE_ORDER, Package

DATA_DIR = "data"            # site/data/ = /data/
ZIP_NAME = "zuofang-data.zip"
DB_NAME = "registry.db"
DESCRIPTOR_NAME = "datapackage.json"


def published_descriptor(package: Package) -> dict:
    """The registry's descriptor as published: public fields only, one UTF-8 CSV per table."""
    descriptor = copy.deepcopy(package.descriptor)
    resources = []
    for table in TABLE_ORDER:
        resource = copy.deepcopy(package.resources[table])
        resource.update(path=f"{table}.csv", format="csv", encoding="utf-8", mediatype="text/csv")
        for key in ("scheme", "dialect", "hash", "bytes"):
            resource.pop(key, None)
        fields = []
        for field in package.public_fields(table):
            field = {k: v for k, v in copy.deepcopy(field).items() if k != PRIVATE_KEY}
            fields.append(field)
        resource["schema"]["fields"] = fields
        resources.append(resource)
    descriptor["resources"] = resources
    return descriptor


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 500.0 in SQLite came from "500" in the registry
    return str(value)


def export_csv(conn: sqlite3.Connection, table: str, columns: list[str]) -> bytes:
    """One table as UTF-8 CSV, rows in database (= registry file) order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    for row in conn.execute(f'SELECT {cols} FROM "{table}" ORDER BY rowid'):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def package_zip(members: dict[str, bytes], when: tuple[int, int, int]) -> bytes:
    """A zip whose bytes depend only on `members` and the date: fixed order, times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(*when, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system builds it
            zf.writestr(info, data, compresslevel=6)  # 9 is twice as slow for 0.5 % less
    return buffer.getvalue()


def publish_package(package: Package, db_path: str | Path, site_dir: str | Path) -> None:
    """Write site/data/: <table>.csv, datapackage.json, zuofang-data.zip and registry.db."""
    out = Path(site_dir) / DATA_DIR
    descriptor = published_descriptor(package)
    members: dict[str, bytes] = {}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for resource in descriptor["resources"]:
            columns = [f["name"] for f in resource["schema"]["fields"]]
            members[resource["path"]] = export_csv(conn, resource["name"], columns)
    finally:
        conn.close()
    members = {DESCRIPTOR_NAME: (json.dumps(descriptor, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(),
               **members}
    for name, data in members.items():
        files.write_if_changed(out / name, data)
    release = package.release_date
    files.write_if_changed(out / ZIP_NAME, package_zip(members, (release.year, release.month, release.day)))
    link_database(Path(db_path), out / DB_NAME)


def link_database(db_path: Path, target: Path) -> None:
    """Publish registry.db as a hard link to the stage's database: no copy of a large file.

    The old entry is unlinked first (never written through), so the previous build's file,
    which the stage folder shares by hard link, is untouched."""
    files.record(target)
    try:
        if os.path.samefile(db_path, target):
            return
        target.unlink()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(db_path, target)
    except OSError:  # another file system: fall back to a copy
        files.write_if_changed(target, db_path.read_bytes())
