"""/changes/: what is new or changed since the previous release.

Each build saves a short digest of every public row of the tables people follow (businesses,
products, recalls, brands), their statuses and each business's current grade, in
site/data/record-digests.json; the next build compares its own with that file. The file also
keeps the comparison it made, so rebuilding the same data again (the previous output now being
this same release) gives the same page instead of "nothing changed".
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from . import files, urls

RECORD = "data/record-digests.json"  # under the site root: /data/record-digests.json
FORMAT = 1
LIMIT = 200  # items listed per section; the rest are counted

#: table -> (key column, column shown as the name, address builder, Chinese title of a new one)
TRACKED = {
    "operators": ("id", "name", urls.operator, "新登记主体 New businesses"),
    "products": ("code", "name", urls.product, "新增产品 New products"),
    "recalls": ("id", "title", urls.recall, "新发布召回和预警 New recalls"),
    "brands": ("id", "name", urls.brand, "新增品牌 New brands"),
}
TABLE_TITLES = {"operators": "主体", "products": "产品", "recalls": "召回", "brands": "品牌"}


def _digest(value) -> str:
    # repr of a row tuple (str, int, float, None) is stable across runs and twice as fast as JSON.
    return hashlib.sha256(repr(value).encode()).hexdigest()[:12]


def snapshot(conn: sqlite3.Connection) -> dict:
    """Digests and statuses of the tracked tables, and the current grade of each business."""
    records, status = {}, {}
    for table, (key, *_rest) in TRACKED.items():
        cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"')
        columns = [d[0] for d in cursor.description]
        k, st = columns.index(key), columns.index("status")
        records[table], status[table] = {}, {}
        for row in cursor:
            records[table][str(row[k])] = _digest(row)
            status[table][str(row[k])] = row[st]
    # current_grades (database.py) is the grade in force on the release date.
    grades = {op: grade for op, grade in conn.execute(
        "SELECT operator_id, grade FROM current_grades ORDER BY operator_id")}
    return {"records": records, "status": status, "grades": grades}


def fingerprint(snap: dict) -> str:
    return hashlib.sha256(json.dumps(snap, sort_keys=True).encode()).hexdigest()[:16]


def compare(before: dict, after: dict) -> dict:
    """Keys of what is new, what changed status, what else changed, and grade changes."""
    new, status, updated = {}, [], {}
    for table in TRACKED:
        old, now = before["records"].get(table, {}), after["records"][table]
        old_status = before["status"].get(table, {})
        new[table] = sorted(k for k in now if k not in old)
        updated[table] = []
        for k in sorted(k for k in now if k in old and now[k] != old[k]):
            if old_status.get(k) != after["status"][table][k]:
                status.append([table, k, old_status.get(k), after["status"][table][k]])
            else:
                updated[table].append(k)
    grades = [[op, before["grades"].get(op), g] for op, g in sorted(after["grades"].items())
              if before["grades"].get(op) != g]
    return {"new": new, "status": status, "updated": updated, "grades": grades}


def read_record(site_dir: Path) -> dict | None:
    path = Path(site_dir) / RECORD
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if record.get("format") == FORMAT else None


def plan(previous: dict | None, snap: dict, release: str) -> dict:
    """This build's record: the snapshot plus the comparison the page shows."""
    mark = fingerprint(snap)
    if previous and previous.get("fingerprint") == mark:
        # Same data as the previous output: keep the comparison it made (the page stays the same).
        changes, base = previous.get("changes"), previous.get("base")
    elif previous:
        changes, base = compare(previous, snap), previous.get("release")
    else:
        changes, base = None, None
    return {"format": FORMAT, "release": release, "fingerprint": mark, "base": base,
            "changes": changes, **snap}


def _names(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
    out = {}
    for table, (key, name, *_rest) in TRACKED.items():
        out[table] = {str(k): n for k, n in conn.execute(f'SELECT "{key}", "{name}" FROM "{table}"')}
    return out


def _item(table: str, key: str, names: dict, **extra) -> dict:
    item = {"table": table, "url": TRACKED[table][2](key), "name": names[table].get(key, key),
            "change": "", "old": None, "new": None}
    item.update(extra)
    return item


def sections(changes: dict, names: dict) -> list[dict]:
    """The page's sections, each {title, items (at most LIMIT), more (how many not listed), total}."""
    out = []

    def add(title, items):
        if items:
            out.append({"title": title, "items": items[:LIMIT], "more": max(0, len(items) - LIMIT),
                        "total": len(items)})

    for table in ("recalls", "operators", "products", "brands"):
        add(TRACKED[table][3], [_item(table, k, names) for k in changes["new"][table]])
    add("等级变化 Grade changes",
        [_item("operators", op, names, change="grade", old=old, new=new) for op, old, new in changes["grades"]])
    add("状态变化 Status changes",
        [_item(t, k, names, change="status", old=old, new=new) for t, k, old, new in changes["status"]])
    updated = [_item(t, k, names) for t in ("operators", "products", "recalls", "brands")
               for k in changes["updated"][t]]
    add("信息更新 Updated records", updated)
    return out


def build_changes(ctx, render) -> None:
    """Write /changes/ with `render("changes.html", …)` and save this build's record."""
    site_dir = Path(ctx.site_dir)
    previous = read_record(ctx.previous_dir / "site") if ctx.previous_dir else None
    conn = sqlite3.connect(f"file:{ctx.db_path}?mode=ro", uri=True)
    try:
        snap = snapshot(conn)
        names = _names(conn)
    finally:
        conn.close()
    record = plan(previous, snap, ctx.package.release_date.isoformat())
    counts = [(TABLE_TITLES[t], len(snap["records"][t])) for t in TRACKED]
    changes = record["changes"]
    html = render(
        "changes.html", address=urls.changes(), first=changes is None, base=record["base"],
        counts=counts, sections=sections(changes, names) if changes else [],
    )
    files.write_if_changed(site_dir / urls.output_path(urls.changes()), html)
    files.write_if_changed(site_dir / RECORD, json.dumps(record, ensure_ascii=False, sort_keys=True,
                                                          separators=(",", ":")) + "\n")
