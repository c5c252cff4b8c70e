"""Builds registry.db, the single source every published view reads, with sqlite-utils.

Only public data goes in: private fields are dropped or masked while rows are parsed,
before anything is written. The database is written to a temporary file beside the
target and renamed over it, so that nobody ever opens a half-written database and the
published hard link (site/data/registry.db) is never written through.
Same data gives the same bytes: rows go in file order, nothing records the wall clock.

A rebuild after some registry files changed updates a copy of the previous database instead
(when the same code and descriptor made it): the changed tables are emptied and loaded again in
file order, the search indexes from the first changed one on are made again, and the result is
written out by the same VACUUM INTO as a fresh build, so the bytes are a fresh build's.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..build import fingerprint
from ..build.files import Files
from ..build.state import StateRecord
from ..errors import ZuofangError
from ..registry import readers
from ..registry.package import TABLE_ORDER, Package, mask_name
from . import publicity

if TYPE_CHECKING:
    import sqlite_utils  # imported by _build only: a rebuild that keeps registry.db needs none of it

#: Schema type -> SQLite column type. Dates stay ISO text: they sort and compare as text.
COLUMN_TYPES = {"string": str, "integer": int, "number": float, "boolean": int,
                "date": str, "datetime": str, "array": str, "object": str}


#: Date columns the views and canned queries filter by year.
DATE_INDEXES = {"samplings": "sampled_on", "recalls": "issued_on", "penalties": "decided_on",
                "inspections": "date"}

METADATA_NAME = "datasette_metadata.json"
#: The state record's section (state.py) saying what registry.db was built from. A rebuild whose
#: registry files, descriptor and code are all the same keeps the previous build's database (30 s
#: at 50,000 businesses) instead of making the same bytes again; with the same descriptor and
#: code it updates a copy of it.
SECTION = "database"
#: The page cache while registry.db is made (KiB): the whole database at 10,000 businesses.
CACHE_KIB = 256 * 1024
#: The schema cookie every build leaves in the header (VACUUM INTO adds one): it counts schema
#: changes, which differ between a fresh build and an update of the same data.
SCHEMA_VERSION = 1


class DatabaseBuildError(ZuofangError):
    """A table could not be loaded into registry.db."""


def build_database(package: Package, db_path: Path, files: Files | None = None) -> str:
    """Write the public registry to `db_path` (atomically, never in place), unless the
    database there was built from exactly the same inputs. Returns how: "kept", "updated"
    (from the previous database) or "built". `files`: the build's (outside a build, the state
    record of db_path's folder is read and written in place)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    files = files or Files()
    records = files.records_for(db_path.parent)
    code, inputs = code_digest(package), _inputs(package)
    previous, before = files.current(db_path), _read_record(records.get_json(SECTION))
    intact = before is not None and previous.is_file() and files.sha256_of(previous) == before.get("sha256")
    if intact and before.get("inputs") == inputs:
        how = "kept"
        files.record(db_path)
        records.carry(SECTION)
    else:
        how = "updated" if intact and before.get("code") == code else "built"
        _build(package, db_path, previous if how == "updated" else None)
        files.record(db_path)
        records.put_json(SECTION, {"code": code, "inputs": inputs, "sha256": files.sha256_of(db_path)})
    # Datasette's metadata for exactly this package, beside the database `zuofang serve` opens.
    from ..datasette.metadata import render

    files.write_if_changed(db_path.with_name(METADATA_NAME), render(package))
    return how


def built_from_same_inputs(package: Package, records: StateRecord) -> bool:
    """True when the previous build (`records`) was made from exactly these registry files,
    descriptor and code.

    Only a valid registry is ever built, so `zuofang build` need not validate it again (65 s at
    50,000 businesses): the digest covers the validator's code and Frictionless's version too."""
    from ..validate.descriptor import descriptor_problems

    record = _read_record(records.get_json(SECTION))
    if record is None or descriptor_problems(package):
        return False
    try:
        return record.get("inputs") == _inputs(package)
    except readers.UnsafePath:
        return False  # the validation says what is wrong with the path


