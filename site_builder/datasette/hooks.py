"""Datasette plugin for registry.db: Chinese ?_search=, links to the public site, demo notice.

Registered through the `datasette` entry point (pyproject.toml, site_builder/datasette/plugin/),
so every Datasette where zuofang is installed has it; it acts only on databases built by Zuofang
(registry_info.py), whatever their file is called.
"""
from __future__ import annotations

import re

from datasette import hookimpl
from markupsafe import Markup, escape

from site_builder import urls
from site_builder.build import outputs
from site_builder.database.fts import escape_query
from site_builder.datasette.labels import coded, column_title
from site_builder.datasette.messages import zh_error
from site_builder.datasette.registry_info import info, registries, says_registry

#: Tables (and views) whose rows have a page on the public site: key column, the column
#: that carries the link (the row's label), and how to address the page (build/outputs.py).
SITE_PAGES = {
    **{f.table: (f.key, f.label, f.address) for f in outputs.PAGE_FAMILIES},
    **{view: (key, label, f.address) for f in outputs.PAGE_FAMILIES for view, key, label in f.views},
}


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    # Datasette turns ?_search=麻花 into `match escape_fts(:search)`. Its built-in escape_fts
    # quotes the word as one token; registry.db indexes one token per character, so the word
    # must become a phrase of its characters. trylast: pluggy calls this after Datasette's own
    # prepare_connection (sql_functions.py), so this definition is the one the connection keeps.
    if says_registry(conn):
        conn.create_function("escape_fts", 1, escape_query, deterministic=True)


#: The plugin setting (metadata "plugins": {"zuofang": …}) `zuofang serve` gives: the site is on
#: the same host, so links to it are relative. Elsewhere they go to the site's address.
SAME_HOST = {"site_links": "relative"}


def site_base(datasette, database: str | None) -> str:
    """What the public site's paths are prefixed with in this Datasette ('' on the same host)."""
    if (datasette.plugin_config("zuofang") or {}).get("site_links") == "relative":
        return ""
    registry = info(datasette, database)
    return registry.about.get("site_url", "") if registry is not None else ""


def site_page(table: str, value, base: str = "") -> str | None:
    """The public site's page for a row of `table` with primary key `value`, if it has one."""
    if table not in SITE_PAGES or value in (None, ""):
        return None
    return base + SITE_PAGES[table][2](str(value))


def database_title(datasette, name: str) -> str:
    """A database's title in the metadata (a registry's: 食品“三小”登记数据库), else its name."""
    return datasette.metadata("title", database=name, fallback=False) or name


@hookimpl
def extra_template_vars(datasette, database):
    # Every page (the index and error pages too) shows the demonstration notice, so the
    # flag is read from a registry whatever database the page is about.
    async def variables():
        found = registries(datasette)
        name = database if database in found else next(iter(found), None)
        registry = found.get(name)
        is_demo = bool(registry and registry.about.get("demo"))
        base = site_base(datasette, name)
        return {"zuofang_demo": is_demo, "zuofang_release_date": registry.about.get("release_date") if registry else None,
                "zuofang_site_page": lambda table, value: site_page(table, value, base),
                "zuofang_site_home": base + "/",
                "zuofang_site_icon": urls.static("icon.svg"),
                "zuofang_db_title": database_title(datasette, database) if database else None,
                "zuofang_database_title": lambda name: database_title(datasette, name),
                "zuofang_table_title": lambda table: datasette.metadata("title", database=database, table=table,
                                                                        fallback=False) or table,
                "zuofang_coded": lambda table, column, value: coded(datasette, database, table, column, value),
                "zuofang_column_title": lambda table, column: column_title(datasette, database, table, column)}

    return variables


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    # The label cell (name or title) carries the link to the public page, on table and row
    # pages alike; Datasette itself links the key to the row page. A coded value shows its word.
    if table not in SITE_PAGES or column != SITE_PAGES[table][1] or info(datasette, database) is None:
        return coded(datasette, database, table, column, value)
    try:
        page = site_page(table, row[SITE_PAGES[table][0]], site_base(datasette, database))
    except (IndexError, KeyError):
        return None
    if page is None or value is None:
        return None
    return Markup(f'{escape(value)} <a class="site-page" href="{escape(page)}" '
                  f'title="公众网站上的页面 Page on the public site">网站页面&nbsp;↗</a>')


#: Datasette's filter names (the operator menu) in Chinese.
LOOKUPS = {"contains": "包含", "ends with": "结尾为", "starts with": "开头为", "in": "在列表中",
           "not in": "不在列表中", "array contains": "数组包含", "array does not contain": "数组不包含",
           "date": "日期为", "is null": "为空值", "is not null": "非空值", "is blank": "为空",
           "is not blank": "不为空", "hide": "隐藏 SQL", "show": "显示 SQL"}

#: Phrases of Datasette's English description of a filtered table ("where … sorted by …").
PHRASES = [(re.compile(p), r) for p, r in (
    (r'search matches "(.*?)"', r"检索“\1”"), (r'search column "(.*?)" matches "(.*?)"', r"\1 中检索“\2”"),
    (r"sorted by (\S+) descending$", r"按 \1 降序排列"), (r"sorted by (\S+)$", r"按 \1 排序"),
    (r"^where ", "筛选："), (r" and ", "，且 "), (r" contains ", " 包含 "), (r" does not contain ", " 不包含 "),
    (r" ends with ", " 结尾为 "), (r" starts with ", " 开头为 "), (r" is not null", " 非空值"),
    (r" is null", " 为空值"), (r" is not blank", " 不为空"), (r" is blank", " 为空"), (r" is on date ", " 日期为 "),
)]


def zh(text) -> str:
    """Datasette's English filter labels and table descriptions, in Chinese (others unchanged)."""
    if text is None:
        return ""
    text = str(text)
    if text in LOOKUPS:
        return LOOKUPS[text]
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    return text


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["zh"] = zh
    env.filters["zh_error"] = zh_error
