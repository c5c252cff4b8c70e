"""The /data/ downloads: the public registry as a Frictionless data package, a zip of it, registry.db.

Every CSV and workbook is exported FROM registry.db, so the downloads cannot disagree with the
pages, and carry only what the database holds: dropped private columns are absent, masked ones
masked. The descriptor is the registry's own, with those columns taken out, the `zuofang:private`
markers removed and each CSV's size and sha256 added. The zip holds the package (CSVs,
datapackage.json), a README and licence (publish_readme.py) and Datasette's metadata; /data/ has
those, each table as .xlsx (publish_xlsx.py) and registry.db. Output is deterministic: rows in
database order, JSON with sorted keys, zip entries in a fixed order with the release date as
their timestamp.

Exporting and zipping every table took 13 s at 50,000 businesses, and writing the workbooks
another 72 s (openpyxl, on a busy 2-core machine), so a table whose source
file (its sha256 in registry.db's _build_files), public columns and this code are those of the
previous build keeps its CSV and workbook (the "downloads" section of the state record, state.py,
says which inputs, bytes and rows each file had: the /data/ page lists them); the zip is rebuilt
only when a member changed.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path

from ..build import fingerprint
from ..build.files import Files
from ..database.about import coded_values
from .readme import LICENSE_NAME, METADATA_NAME, README_NAME, licence_text, readme
from ..registry.package import PRIVATE_KEY, TABLE_ORDER, Package

DATA_DIR = "data"            # site/data/ = /data/
ZIP_NAME = "zuofang-data.zip"
DB_NAME = "registry.db"
DESCRIPTOR_NAME = "datapackage.json"
CSV_ENCODING = "utf-8-sig"  # Python's and Frictionless's name for UTF-8 that starts with a BOM
SECTION = "downloads"  # of the state record: what each /data/ file was made from



def published_descriptor(package: Package) -> dict:
    """The registry's descriptor as published: public fields only, one CSV per table in UTF-8 with
    a byte order mark (declared `utf-8-sig`), which Excel on a Chinese system needs to read UTF-8."""
    descriptor = copy.deepcopy(package.descriptor)
    resources = []
    for table in TABLE_ORDER:
        resource = copy.deepcopy(package.resources[table])
        resource.update(path=f"{table}.csv", format="csv", encoding=CSV_ENCODING, mediatype="text/csv")
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
    """One table as CSV in CSV_ENCODING, rows in database (= registry file) order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    for row in conn.execute(f'SELECT {cols} FROM "{table}" ORDER BY rowid'):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode(CSV_ENCODING)


ZIP_LEVEL = 6  # 9 is twice as slow for 0.5 % less


