"""Tables worked out from other tables when registry.db is built, where a view would be too slow.

registry.db never changes after its build, so what every programme metric joins on can be
worked out once. As a view, `target_members` (the businesses each programme target covers) was
worked out again by every metric that read it: 780,560 rows at 50,000 businesses, 11–28 s for
each of the 17 metrics and so most of the database stage, and Datasette gave up on it. As a
table with its key as index, a metric reads only its own target's rows.

Each table is filled in its key's order, so a rebuild that fills it again gives a fresh build's
bytes. `tables_read` says which registry tables a view or query reads (SQLite's authorizer,
asked while the statement is compiled): a rebuild fills a derived table again, and counts a view's
facets again, only when a table it reads was loaded again.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .programme_views import TARGET_MEMBERS

if TYPE_CHECKING:
    import sqlite_utils  # only its type


@dataclass(frozen=True)
class Derived:
    """A table holding the rows of `sql`, with `columns` (name, SQLite type) and key `key`."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    sql: str


DERIVED: dict[str, Derived] = {d.name: d for d in (
    Derived("target_members", (("programme_id", "TEXT"), ("number", "INTEGER"), ("operator_id", "TEXT")),
            ("programme_id", "number", "operator_id"), TARGET_MEMBERS),
)}


def create_derived_tables(db: sqlite_utils.Database) -> None:
    """The derived tables, empty: made before the views, which read them."""
    for d in DERIVED.values():
        columns = ", ".join(f"[{n}] {t}" for n, t in d.columns)
        key = ", ".join(f"[{k}]" for k in d.key)
        db.execute(f"CREATE TABLE [{d.name}] ({columns}, PRIMARY KEY ({key})) WITHOUT ROWID")


def fill_derived_tables(db: sqlite_utils.Database, changed: set[str] | None = None) -> set[str]:
    """Fill each derived table from its query (every one, or those reading a `changed` table);
    returns the names of those filled."""
    filled = set()
    for d in DERIVED.values():
        if changed is not None and not tables_read(db.conn, d.sql) & changed:
            continue
        filled.add(d.name)
        names = ", ".join(f"[{n}]" for n, _type in d.columns)
        with db.conn:
            db.conn.execute(f"DELETE FROM [{d.name}]")
            db.conn.execute(f"INSERT INTO [{d.name}] ({names}) SELECT {names} FROM ({d.sql}) "
                            f"ORDER BY {', '.join(f'[{k}]' for k in d.key)}")
    return filled


def tables_read(conn: sqlite3.Connection, sql: str) -> set[str]:
    """The tables (not views) `sql` reads, views followed through: what SQLite's authorizer is
    asked while it compiles the statement (EXPLAIN compiles it without running it)."""
    seen: set[str] = set()

    def note(action, table, _column, _database, _source):
        if action == sqlite3.SQLITE_READ and table:
            seen.add(table)
        return sqlite3.SQLITE_OK

    conn.set_authorizer(note)
    try:
        conn.execute(f"EXPLAIN {sql}").fetchall()
    finally:
        conn.set_authorizer(None)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return seen & tables
