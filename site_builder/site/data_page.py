"""/data/: every download with its rows, size and sha256.

The downloads are written alongside the pages (site/__init__.py), so this page is rendered once
they are done, from what the publish step recorded of each file (the state record's "downloads"
section): a journalist can check a file against its sha256 before trusting a story to it.
"""
from __future__ import annotations

from ..publish import build as publish
from .. import urls
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


def write_data_page(job, records) -> None:
    """Render /data/ into the site from the downloads just recorded."""
    job.page(urls.data(), job.renderer.env.get_template("data.html"), context(records.get_json(publish.SECTION)))
