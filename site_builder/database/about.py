"""The tables in registry.db that describe it, for whoever opens the file with nothing but SQLite.

A journalist who downloads registry.db has no descriptor, no handbook and maybe no Datasette:
`_about` says what the data is, its licence and source, and how to search it; `_columns` gives
every column's Chinese title and meaning; `_labels` the Chinese and English words of every coded
value (join on it for readable tables); `_queries` the canned questions as SQL to copy;
`_facet_counts` the value counts of every column Datasette facets by, counted once here because
the database never changes after the build (site_builder/datasette/facets.py reads them).

Datasette's plugin reads the same tables (site_builder/datasette/registry_info.py), so a plain
`datasette registry.db` shows the titles, licence and queries too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import urls, vocabulary
from ..registry.package import TABLE_ORDER, Package
from .fts import INDEX_KEY, INDEX_KIND, SEARCHABLE, STOCK_MATCH_SQL
from ..vocabulary import CODED, GRADES, KINDS, METRICS, OPERATOR_STATUS

if TYPE_CHECKING:
    import sqlite_utils  # only its type: a build that keeps registry.db imports none of it

ABOUT, COLUMNS, LABELS, QUERIES, FACET_COUNTS = "_about", "_columns", "_labels", "_queries", "_facet_counts"
#: `_about`'s key holding Datasette's metadata for this database (datasette/metadata.py render).
METADATA_KEY = "datasette_metadata"

#: A view's columns take the title of the same column in this table, unless VIEW_TITLES names them.
VIEW_SOURCES = {"current_grades": "grades", "ongoing_recalls": "recalls", "region_figures": "targets"}
_COUNT = "数量"
VIEW_TITLES = {
    "ongoing_recalls": {"operator_name": "主体名称", "product_name": "产品名称"},
    "region_figures": {
        "region_name": "县（市、区）", "year": "年度", "is_release_year": "是否数据发布年度（1 是）",
        "operators": "主体" + _COUNT, "workshops": KINDS["workshop"].zh + _COUNT,
        "eateries": KINDS["eatery"].zh + _COUNT, "stalls": KINDS["stall"].zh + _COUNT,
        **{status: f"{OPERATOR_STATUS[status].zh}主体{_COUNT}" for status in OPERATOR_STATUS},
        "graded": "已量化分级的有效主体" + _COUNT,
        **{f"grade_{g.lower()}": f"{g} 级（{GRADES[g].zh}）{_COUNT}" for g in GRADES},
        "samplings": "抽检批次", "failed_samplings": "不合格批次", "sampled_operators": "被抽检主体" + _COUNT,
        "failure_rate": "抽检不合格率（%）", "recalls": "召回" + _COUNT,
        **{metric: f"{term.zh}（{term.note}）" for metric, term in METRICS.items()},
        **{f"target_{metric}": f"目标：{term.zh}（{term.note}）" for metric, term in METRICS.items()},
    },
}


def search_help(table: str = "products", query: str = "麻花", columns: str = "*") -> str:
    """How to search `table` for `query` with stock SQLite, as `_about` and the README say it."""
    return STOCK_MATCH_SQL.format(table=table, spaced=" ".join(query), columns=columns)


def about_rows(package: Package, metadata: str) -> list[dict]:
    licence = (package.links("licenses") or [{"title": "", "url": None}])[0]
    source = (package.links("sources") or [{"title": "", "url": None}])[0]
    rows = {
        "title": vocabulary.DATABASE_TITLE.both,
        "package_title": package.descriptor.get("title", ""),
        "description": package.descriptor.get("description", ""),
        "demo": vocabulary.DEMO_NOTICE.both if package.is_demo else "",
        "release_date": package.release_date.isoformat(),
        "license": licence["title"], "license_url": licence["url"] or "",
        "source": source["title"], "source_url": source["url"] or "",
        "site_url": package.site_url, "data_page": urls.absolute(package.site_url, urls.data()),
        "tables": "、".join(TABLE_ORDER),
        "search": ("检索（中文子串）：检索表 " + "、".join(f"{t}_fts" for t in SEARCHABLE)
                   + "，把要找的字用空格隔开、整体加双引号，如 " + search_help()
                   + "。Search: spell the words' characters apart, in double quotes."),
        INDEX_KEY: INDEX_KIND,
        METADATA_KEY: metadata,
    }
    return [{"key": key, "value": value} for key, value in rows.items()]


def column_rows(package: Package) -> tuple[list[dict], dict[tuple[str, str], str]]:
    """Every published column: its table, Chinese title, type, meaning and coded values."""
    rows, titles = [], {}
    for table in TABLE_ORDER:
        for field in package.public_fields(table):
            title = field.get("title", field["name"])
            titles[(table, field["name"])] = title
            rows.append({"table_name": table, "column_name": field["name"], "title": title,
                         "type": field["type"], "description": field.get("description", ""),
                         "values": coded_values(table, field)})
    return rows, titles


def view_column_rows(db: sqlite_utils.Database, titles: dict) -> list[dict]:
    rows = []
    for view, source in VIEW_SOURCES.items():
        for column in db[view].columns_dict:
            title = VIEW_TITLES.get(view, {}).get(column) or titles.get((source, column)) \
                or next((t for (_table, c), t in titles.items() if c == column), column)
            rows.append({"table_name": view, "column_name": column, "title": title, "type": "",
                         "description": "", "values": coded_values(source, {"name": column})})
    return rows


def coded_values(table: str, field: dict) -> str:
    """`active 有效 Valid / …` for a coded column (from the vocabulary), else its enum, else ''."""
    terms = CODED.get(table, {}).get(field["name"])
    if terms:
        return " / ".join(f"{code} {term.zh} {term.en}" if code != term.zh else f"{code} {term.en}"
                          for code, term in terms.items())
    return " / ".join(map(str, field.get("constraints", {}).get("enum", [])))


def label_rows() -> list[dict]:
    return [{"table_name": table, "column_name": column, "code": code, "zh": term.zh, "en": term.en,
             "note": term.note if term.note not in ("%", "个") else ""}
            for table, columns in CODED.items() for column, terms in columns.items()
            for code, term in terms.items()]


def write_about_tables(db: sqlite_utils.Database, package: Package) -> None:
    """Create and fill every table above except `_facet_counts` (write_facet_counts)."""
    from ..datasette.metadata import QUERIES as CANNED, render

    db[ABOUT].insert_all(about_rows(package, render(package)), pk="key")
    rows, titles = column_rows(package)
    db[COLUMNS].insert_all(rows + view_column_rows(db, titles), pk=("table_name", "column_name"))
    db[LABELS].insert_all(label_rows(), pk=("table_name", "column_name", "code"))
    db[QUERIES].insert_all(({"name": name, "title": q["title"], "description": q["description"],
                             "sql": q["sql"].strip()} for name, q in CANNED.items()), pk="name")
    db.execute(f"CREATE TABLE [{FACET_COUNTS}] (table_name TEXT, column_name TEXT, value, count INTEGER, "
               "PRIMARY KEY (table_name, column_name, value)) WITHOUT ROWID")


def facet_columns() -> dict[str, list[str]]:
    """table or view -> the columns Datasette facets it by (datasette/metadata.py's settings)."""
    from ..datasette.metadata import TABLE_SETTINGS, VIEW_METADATA

    out = {table: list(settings.get("facets", [])) for table, settings in TABLE_SETTINGS.items()}
    out.update({view: list(facets) for view, (_title, _text, facets) in VIEW_METADATA.items()})
    return {table: columns for table, columns in out.items() if columns}


def write_facet_counts(db: sqlite_utils.Database, changed: set[str] | None = None) -> None:
    """Count every facet column's values as Datasette's column facet does (non-null values): of
    every table and view, or (a rebuild) of those reading a `changed` table, the rest kept.
    Each table or view is read once into a temporary table that every column is counted from:
    counted straight from the view, programme_progress was worked out once per column (52 s of
    every rebuild at 10,000 businesses, 13 s once)."""
    from .derived import tables_read

    counted = facet_columns()
    if changed is not None:
        counted = {t: c for t, c in counted.items() if tables_read(db.conn, f"SELECT * FROM [{t}]") & changed}
        db.conn.executemany(f"DELETE FROM [{FACET_COUNTS}] WHERE table_name = ?", [(t,) for t in counted])
    else:
        db.execute(f"DELETE FROM [{FACET_COUNTS}]")
    for table, columns in counted.items():
        db.execute("DROP TABLE IF EXISTS temp._facet_rows")
        db.execute(f"CREATE TEMP TABLE _facet_rows AS SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{table}]")
        for column in columns:
            db.execute(f"INSERT INTO [{FACET_COUNTS}] SELECT ?, ?, [{column}], count(*) FROM temp._facet_rows "
                       f"WHERE [{column}] IS NOT NULL GROUP BY [{column}]", [table, column])
        db.execute("DROP TABLE temp._facet_rows")

