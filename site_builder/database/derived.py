"""Tables worked out from other tables when registry.db is built, where a view would be too slow.

registry.db never changes after its build, so what many queries join on can be worked out once.
As a view, `target_members` (the businesses each programme target covers: 780,560 rows at
50,000 businesses) was worked out again by every metric that read it, 11–28 s each for most of
the 17 and over 100 s for two; as a table with its key as index, a metric reads only its own
target's rows (0.1–4 s).

Each table is filled in its key's order, so a rebuild that fills it again gives a fresh build's
bytes. `tables_read` says which registry tables a view or query reads (SQLite's authorizer,
asked while the statement is compiled): a rebuild fills a derived table again, and counts a view's
facets again, only when a table it reads was loaded again.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .programme_views import LATEST_CHECKLIST_ITEMS, TARGET_MEMBERS

if TYPE_CHECKING:
    import sqlite_utils  # only its type


@dataclass(frozen=True)
class Derived:
    """A table holding the rows of `sql` (columns and their types as the query gives them), with
    primary key `key`, in whose order it is filled."""

    name: str
    key: tuple[str, ...]
    sql: str


DERIVED: dict[str, Derived] = {d.name: d for d in (
    Derived("target_members", ("programme_id", "number", "operator_id"), TARGET_MEMBERS),
    # Every business page and the checklist shares read it: as a view, the latest inspection of
    # every business was worked out again for each (22 s for checklist_shares at 50,000).
    Derived("latest_checklist_items", ("operator_id", "number", "item_id"), LATEST_CHECKLIST_ITEMS),
)}


def create_derived_tables(db: sqlite_utils.Database) -> None:
    """The derived tables, empty, with the columns and types their queries give (so made after
    the views those queries read)."""
    for d in DERIVED.values():
        db.execute(f"CREATE TEMP VIEW _derived_shape AS {d.sql}")
        shape = db.execute("SELECT name, type FROM pragma_table_info('_derived_shape', 'temp')").fetchall()
        db.execute("DROP VIEW temp._derived_shape")
        columns = ", ".join(f"[{n}] {t}" for n, t in shape)
        key = ", ".join(f"[{k}]" for k in d.key)
        db.execute(f"CREATE TABLE [{d.name}] ({columns}, PRIMARY KEY ({key})) WITHOUT ROWID")


def fill_derived_tables(db: sqlite_utils.Database, changed: set[str] | None = None) -> set[str]:
    """Fill each derived table from its query (every one, or those reading a `changed` table);
    returns the names of those filled."""
    filled: set[str] = set()
    for d in DERIVED.values():
        if changed is not None and not tables_read(db.conn, d.sql) & (changed | filled):
            continue
        filled.add(d.name)
        with db.conn:
            db.conn.execute(f"DELETE FROM [{d.name}]")
            db.conn.execute(f"INSERT INTO [{d.name}] SELECT * FROM ({d.sql}) "
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
