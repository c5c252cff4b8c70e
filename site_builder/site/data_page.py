"""/data/: every download with its rows, size and sha256.

The page is rendered from what the publish step recorded of each file (the state record's
"downloads" section), right after it, in the same forked process (`start`): a journalist can
check a file against its sha256 before trusting a story to it.

The downloads need only registry.db, and their workbooks are slow (openpyxl: products.xlsx was
4.2 of the 5.4 s site stage of a 10,000-business rebuild that renamed one product, about 15 s at
50,000). So the build starts them right after the database stage and waits for them before the
soundness stage (build/pipeline.py): they are made while the site, QR and handbook stages run.
The site stage starts them itself when it runs without that stage. The page needs only the
package's chrome: the process makes its own Renderer, so it shows what the site stage would.
"""
from __future__ import annotations

from ..publish import build as publish
from .. import urls
from . import parallel
from .render import Renderer
from ..registry.package import TABLE_ORDER
from ..publish.readme import LICENSE_NAME, METADATA_NAME, README_NAME
from .lists import DATA_TABLES

#: The package-level files, in the order the page lists them.
PACKAGE_FILES = [
    (publish.ZIP_NAME, "完整数据包 Full package（ZIP：每张表的 CSV、datapackage.json、说明、许可、Datasette 元数据）"),
    (publish.DB_NAME, "SQLite 数据库 Database（含视图、中文检索索引和自述表 _about、_columns、_labels、_queries）"),
    (publish.DESCRIPTOR_NAME, "Frictionless 数据包描述 Table schemas"),
    (README_NAME, "说明 README（如何用 Excel、pandas、Datasette、sqlite3 打开）"),
    (LICENSE_NAME, "许可 Licence"),
    (METADATA_NAME, "Datasette 元数据 Datasette metadata（标题、字段说明、预设查询）"),
]


def human_size(size: int) -> str:
    """1234567 -> '1.2 MB' (decimal units, as file managers show them)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _file(name: str, record: dict) -> dict:
    entry = record.get(name) or {}
    return {"name": name, "href": urls.data_file(name), "bytes": entry.get("bytes"),
            "size": human_size(entry["bytes"]) if entry.get("bytes") is not None else "",
            "sha256": entry.get("sha256", "")}


def context(record: dict | None) -> dict:
    """The page's files: the package files, then one row per table with its CSV and workbook."""
    record = record if isinstance(record, dict) else {}
    titles = dict(DATA_TABLES)
    tables = [{"name": t, "title": titles.get(t, t), "rows": (record.get(f"{t}.csv") or {}).get("rows"),
               "csv": _file(f"{t}.csv", record), "xlsx": _file(f"{t}.xlsx", record)}
              for t in TABLE_ORDER]
    return {"address": urls.data(), "tables": DATA_TABLES, "published": bool(record),
            "package_files": [dict(_file(name, record), label=label) for name, label in PACKAGE_FILES],
            "table_files": tables}


def start(ctx) -> parallel.Background:
    """Publish the downloads of `ctx`'s registry.db and write /data/ from their record, in a
    forked process; its join() returns whether the page's bytes changed."""
    package, db_path, site_dir, files = ctx.package, ctx.db_path, ctx.site_dir, ctx.files

    def make() -> bool:
        publish.publish_package(package, db_path, site_dir, files)
        page = Renderer(package).render("data.html", **context(files.records.get_json(publish.SECTION)))
        return files.write_if_changed(site_dir / urls.output_path(urls.data()), page)

    return parallel.Background(files, make)
