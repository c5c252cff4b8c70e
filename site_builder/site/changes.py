"""/changes/: what is new or changed since the previous release.

The previous output's registry.db is compared with this build's (delta.py): rows of the tables
people follow (businesses, products, recalls, brands) that are new, changed status or changed
otherwise, and businesses whose current grade changed. The comparison is saved in
site/data/changes.json (with the release it compared against), so rebuilding the same data
again, when the previous output is this same release, gives the same page, not "nothing changed".
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .. import urls
from ..build import delta, outputs

RECORD = "data/changes.json"  # under the site root: /data/changes.json
FORMAT = 2
LIMIT = 200  # items listed per section; the rest are counted

#: table -> (key column, column shown as the name, address builder, Chinese title of a new one)
#: The record families /changes/ lists, in the page's order (build/outputs.py declares them).
TRACKED = {f.table: f for f in (outputs.BUSINESS_PAGES, outputs.PRODUCT_PAGES, outputs.RECALL_PAGES,
                                outputs.BRAND_PAGES)}


def compare(changed: dict[str, delta.TableChange], conn: sqlite3.Connection) -> dict:
    """Keys of what is new, what changed status, what else changed, and grade changes.

    `conn` has the new registry.db as main and the previous one attached as `old`."""
    new, status, updated = {}, [], {}
    for table, family in TRACKED.items():
        key = family.key
        change = changed.get(table) or delta.TableChange((key,))
        new[table] = sorted(str(r[key]) for r in change.added())
        updated[table] = []
        for old, now in sorted(change.changed(), key=lambda pair: str(pair[1][key])):
            if old.get("status") != now.get("status"):
                status.append([table, str(now[key]), old.get("status"), now.get("status")])
            else:
                updated[table].append(str(now[key]))
    return {"new": new, "status": status, "updated": updated, "grades": grade_changes(conn)}


def grade_changes(conn: sqlite3.Connection) -> list[list]:
    """[business, grade before, grade now] where the grade in force differs (current_grades is a
    view, so a new release date alone can change it)."""
    rows = conn.execute(
        "SELECT n.operator_id, o.grade, n.grade FROM main.current_grades n "
        "LEFT JOIN old.current_grades o ON o.operator_id = n.operator_id "
        "WHERE o.grade IS NOT n.grade ORDER BY n.operator_id")
    return [list(row) for row in rows]


def is_empty(changes: dict) -> bool:
    return not (any(changes["new"].values()) or changes["status"] or any(changes["updated"].values())
                or changes["grades"])


def _release(conn: sqlite3.Connection, schema: str) -> str | None:
    row = conn.execute(f"SELECT release_date FROM {schema}._build").fetchone()
    return row[0] if row else None


def read_record(site_dir: Path) -> dict | None:
    path = Path(site_dir) / RECORD
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if record.get("format") == FORMAT else None


def _names(conn: sqlite3.Connection, table: str, keys: list[str]) -> dict[str, str]:
    key, name = TRACKED[table].key, TRACKED[table].label
    return {str(k): n for k, n in delta.select_in(
        conn, f'SELECT "{key}", "{name}" FROM main."{table}" WHERE "{key}" IN {{keys}}', keys)}


def _item(table: str, key: str, names: dict, **extra) -> dict:
    item = {"table": table, "url": TRACKED[table].address_of(key), "name": names.get(table, {}).get(key, key),
            "change": "", "old": None, "new": None}
    item.update(extra)
    return item


def sections(changes: dict, conn: sqlite3.Connection) -> list[dict]:
    """The page's sections, each {title, items (at most LIMIT), more (how many not listed), total}."""
    groups = []
    for table in ("recalls", "operators", "products", "brands"):
        groups.append((TRACKED[table].title, [(table, k, {}) for k in changes["new"][table]]))
    groups.append(("等级变化 Grade changes",
                   [("operators", op, {"change": "grade", "old": old, "new": new}) for op, old, new in changes["grades"]]))
    groups.append(("状态变化 Status changes",
                   [(t, k, {"change": "status", "old": old, "new": new}) for t, k, old, new in changes["status"]]))
    groups.append(("信息更新 Updated records",
                   [(t, k, {}) for t in ("operators", "products", "recalls", "brands") for k in changes["updated"][t]]))
    listed = [(title, items[:LIMIT], len(items)) for title, items in groups if items]
    wanted: dict[str, list[str]] = {}
    for _title, items, _total in listed:
        for table, key, _extra in items:
            wanted.setdefault(table, []).append(key)
    names = {table: _names(conn, table, sorted(set(keys))) for table, keys in wanted.items()}
    return [{"title": title, "items": [_item(t, k, names, **extra) for t, k, extra in items],
             "more": total - len(items), "total": total} for title, items, total in listed]


def build_changes(ctx, render, changed: dict[str, delta.TableChange] | None = None) -> None:
    """Write /changes/ with `render("changes.html", …)` and save this build's comparison.

    `changed` is the rows that differ from the previous output's registry.db (the site stage has
    them already); without it they are found here."""
    site_dir = Path(ctx.site_dir)
    previous_db = Path(ctx.previous_dir) / "registry.db" if ctx.previous_dir else None
    previous = read_record(Path(ctx.previous_dir) / "site") if ctx.previous_dir else None
    if changed is None and previous_db is not None:
        changed = delta.compare(previous_db, ctx.db_path, same_code=False)
    conn = sqlite3.connect(f"file:{ctx.db_path}?mode=ro", uri=True)
    try:
        counts = [(f.noun, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t, f in TRACKED.items()]
        comparison, base = None, None
        if changed is not None:
            conn.execute("ATTACH DATABASE ? AS old", (f"file:{previous_db.absolute()}?mode=ro",))
            comparison, base = compare(changed, conn), _release(conn, "old")
            if is_empty(comparison) and previous:
                # Same data as the previous output: keep the comparison it made (the page stays the same).
                comparison, base = previous.get("changes"), previous.get("base")
        html = render("changes.html", address=urls.changes(), first=comparison is None, base=base, counts=counts,
                      sections=sections(comparison, conn) if comparison else [])
    finally:
        conn.close()
    ctx.files.write_if_changed(site_dir / urls.output_path(urls.changes()), html)
    record = {"format": FORMAT, "release": ctx.package.release_date.isoformat(), "base": base,
              "changes": comparison}
    ctx.files.write_if_changed(site_dir / RECORD, json.dumps(record, ensure_ascii=False, sort_keys=True,
                                                          separators=(",", ":")) + "\n")
