"""README.md and LICENSE.txt of the /data/ downloads: what a journalist reads after unzipping.

Chinese first, English beside it. Every command in the README's fenced blocks runs as written in
the unzipped folder with registry.db beside it (tests/test_publish_readme.py runs them), so they
are spelled here once, in `COMMANDS`, with what they show.
"""
from __future__ import annotations

from .. import urls, vocabulary
from ..database.about import search_help
from ..registry.package import Package

README_NAME = "README.md"
LICENSE_NAME = "LICENSE.txt"
METADATA_NAME = "datasette_metadata.json"

SQLITE = [
    ('sqlite3 registry.db "SELECT grade, count(*) FROM current_grades GROUP BY grade"',
     "当前各量化等级的主体数 Businesses per current grade"),
    ("sqlite3 registry.db \"SELECT key, value FROM _about WHERE key IN ('license', 'source', 'release_date')\"",
     "许可、来源和发布日期 Licence, source, release date"),
    ("sqlite3 registry.db \"SELECT column_name, title FROM _columns WHERE table_name = 'products'\"",
     "产品表各字段的中文名称 The products table's column titles"),
    ("sqlite3 registry.db \"SELECT o.name, l.zh FROM operators o JOIN _labels l ON l.table_name = 'operators' "
     "AND l.column_name = 'kind' AND l.code = o.kind LIMIT 5\"",
     "代码换成中文（_labels 表）Codes in Chinese through _labels"),
]

PYTHON = '''import pandas as pd
from frictionless import Package

# 按 datapackage.json 的字段类型读取：编号、条码、区划代码都是文本，不会变成数字
products = Package("datapackage.json").get_resource("products").to_pandas()
print(products[["name", "gtin", "category"]].head())

# 不用 frictionless：所有列都按文本读
operators = pd.read_csv("operators.csv", dtype=str, keep_default_na=False)
print(operators.groupby("kind").size())

# Excel 文件（从下载页下载 products.xlsx）：编号、条码同样是文本
workbook = pd.read_excel("products.xlsx", sheet_name="products")
print(workbook[["code", "gtin"]].dropna().head(3))

# SQLite 数据库和中文检索（每个字用空格隔开，整体加双引号）
import sqlite3
conn = sqlite3.connect("registry.db")
query = "麻花"
found = pd.read_sql_query(
    "SELECT code, name FROM products WHERE rowid IN "
    "(SELECT rowid FROM products_fts WHERE products_fts MATCH ?)",
    conn, params=['"' + " ".join(query) + '"'])
print(len(found), "种产品的名称、类别或配料含有", query)
'''


def sqlite_search_command(table: str = "products", query: str = "麻花") -> str:
    sql = search_help(table, query, columns="code, name" if table == "products" else "id, name")
    return 'sqlite3 registry.db "' + sql.replace('"', '\\"') + '"'


def datasette_commands() -> list[tuple[str, str]]:
    return [
        ('datasette registry.db --get "/registry/products.json?_search=麻花&_shape=array&_size=3&_col=name"',
         "检索名称、类别或配料含“麻花”的产品 Products whose text contains 麻花"),
        ('datasette registry.db --get "/registry/recalls_by_level.json?_shape=array"',
         "预设查询：召回按级别统计 A canned query"),
    ]