def package_zip(members: dict[str, bytes], when: tuple[int, int, int], reuse: bytes | None = None,
                same: set[str] = frozenset()) -> bytes:
    """A zip whose bytes depend only on `members` and the date: fixed order, times and modes.

    `reuse`: a zip this code made before, whose members named in `same` held the same bytes as
    now: their compressed data is copied from it rather than compressed again (compressing the
    tables is most of the zip's cost: 1.5 s at 10,000 businesses). The same bytes compressed by
    the same code are the same deflate stream, so the zip is the one compressing everything gives."""
    previous = zipfile.ZipFile(io.BytesIO(reuse)) if reuse is not None else None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(*when, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system builds it
            raw = _compressed(previous, reuse, name, data) if name in same else None
            if raw is None:
                zf.writestr(info, data, compresslevel=ZIP_LEVEL)
            else:
                _write_compressed(zf, info, data, raw)
    return buffer.getvalue()


def _compressed(previous: zipfile.ZipFile | None, reuse: bytes, name: str, data: bytes) -> bytes | None:
    """The deflate stream of member `name` in the previous zip, when it holds `data` (size and CRC)."""
    try:
        info = previous.getinfo(name)
    except (KeyError, AttributeError):
        return None
    if (info.compress_type != zipfile.ZIP_DEFLATED or info.file_size != len(data) or info.flag_bits
            or info.CRC != zlib.crc32(data)):
        return None
    header = reuse[info.header_offset:info.header_offset + 30]
    if header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    return reuse[start:start + info.compress_size]


def _write_compressed(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, raw: bytes) -> None:
    """What `zf.writestr(info, data)` writes into a seekable zip, with `raw` as the deflate stream
    of `data` (zipfile._open_to_write and _ZipWriteFile.close, without compressing)."""
    info._compresslevel = ZIP_LEVEL
    info.file_size, info.compress_size, info.CRC, info.flag_bits = len(data), len(raw), zlib.crc32(data), 0
    zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT
    zf.fp.seek(zf.start_dir)
    info.header_offset = zf.fp.tell()
    zf._writecheck(info)
    zf._didModify = True
    zf.fp.write(info.FileHeader(zip64))
    zf.fp.write(raw)
    zf.start_dir = zf.fp.tell()
    zf.filelist.append(info)
    zf.NameToInfo[info.filename] = info


def publish_package(package: Package, db_path: str | Path, site_dir: str | Path, files: Files | None = None) -> None:
    """Write site/data/: each table as CSV and XLSX, datapackage.json, the README, licence and
    Datasette metadata, zuofang-data.zip and registry.db."""
    from ..datasette.metadata import render as render_metadata

    db_path, out = Path(db_path), Path(site_dir) / DATA_DIR
    descriptor = published_descriptor(package)
    files = files or Files()
    records = files.records_for(Path(site_dir).parent)
    previous = records.previous_json(SECTION)
    previous = previous if isinstance(previous, dict) else {}
    record: dict[str, dict] = {}
    tables: dict[str, bytes] = {}
    workbooks: dict[str, bytes] = {}
    release = package.release_date
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        sources = _source_digests(conn)
        for resource in descriptor["resources"]:
            name, fields = resource["name"], resource["schema"]["fields"]
            source = sources.get(name)
            inputs = _inputs(source, resource) if source else None
            kept = _kept(files, out / resource["path"], previous.get(resource["path"]), inputs)
            tables[resource["path"]] = kept if kept is not None else export_csv(conn, name, [f["name"] for f in fields])
            notes = [[f["name"], f.get("title", ""), f["type"], f.get("description", ""), coded_values(name, f)]
                     for f in fields]
            workbook = f"{name}.xlsx"
            xlsx_inputs = _inputs(source, {"xlsx": resource, "notes": notes, "date": release.isoformat()}) if source else None
            kept = _kept(files, out / workbook, previous.get(workbook), xlsx_inputs)
            workbooks[workbook] = kept if kept is not None else export_xlsx(conn, name, fields, notes, release)
            rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            record[resource["path"]] = {"inputs": inputs, "rows": rows, "table": name}
            record[workbook] = {"inputs": xlsx_inputs, "rows": rows, "table": name}
    finally:
        conn.close()
    for resource in descriptor["resources"]:
        data = tables[resource["path"]]
        resource.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())
    listed = [{"name": r["name"], "title": r.get("title", r["name"]), "rows": record[r["path"]]["rows"]}
              for r in descriptor["resources"]]
    members = {
        README_NAME: readme(package, listed).encode("utf-8"),
        LICENSE_NAME: licence_text(package).encode("utf-8"),
        DESCRIPTOR_NAME: (json.dumps(descriptor, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(),
        METADATA_NAME: render_metadata(package).encode("utf-8"),
        **tables,
    }
    for name, data in {**members, **workbooks}.items():
        files.write_if_changed(out / name, data)
        record.setdefault(name, {}).update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
    zip_inputs = _inputs("zip", {"members": {n: record[n]["sha256"] for n in members}, "date": release.isoformat()})
    if _kept(files, out / ZIP_NAME, previous.get(ZIP_NAME), zip_inputs) is None:
        reuse, same = _previous_zip(files, out / ZIP_NAME, previous, members, record, release.isoformat())
        files.write_if_changed(out / ZIP_NAME, package_zip(members, (release.year, release.month, release.day),
                                                           reuse, same))
    record[ZIP_NAME] = {"inputs": zip_inputs, "sha256": files.sha256_of(out / ZIP_NAME),
                        "bytes": files.current(out / ZIP_NAME).stat().st_size}
    link_database(files, db_path, out / DB_NAME)
    record[DB_NAME] = {"sha256": files.sha256_of(db_path), "bytes": db_path.stat().st_size}
    records.put_json(SECTION, record)


def export_xlsx(*args) -> bytes:
    """xlsx.export_xlsx, whose openpyxl is imported only when a workbook is made again (in the
    forked process that writes the downloads, not in every build's main process)."""
    from .xlsx import export_xlsx

    return export_xlsx(*args)


def _code_digest() -> str:
    """What shapes a table's CSV: this module, the database's code (fingerprint.of)."""
    return fingerprint.of_stage("downloads")


def _source_digests(conn: sqlite3.Connection) -> dict[str, str]:
    """table -> sha256 of the registry file it was loaded from (none for an older database)."""
    try:
        return dict(conn.execute("SELECT table_name, sha256 FROM _build_files"))
    except sqlite3.Error:
        return {}


def _inputs(source: str, what: dict) -> str:
    """A digest of everything a file's bytes depend on: this code, the source file, the rest."""
    text = json.dumps([_code_digest(), source, what], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _kept(files: Files, path: Path, before: dict | None, inputs: str | None) -> bytes | None:
    """The previous build's bytes of `path` when they were made from the same inputs, else None.

    The bytes are checked against the recorded sha256, so a file changed by hand is remade."""
    if inputs is None or not before or before.get("inputs") != inputs:
        return None
    try:
        data = files.current(path).read_bytes()
    except FileNotFoundError:
        return None
    if hashlib.sha256(data).hexdigest() != before.get("sha256"):
        return None
    files.record(path)
    return data


def _previous_zip(files: Files, path: Path, previous: dict, members: dict[str, bytes], record: dict,
                  release: str) -> tuple[bytes | None, set[str]]:
    """The previous build's zip and the members it holds unchanged, when this code made it from
    the members the previous record lists, on the same release date (its inputs say so)."""
    before = previous.get(ZIP_NAME) or {}
    try:
        made_from = {n: previous[n]["sha256"] for n in members}
    except (KeyError, TypeError):
        return None, set()
    if before.get("inputs") != _inputs("zip", {"members": made_from, "date": release}):
        return None, set()
    try:
        data = files.current(path).read_bytes()
    except FileNotFoundError:
        return None, set()
    if hashlib.sha256(data).hexdigest() != before.get("sha256"):
        return None, set()
    return data, {n for n in members if made_from[n] == record[n]["sha256"]}


def link_database(files: Files, db_path: Path, target: Path) -> None:
    """Publish registry.db as a hard link to the stage's database: no copy of a large file.

    An old entry in the folder is unlinked first, never written through."""
    files.record(target)
    try:
        if os.path.samefile(db_path, files.current(target)):
            return
        target.unlink()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(db_path, target)
    except OSError:  # another file system: fall back to a copy
        files.write_if_changed(target, db_path.read_bytes())
