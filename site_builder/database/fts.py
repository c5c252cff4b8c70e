"""Chinese substring search in registry.db: one FTS5 token per character, queries as phrases.

SQLite's tokenizers do not segment Chinese: unicode61 makes 稷山麻花 one token (麻花 is not
found), trigram cannot match 1–2 characters, and word segmenters (jieba) miss words they cut
differently. So each searchable column is indexed as a run of one-character tokens and a
query becomes a phrase of its characters: the phrase "麻 花" matches exactly where 麻花 occurs.

Characters that are not letters or digits (、，· spaces …) become tokens of their own
(`u3001`), so a phrase never matches across them: 麻花、糕点 does not contain 花糕. Letters are
compared case-insensitively (FTS5's unicode61 folds case and diacritics), the rest exactly.

Searchable text per table (each column a separate FTS column, so a match never spans two):
- operators: name, address, categories
- products: name, category, ingredients
- brands: name, story, category

Each index is an external-content FTS5 table (content=[products]): it stores no text of its own,
reading a match's columns from its table, and Datasette finds it by that link (search box shown).
Its tokens are not what unicode61 makes of the table's text, so it must never be rebuilt from it
(FTS5's 'rebuild' command): a build makes it again. Stock SQLite queries it with the phrase spelled
out (`MATCH '"麻 花"'`, `STOCK_MATCH_SQL`); stock FTS5 cannot do better without losing the 1–2
character matches (bench/bench_fts_stock.py measures the trigram tokenizer, its only candidate).
"""
from __future__ import annotations

import sqlite3
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils  # only its type: a build that keeps registry.db imports none of it

#: table -> (primary key, columns searched).
SEARCHABLE = {
    "operators": ("id", ("name", "address", "categories")),
    "products": ("code", ("name", "category", "ingredients")),
    "brands": ("id", ("name", "story", "category")),
}


#: What registry.db's `_about` table says of its search indexes (under INDEX_KEY): Datasette's plugin
#: spells ?_search= as phrases of characters only for a database that says this.
INDEX_KEY = "search_index"
INDEX_KIND = "fts5 external content, one token per character (site_builder/database/fts.py)"

#: The documented way to search with nothing but SQLite (sqlite3, pandas, DB Browser): the query's
#: characters separated by spaces, as one quoted phrase. The README in the downloads shows it.
STOCK_MATCH_SQL = ("SELECT {columns} FROM {table} WHERE rowid IN "
                   "(SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH '\"{spaced}\"')")


def fts_table(table: str) -> str:
    return f"{table}_fts"


def char_tokens(text: str | None) -> str:
    """稷山麻花、糕点 -> '稷 山 麻 花 u3001 糕 点': the indexed (and queried) form of text."""
    if not text:
        return ""
    return " ".join(c if unicodedata.category(c)[0] in "LN" else f"u{ord(c):x}" for c in text)


def phrase(query: str) -> str:
    """An FTS5 MATCH expression finding `query` as a substring (one phrase of its characters)."""
    tokens = char_tokens(query.strip())
    return f'"{tokens}"' if tokens else '""'


def escape_query(query: str) -> str:
    """Datasette's ?_search= rule (words separated by spaces must all occur) with each word a
    substring phrase. Installed as the SQL function escape_fts on registry connections."""
    words = [w for w in query.replace('"', " ").split() if w]
    return " ".join(phrase(w) for w in words) or '""'


def build_search_index(db: sqlite_utils.Database, tables: list[str] | None = None) -> None:
    """One FTS5 table per searchable table (or per one of `tables`, in SEARCHABLE's order);
    its rowid is the source row's rowid."""
    for table, (_pk, columns) in SEARCHABLE.items():
        if tables is not None and table not in tables:
            continue
        name = fts_table(table)
        # detail=full keeps token positions, which phrase queries need; no prefix indexes
        # are needed because every token is a single character. content=[table] (Datasette's
        # spelling, which it looks for) keeps the text once, in the table itself.
        db.execute(f"CREATE VIRTUAL TABLE [{name}] USING fts5("
                   + ", ".join(f"[{c}]" for c in columns)
                   + f", content=[{table}], tokenize = 'unicode61 remove_diacritics 2')")
        select = ", ".join(f"[{c}]" for c in columns)
        rows = db.execute(f"SELECT rowid, {select} FROM [{table}] ORDER BY rowid").fetchall()
        # Texts repeat (180,000 products have under 1,000 names): each is spelled out once.
        spelled: dict[str, str] = {}

        def tokens(text: str | None) -> str:
            if text not in spelled:
                spelled[text] = char_tokens(text)
            return spelled[text]

        with db.conn:
            db.conn.executemany(
                f"INSERT INTO [{name}] (rowid, {select}) VALUES (?{', ?' * len(columns)})",
                ((row[0], *map(tokens, row[1:])) for row in rows),
            )
        db.execute(f"INSERT INTO [{name}]([{name}]) VALUES ('optimize')")


def search(conn: sqlite3.Connection, table: str, query: str, limit: int | None = None) -> list:
    """Primary keys of the rows of `table` whose searchable text contains `query`, in row order."""
    if table not in SEARCHABLE:
        raise ValueError(f"不能检索数据表 {table}：只能检索 {'、'.join(SEARCHABLE)}。")
    pk, _columns = SEARCHABLE[table]
    expression = phrase(query)
    if expression == '""':
        return []
    sql = (f"SELECT [{pk}] FROM [{table}] WHERE rowid IN "
           f"(SELECT rowid FROM [{fts_table(table)}] WHERE [{fts_table(table)}] MATCH ?) ORDER BY rowid")
    params: list = [expression]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [row[0] for row in conn.execute(sql, params)]


def substring_scan(conn: sqlite3.Connection, table: str, query: str) -> list:
    """The same answer by brute force (instr on every searchable column): the reference the
    tests and the benchmark compare `search` with."""
    pk, columns = SEARCHABLE[table]
    where = " OR ".join(f"instr(lower([{c}]), lower(?)) > 0" for c in columns)
    return [row[0] for row in conn.execute(
        f"SELECT [{pk}] FROM [{table}] WHERE {where} ORDER BY rowid", [query] * len(columns))]