def readme(package: Package, tables: list[dict]) -> str:
    """The README for `tables` (each: name, title, rows) of this package."""
    licence = (package.links("licenses") or [{"title": "", "url": None}])[0]
    source = (package.links("sources") or [{"title": "", "url": None}])[0]
    data_page = urls.absolute(package.site_url, urls.data())
    lines = [f"# {package.descriptor.get('title', vocabulary.DATABASE_TITLE.both)}", ""]
    if package.is_demo:
        lines += [f"**{vocabulary.DEMO_NOTICE_PRINT.zh} {vocabulary.DEMO_NOTICE_PRINT.en}**", ""]
    if package.descriptor.get("description"):
        lines += [package.descriptor["description"], ""]
    lines += [
        f"- 数据发布日期 Release date：{package.release_date.isoformat()}",
        f"- 许可 Licence：{_link(licence)}（见 {LICENSE_NAME}）",
        f"- 来源 Source：{_link(source)}",
        f"- 下载页 Downloads：{data_page}",
        "",
        "## 文件 Files",
        "",
        "| 文件 File | 内容 Contents | 行数 Rows |",
        "|---|---|---:|",
        "| `datapackage.json` | Frictionless 数据包描述：每张表的字段、类型、主键和外键 Table schemas | |",
        f"| `{METADATA_NAME}` | Datasette 的标题、字段说明和预设查询 Titles, column notes, canned queries | |",
        f"| `{LICENSE_NAME}` | 许可 Licence | |",
    ]
    lines += [f"| `{t['name']}.csv` | {t['title']} | {t['rows']:,} |" for t in tables]
    lines += [
        "",
        f"下载页 {data_page} 另有每张表的 Excel 文件（`<表名>.xlsx`）和 SQLite 数据库 `registry.db`："
        "把 `registry.db` 放在本文件夹中，下面的命令可以照抄运行。",
        "The download page also has each table as Excel (`.xlsx`) and the SQLite database `registry.db`; "
        "put registry.db in this folder and the commands below run as written.",
        "",
        "业主姓名只公开姓氏（张\\*），联系电话和身份证号不公开。Owner names are masked; phone and ID numbers are not published.",
        "",
        "## Excel、WPS",
        "",
        "CSV 是带 BOM 的 UTF-8 文件：在 Excel 或 WPS 中双击即可打开，中文不会乱码。但 Excel 会把条码（gtin）、"
        "区划代码等当作数字（丢掉开头的 0，或显示成 6.90123E+12）：需要这些字段时请下载同名的 `.xlsx` 文件，"
        "其中编号和条码是文本、日期是日期，第一行是字段名（已冻结），第二张工作表“字段说明”给出每个字段的中文名称和含义。",
        "Double-click a CSV to open it in Excel (UTF-8 with BOM). Excel turns barcodes and codes into numbers; "
        "the `.xlsx` files keep them as text, with dates as dates and a sheet of column notes.",
        "",
        "## pandas",
        "",
        "```python",
        PYTHON.rstrip("\n"),
        "```",
        "",
        "## SQLite（sqlite3、DB Browser for SQLite）",
        "",
        "数据库里的 `_about`、`_columns`、`_labels`、`_queries` 表说明了数据本身：许可、来源、每个字段的中文名称、"
        "每个代码的中文含义、预设查询的 SQL。The `_about`, `_columns`, `_labels` and `_queries` tables describe the data.",
        "",
        "中文检索：在 `operators_fts`（名称、地址、类别）、`products_fts`（名称、类别、配料）、`brands_fts`（名称、故事、类别）"
        "中查找时，把要找的字用空格隔开、整体加双引号，一两个字也能找到，例如 "
        f"`{search_help()}`。也可以不用索引：`WHERE instr(name, '麻花') > 0`。"
        "Search: spell the characters apart inside double quotes.",
        "",
        "```sh",
        *[f"# {note}\n{command}" for command, note in SQLITE],
        f"# 检索含“麻花”的产品 Search products for 麻花\n{sqlite_search_command()}",
        "```",
        "",
        "## Datasette",
        "",
        "先安装 Zuofang（`pip install zuofang`，它带有 Datasette 和中文检索插件），然后运行 `datasette registry.db`，"
        "用浏览器打开 http://127.0.0.1:8001/ ：可以筛选、分面统计、用 `_search=` 中文检索、写 SQL，并导出 JSON 和 CSV。"
        "不启动服务器，也可以直接取一个地址：",
        "Install Zuofang (`pip install zuofang`: Datasette and its Chinese search plugin), run `datasette registry.db` "
        "and open http://127.0.0.1:8001/ ; or fetch one address without a server:",
        "",
        "```sh",
        *[f"# {note}\n{command}" for command, note in datasette_commands()],
        "```",
        "",
        f"没有安装 Zuofang 的 Datasette（`datasette registry.db --metadata {METADATA_NAME}`）也能打开数据库，"
        "但检索要写成 `?_search=\"麻 花\"&_searchmode=raw`（字之间加空格，整体加双引号）。"
        "Plain Datasette without Zuofang: search with `?_search=\"麻 花\"&_searchmode=raw`.",
        "",
        "## Frictionless",
        "",
        "```sh",
        "frictionless validate datapackage.json",
        "```",
        "",
    ]
    return "\n".join(lines)


def licence_text(package: Package) -> str:
    licence = (package.links("licenses") or [{"title": "", "url": None}])[0]
    source = (package.links("sources") or [{"title": "", "url": None}])[0]
    name = next((e.get("name") for e in package.descriptor.get("licenses", []) if isinstance(e, dict)), "")
    lines = [f"{licence['title']}" + (f" ({name})" if name and name != licence["title"] else ""),
             licence["url"] or "", "",
             f"本数据包（{urls.absolute(package.site_url, urls.data())} 下的全部文件）按上述许可发布。"
             f"使用时请注明来源：{source['title']}" + (f"（{source['url']}）" if source["url"] else "")
             + f"，数据发布日期 {package.release_date.isoformat()}。",
             "This data package is published under the licence above. Credit the source and the release date.",
             "许可全文见上面的网址。The licence's full text is at the address above.", ""]
    if package.is_demo:
        lines += [f"{vocabulary.DEMO_NOTICE_PRINT.zh} {vocabulary.DEMO_NOTICE_PRINT.en}", ""]
    return "\n".join(lines)


def _link(entry: dict) -> str:
    return f"[{entry['title']}]({entry['url']})" if entry["url"] else entry["title"]
