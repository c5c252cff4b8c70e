"""Datasette plugin for registry.db: Chinese ?_search=, links to the public site, demo notice.

Loaded with `datasette --plugins-dir` by `zuofang serve` (site_builder/serve.py).
"""
from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

from site_builder import urls
from site_builder.search import escape_query

#: Tables (and views) whose rows have a page on the public site: key column, the column
#: that carries the link (the row's label), and how to address the page.
SITE_PAGES = {
    "operators": ("id", "name", urls.operator),
    "products": ("code", "name", urls.product),
    "brands": ("id", "name", urls.brand),
    "recalls": ("id", "title", urls.recall),
    "ongoing_recalls": ("id", "title", urls.recall),
}


@hookimpl(trylast=True)
def prepare_connection(conn, database):
    # Datasette turns ?_search=麻花 into `match escape_fts(:search)`. Its built-in escape_fts
    # quotes the word as one token; registry.db indexes one token per character, so the word
    # must become a phrase of its characters. trylast: registered after the built-in one, so
    # this definition is the one the connection keeps.
    if database == "registry":
        conn.create_function("escape_fts", 1, escape_query, deterministic=True)


def site_page(table: str, value) -> str | None:
    """The public site's page for a row of `table` with primary key `value`, if it has one."""
    if table not in SITE_PAGES or value in (None, ""):
        return None
    return SITE_PAGES[table][2](str(value))


@hookimpl
def extra_template_vars(datasette):
    # Every page (the index and error pages too) shows the demonstration notice, so the
    # flag is read from registry.db whatever database the page is about.
    async def variables():
        is_demo, release_date = False, None
        if "registry" in datasette.databases:
            row = (await datasette.get_database("registry").execute(
                "select demo, release_date from _build")).first()
            if row:
                is_demo, release_date = bool(row["demo"]), row["release_date"]
        return {"zuofang_demo": is_demo, "zuofang_release_date": release_date,
                "zuofang_site_page": site_page}

    return variables


@hookimpl
def render_cell(row, value, column, table, database):
    # The label cell (name or title) carries the link to the public page, on table and row
    # pages alike; Datasette itself links the key to the row page.
    if database != "registry" or table not in SITE_PAGES or column != SITE_PAGES[table][1]:
        return None
    try:
        page = site_page(table, row[SITE_PAGES[table][0]])
    except (IndexError, KeyError):
        return None
    if page is None or value is None:
        return None
    return Markup(f'{escape(value)} <a class="site-page" href="{escape(page)}" '
                  f'title="公众网站上的页面 Page on the public site">网站页面&nbsp;↗</a>')
