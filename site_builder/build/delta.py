"""What changed in registry.db since the previous build: rows added, removed or changed, per table.

A rebuild after one record changes must cost work in proportion to the change. At 50,000
businesses, building and fingerprinting every page's context took 45 s, so instead the previous
output's registry.db is attached to the new one and compared table by table: a table loaded
from a registry file with the same sha256 (their `_build_files`) holds the same rows, and the
others are joined on their primary key (SQLite does it: 0.4 s for 180,000 products). The site
stage renders again only the pages that show a changed row (site/scope.py); /changes/ lists
the same differences.

A table is compared on the columns both databases have, so a schema change still gives an
answer; a table missing from either database makes the two incomparable (None).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..registry.package import TABLE_ORDER


@dataclass
class TableChange:
    """The rows of one table that differ: `new` as they are now (added or changed), `old` as
    they were (removed or changed); each row a dict of the columns both databases have."""

    key: tuple[str, ...]
    new: list[dict] = field(default_factory=list)
    old: list[dict] = field(default_factory=list)

    def values(self, column: str) -> set:
        """Every non-empty value of `column` in the old and new rows (keys, references)."""
        return {row[column] for row in (*self.new, *self.old) if row.get(column) is not None}

    def added(self) -> list[dict]:
        before = {self._key(r) for r in self.old}
        return [r for r in self.new if self._key(r) not in before]

    def changed(self) -> list[tuple[dict, dict]]:
        """(old, new) pairs of rows whose key is in both databases."""
        before = {self._key(r): r for r in self.old}
        return [(before[self._key(r)], r) for r in self.new if self._key(r) in before]

    def _key(self, row: dict):
        return tuple(row.get(k) for k in self.key)


def select_in(conn: sqlite3.Connection, sql: str, keys) -> list[tuple]:
    """The rows of `sql`, whose `{keys}` stands for `keys`, given as one JSON array: any number
    of keys in one statement (the changed rows' keys name the records to redo)."""
    return conn.execute(sql.format(keys="(SELECT value FROM json_each(?))"), (json.dumps(sorted(keys)),)).fetchall()


def compare(old_db: str | Path, new_db: str | Path, same_code: bool = True) -> dict[str, TableChange] | None:
    """table -> its changed rows (tables without changes are left out); None when the previous
    database is missing or lacks a registry table. Unless `same_code` (the databases were built
    by the same code from the same descriptor), every table is compared row by row."""
    if not Path(old_db).is_file():
        return None
    conn = sqlite3.connect(f"file:{Path(new_db).absolute()}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"file:{Path(old_db).absolute()}?mode=ro",))
        same = _unchanged_tables(conn) if same_code else set()
        changes = {}
        for table in TABLE_ORDER:
            if table in same:
                continue
            change = _table_change(conn, table)
            if change is None:
                return None
            if change.new or change.old:
                changes[table] = change
        return changes
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _unchanged_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables whose registry file had the same sha256 in both builds (so the same rows: the
    caller makes sure the code that loads them is the same)."""
    try:
        new = dict(conn.execute("SELECT table_name, sha256 FROM main._build_files"))
        old = dict(conn.execute("SELECT table_name, sha256 FROM old._build_files"))
    except sqlite3.Error:
        return set()
    return {t for t, digest in new.items() if digest and old.get(t) == digest}


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[tuple[str, int]]:
    """(name, position in the primary key or 0) of each column."""
    return [(row[1], row[5]) for row in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _table_change(conn: sqlite3.Connection, table: str) -> TableChange | None:
    new_cols, old_cols = _columns(conn, "main", table), _columns(conn, "old", table)
    if not new_cols or not old_cols:
        return None
    old_names = {name for name, _ in old_cols}
    columns = [name for name, _ in new_cols if name in old_names]
    key = tuple(name for name, pk in sorted(new_cols, key=lambda c: c[1]) if pk and name in old_names)
    # Without a primary key, rows are matched by position (rowid follows the registry file's order).
    on = " AND ".join(f'n."{k}" = o."{k}"' for k in key) if key else "n.rowid = o.rowid"
    differs = " OR ".join(f'n."{c}" IS NOT o."{c}"' for c in columns)
    change = TableChange(key or ("rowid",))
    select_new = ", ".join(f'n."{c}"' for c in columns) + ("" if key else ", n.rowid")
    select_old = ", ".join(f'o."{c}"' for c in columns) + ("" if key else ", o.rowid")
    names = columns + ([] if key else ["rowid"])
    change.new = [dict(zip(names, row)) for row in conn.execute(
        f'SELECT {select_new} FROM main."{table}" n LEFT JOIN old."{table}" o ON {on} '
        f"WHERE o.rowid IS NULL OR {differs}")]
    change.old = [dict(zip(names, row)) for row in conn.execute(
        f'SELECT {select_old} FROM old."{table}" o LEFT JOIN main."{table}" n ON {on} '
        f"WHERE n.rowid IS NULL OR {differs}")]
    return change