def code_digest(package: Package) -> str:
    """A digest of what decides how rows become registry.db besides the rows: the descriptor and
    the code (fingerprint.of: these modules, what they import, the libraries' versions)."""
    h = hashlib.sha256(fingerprint.of_stage("database").encode())
    h.update(json.dumps(package.descriptor, ensure_ascii=False, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _inputs(package: Package) -> str:
    """A digest of everything registry.db's bytes depend on (and whether the registry is valid):
    the code (`code_digest`) and the registry's files."""
    h = hashlib.sha256(code_digest(package).encode())
    for table in TABLE_ORDER:
        source = package.table_file(table)
        h.update(f"{table}\0{source.name if source else ''}\0".encode())
        if source is not None:
            h.update(bytes.fromhex(package.sha256(source)))
    return h.hexdigest()


def _read_record(record) -> dict | None:
    return record if isinstance(record, dict) else None


def _sqlite_utils():
    """sqlite_utils, imported without pandas when nothing imported pandas before: sqlite-utils
    imports pandas, if it is installed, only to store a pandas Timestamp as TEXT (no value put
    into registry.db is one), and that import was 0.7 s of every rebuild that updates the
    database. A None in sys.modules makes an import fail, as Python documents; it is removed
    right after, so that anything else may import pandas."""
    import sys

    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["pandas"] = None
    try:
        import sqlite_utils
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]
    return sqlite_utils


def _build(package: Package, db_path: Path, previous: Path | None) -> None:
    """Make the database in a scratch file beside `db_path` — from nothing, or from a copy of
    the `previous` one — and write it out compacted with VACUUM INTO, then rename."""
    tmp = db_path.with_name(f".{db_path.name}.tmp{os.getpid()}")
    out = db_path.with_name(f".{db_path.name}.out{os.getpid()}")
    for path in (tmp, out):
        path.unlink(missing_ok=True)
    sqlite_utils = _sqlite_utils()

    try:
        if previous is not None:
            shutil.copyfile(previous, tmp)
        db = sqlite_utils.Database(tmp)
        # A throwaway file: no journal or fsync needed; a fixed page size keeps the bytes the
        # same whatever SQLite's default is.
        db.execute("PRAGMA page_size = 4096")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        # The views' joins read the big tables many times: with SQLite's 2 MB page cache the
        # facet counts at 50,000 businesses waited on page reads (freed when the build ends).
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if previous is None:
            sources = [load_table(db, package, table) for table in TABLE_ORDER]
            write_build_table(db, package, sources)
            _finish(db, package)
        else:
            _update(db, package)
        _check_datasette_metadata(db, package)
        db.conn.commit()
        db.execute(f"PRAGMA schema_version = {SCHEMA_VERSION}")
        db.execute("VACUUM INTO ?", [str(out)])
        db.close()
        os.replace(out, db_path)
    finally:
        for path in (tmp, out):
            path.unlink(missing_ok=True)


def _update(db: sqlite_utils.Database, package: Package) -> None:
    """Load again the tables whose registry file changed; the rest stay as the previous build
    left them. Rows end with the rowids a fresh build gives them (their place in the file);
    indexes follow their tables."""
    from .fts import SEARCHABLE, build_search_index, fts_table

    before = {row[0]: row for row in db.execute("SELECT table_name, file, sha256, rows FROM _build_files")}
    sources, searched, reloaded = [], [], set()
    for table in TABLE_ORDER:
        path = _locate(package, table)
        name, digest = (path.name, package.sha256(path)) if path else ("", "")
        old = before.get(table)
        if old is not None and old[1] == name and old[2] == digest:
            sources.append({"table_name": table, "file": name, "sha256": digest, "rows": old[3]})
            continue
        source, changed_columns = _reload(db, package, table)
        sources.append(source)
        if changed_columns != set():
            reloaded.add(table)
        if table in SEARCHABLE and (changed_columns is None or changed_columns & set(SEARCHABLE[table][1])):
            searched.append(table)
    db.execute("DELETE FROM _build")
    db.execute("DELETE FROM _build_files")
    write_build_table(db, package, sources)
    # The describing tables depend only on the code and descriptor (the same, or this would be a
    # fresh build); the derived tables and facet counts on the rows of the tables they read.
    from .about import write_facet_counts
    from .derived import fill_derived_tables

    write_facet_counts(db, reloaded | fill_derived_tables(db, reloaded))
    # Search tables and statistics come last in the schema; dropped and made again in the
    # same order, they end where a fresh build puts them (VACUUM copies in schema order).
    searchable = list(SEARCHABLE)
    first = min((searchable.index(t) for t in searched), default=len(searchable))
    for table in searchable[first:]:
        db.execute(f"DROP TABLE [{fts_table(table)}]")
    build_search_index(db, searchable[first:])
    db.execute("DROP TABLE IF EXISTS sqlite_stat1")
    analyze(db)


def _reload(db: sqlite_utils.Database, package: Package, table: str) -> tuple[dict, set[str] | None]:
    """Make `table` hold its registry file's rows; returns what `_build` records and the columns
    that changed (None: the table was emptied and loaded again).

    When every row is still at its place (same key at the same position, rows only added at the
    end), the changed rows are updated where they are and the new ones appended: at 50,000
    businesses loading products again cost 1.5 s of index upkeep for one renamed product."""
    source, names, new = _file_rows(package, table)
    cols = ", ".join(f"[{n}]" for n in names)
    old = db.execute(f"SELECT rowid, {cols} FROM [{table}] ORDER BY rowid").fetchall()
    key = [names.index(k) for k in package.primary_key(table)]
    in_place = key and len(new) >= len(old) and all(
        o[0] == i and [o[k + 1] for k in key] == [n[k] for k in key] for i, (o, n) in enumerate(zip(old, new), 1))
    insert = _insert(table, names)
    with db.conn:
        if not in_place:
            db.conn.execute(f"DELETE FROM [{table}]")
            db.conn.executemany(insert, new)
            return source, None
        changed = [(o, n) for o, n in zip(old, new) if o[1:] != n]
        db.conn.executemany(f"UPDATE [{table}] SET ({cols}) = ({', '.join('?' * len(names))}) WHERE rowid = ?",
                            [(*n, o[0]) for o, n in changed])
        db.conn.executemany(insert, new[len(old):])
    columns = {names[i] for o, n in changed for i in range(len(names)) if o[i + 1] != n[i]}
    return source, columns | (set(names) if len(new) > len(old) else set())


def _check_datasette_metadata(db: sqlite_utils.Database, package: Package) -> None:
    """Datasette's facets, labels and canned queries must fit this database (soundness check)."""
    from ..datasette.metadata import generate, problems

    found = problems(db.conn, generate(package))
    if found:
        raise DatabaseBuildError("Datasette 元数据与数据库不符：" + "；".join(found)
                                 + "。请修改 site_builder/datasette/metadata.py 中的设置或查询。")


def _finish(db: sqlite_utils.Database, package: Package) -> None:
    """Views, the tables describing the database, and search indexes, made after every table is loaded."""
    from .about import write_about_tables, write_facet_counts
    from .derived import create_derived_tables, fill_derived_tables
    from .fts import build_search_index
    from .views import create_views

    create_views(db)  # before the derived tables, whose queries read views (a view may name a table yet to come)
    create_derived_tables(db)
    fill_derived_tables(db)
    write_about_tables(db, package)
    # The facet counts read the views, whose plans need the tables' statistics: without them
    # SQLite walked programme_progress's joins row by row (209 of the database's 229 s at 50,000
    # businesses, 1.6 s with them). Those statistics are dropped again, so that the final ones
    # come after the search tables in the schema, where an update puts them.
    db.execute("ANALYZE")
    write_facet_counts(db)
    db.execute("DROP TABLE sqlite_stat1")
    build_search_index(db)
    analyze(db)


def analyze(db: sqlite_utils.Database) -> None:
    """Statistics for the query planner, stored in one order: ANALYZE visits tables in the order
    of SQLite's in-memory schema, which differs between a fresh build and an update."""
    db.execute("ANALYZE")
    rows = db.execute("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx").fetchall()
    db.execute("DELETE FROM sqlite_stat1")
    db.conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", rows)


def load_table(db: sqlite_utils.Database, package: Package, table: str) -> dict:
    """Create `table` from its schema and insert its rows; returns what the `_build` table records."""
    fields = package.public_fields(table)
    db[table].create(
        {f["name"]: COLUMN_TYPES.get(f["type"], str) for f in fields},
        pk=_pk(package.primary_key(table)),
        foreign_keys=[(fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"],
                       fk["reference"]["resource"] or table,
                       _first(fk["reference"]["fields"]))
                      for fk in package.foreign_keys(table)],
    )
    source, names, values = _file_rows(package, table)
    # sqlite-utils creates the table, keys and indexes; the rows go in with one executemany,
    # because insert_all's per-row work (key escaping, JSON checks) was 75% of the build time
    # at 10k operators, and the rows are already typed and validated.
    with db.conn:
        db.conn.executemany(_insert(table, names), values)
    _index(db, package, table, fields)
    return source


def _file_rows(package: Package, table: str) -> tuple[dict, list[str], list[tuple]]:
    """What `_build` records of `table`'s registry file, its public columns, and its rows as
    typed values in file order."""
    path = _locate(package, table)
    names = [f["name"] for f in package.public_fields(table)]
    if path is None:  # an optional table the registry does not have: no rows
        return {"table_name": table, "file": "", "sha256": "", "rows": 0}, names, []
    header, rows = readers.read_rows(readers.detect(path))
    if table in publicity.FILTERED:
        # Rows past their publicity term (publicity.py) are left out here, so no published view has them.
        records = publicity.published(table, parse_rows(package, table, header, rows), package.release_date)
        values = [tuple(record[n] for n in names) for record in records]
    else:
        values = list(typed_rows(package, table, header, rows))
    return {"table_name": table, "file": path.name, "sha256": package.sha256(path), "rows": len(rows)}, names, values


def _insert(table: str, names: list[str]) -> str:
    return f"INSERT INTO [{table}] ({', '.join(f'[{n}]' for n in names)}) VALUES ({', '.join('?' * len(names))})"


def _locate(package: Package, table: str) -> Path | None:
    """The table's file; None for an optional table the registry does not have."""
    path = package.table_file(table)
    if path is None and not package.is_optional(table):
        raise DatabaseBuildError(f"{package.directory}：找不到数据表 {table} 的文件（{table}.csv 或 {table}.xlsx）。")
    return path


def parse_rows(package: Package, table: str, header: list[str], rows: list[list[str]]) -> Iterator[dict]:
    """Cells (strings) -> typed public values by column name (typed_rows)."""
    names = [f["name"] for f in package.public_fields(table)]
    for values in typed_rows(package, table, header, rows):
        yield dict(zip(names, values))


def typed_rows(package: Package, table: str, header: list[str], rows: list[list[str]]) -> Iterator[tuple]:
    """Cells (strings) -> typed public values, a tuple per row in the order of the public
    fields. Pure: the privacy rule lives here, before any write (private fields are not public
    fields; masked ones go through mask_name). A cell is stripped; an empty one is NULL.

    The conversion of a row is one generated expression (as collections.namedtuple does): cell
    by cell in Python loops it was a third of loading inspection_items at 50,000 businesses."""
    private = package.private_fields(table)
    position = {name: i for i, name in enumerate(header)}
    width = len(header)
    helpers: dict[str, object] = {"mask_name": mask_name}
    cells = []
    for n, f in enumerate(package.public_fields(table)):
        i = position.get(f["name"])
        if i is None:
            cells.append("None")
            continue
        cast = _caster(f)
        if cast is str:
            value = f"(row[{i}].strip() or None)"
        else:
            helpers[f"cast{n}"] = cast
            value = f"(cast{n}(v) if (v := row[{i}].strip()) else None)"
        cells.append(f"mask_name({value})" if private.get(f["name"]) == "mask" else value)
    exec(f"def convert(row):\n    return ({', '.join(cells)},)", helpers)  # noqa: S102 (our own field list)
    convert, pad = helpers["convert"], [""] * width
    for row in rows:
        yield convert(row if len(row) >= width else row + pad[len(row):])


def _caster(field: dict):
    kind = field["type"]
    if kind == "integer":
        return int
    if kind == "number":
        return float
    if kind == "boolean":
        return lambda v: int(v.lower() in ("true", "1", "yes", "是"))
    if kind in ("date", "datetime"):
        return lambda v: v[:10] if kind == "date" else v
    if kind in ("array", "object"):
        # Re-serialised so the stored JSON has one spelling whatever the export's spacing.
        return lambda v: json.dumps(json.loads(v), ensure_ascii=False, separators=(",", ":"))
    return str


def _index(db: sqlite_utils.Database, package: Package, table: str, fields: list[dict]) -> None:
    pk = package.primary_key(table)
    names = [f["name"] for f in fields]
    from ..datasette.metadata import TABLE_SETTINGS

    wanted = [_first(fk["fields"]) for fk in package.foreign_keys(table)]
    # The columns journalists filter by (Datasette's facets) get an index, as every foreign key does.
    wanted += [c for c in TABLE_SETTINGS.get(table, {}).get("facets", []) if c in names]
    if table in DATE_INDEXES:
        wanted.append(DATE_INDEXES[table])
    seen = set()
    for column in wanted:
        # The first column of a primary key is already indexed by the key itself.
        if column in seen or (pk and column == pk[0]):
            continue
        seen.add(column)
        db[table].create_index([column])


def write_build_table(db: sqlite_utils.Database, package: Package, sources: list[dict]) -> None:
    """`_build`: what this database was built from. Views read the release date here, never the clock."""
    release = package.release_date
    db["_build"].insert({
        "release_date": release.isoformat(),
        "release_year": release.year,
        "package_name": package.descriptor.get("name"),
        "package_title": package.descriptor.get("title"),
        "package_version": package.descriptor.get("version"),
        "demo": int(package.is_demo),
        "site_url": package.site_url,
        "zuofang_version": _zuofang_version(),
        "sources": json.dumps(sources, ensure_ascii=False),
    })
    db["_build_files"].insert_all(sources, pk="table_name")


def _zuofang_version() -> str:
    try:
        return version("zuofang")
    except PackageNotFoundError:
        return "unknown"


def _pk(pk: list[str]):
    return pk[0] if len(pk) == 1 else tuple(pk) if pk else None


def _first(value):
    return value[0] if isinstance(value, list) else value
