"""registry.db: tables, keys, types, privacy, views and determinism."""
from __future__ import annotations

import csv
import json
import os
import sqlite3

import pytest
from tiny_registry import PRIVATE, write_tiny_registry

from site_builder.database.build import build_database
from site_builder.registry.package import TABLE_ORDER, Package


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    data = write_tiny_registry(tmp_path_factory.mktemp("tiny") / "data")
    path = tmp_path_factory.mktemp("tiny-out") / "registry.db"
    build_database(Package.load(data), path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def rows(conn, sql, *params):
    return [tuple(r) for r in conn.execute(sql, params)]


def test_every_table_with_its_primary_key(tiny_db):
    for table in TABLE_ORDER:
        assert rows(tiny_db, "select count(*) from sqlite_master where type='table' and name=?", table) == [(1,)]
    pk = {r["name"]: r["pk"] for r in tiny_db.execute("pragma table_info(grades)")}
    assert pk["operator_id"] == 1 and pk["effective_on"] == 2
    assert [r["name"] for r in tiny_db.execute("pragma table_info(operators)") if r["pk"]] == ["id"]


def test_private_columns_dropped_and_name_masked(tiny_db):
    columns = [r["name"] for r in tiny_db.execute("pragma table_info(operators)")]
    assert "owner_phone" not in columns and "owner_id_number" not in columns
    assert rows(tiny_db, "select owner_name from operators order by rowid") == [("王*",), ("李*",), ("赵*",)]


def test_no_private_value_in_the_file_bytes(tiny_db):
    path = tiny_db.execute("pragma database_list").fetchone()["file"]
    raw = open(path, "rb").read()
    for values in PRIVATE.values():
        for value in values:
            assert value.encode("utf-8") not in raw, value


def test_foreign_keys_declared_and_indexed(tiny_db):
    fks = {(r["from"], r["table"], r["to"]) for r in tiny_db.execute("pragma foreign_key_list(recalls)")}
    assert fks == {("operator_id", "operators", "id"), ("product_code", "products", "code"),
                   ("sampling_id", "samplings", "id")}
    assert rows(tiny_db, "pragma foreign_key_check") == []
    for table in ("recalls", "products", "samplings", "operators"):
        indexed = {tiny_db.execute(f"pragma index_info([{i['name']}])").fetchone()["name"]
                   for i in tiny_db.execute(f"pragma index_list([{table}])")}
        for fk in tiny_db.execute(f"pragma foreign_key_list([{table}])"):
            assert fk["from"] in indexed, (table, fk["from"])
    facets = {tiny_db.execute(f"pragma index_info([{i['name']}])").fetchone()["name"]
              for i in tiny_db.execute("pragma index_list(operators)")}
    assert {"region_code", "kind", "status"} <= facets


def test_values_typed_by_schema(tiny_db):
    lat, lon, reg = tiny_db.execute("select lat, lon, registered_on from operators where id='w1'").fetchone()
    assert (lat, lon, reg) == (35.6, 110.98, "2020-01-01")
    assert rows(tiny_db, "select lat from operators where id='e1'") == [(None,)]  # empty -> NULL
    assert rows(tiny_db, "select typeof(year), typeof(target) from targets limit 1") == [("integer", "real")]
    items = json.loads(tiny_db.execute("select failed_items from samplings where id='s3'").fetchone()[0])
    assert items == [{"item": "过氧化值", "measured": "0.4", "standard": "≤0.25", "unit": "g/100g"}]
    assert rows(tiny_db, "select failed_items from samplings where id='s1'") == [(None,)]


def test_build_table_records_release_and_sources(tiny_db):
    build = tiny_db.execute("select * from _build").fetchone()
    assert build["release_date"] == "2026-11-01" and build["release_year"] == 2026 and build["demo"] == 1
    files = {r["table_name"]: r for r in tiny_db.execute("select * from _build_files")}
    assert set(files) == set(TABLE_ORDER)
    assert files["operators"]["rows"] == 3 and files["operators"]["file"] == "operators.csv"
    assert len(files["operators"]["sha256"]) == 64


def test_current_grades_latest_in_force_on_release_date(tiny_db):
    assert rows(tiny_db, "select operator_id, grade, effective_on from current_grades order by operator_id") == [
        ("w1", "A", "2026-05-10"), ("w2", "B", "2026-04-10")]


def test_ongoing_recalls_with_names(tiny_db):
    got = tiny_db.execute("select id, operator_name, product_name from ongoing_recalls").fetchall()
    assert [tuple(r) for r in got] == [("r1", "永济牛肉饼作坊", "永济牛肉饼")]


def test_region_figures_for_release_year_beside_targets(tiny_db):
    figures = {(r["region_code"], r["year"]): r for r in tiny_db.execute("select * from region_figures")}
    assert set(figures) == {("140824", 2026), ("140881", 2026), ("140881", 2025)}
    js = figures["140824", 2026]
    assert (js["operators"], js["workshops"], js["eateries"], js["active"], js["suspended"]) == (2, 1, 1, 1, 1)
    assert (js["graded"], js["grade_a"], js["graded_share"], js["a_share"]) == (1, 1, 100.0, 100.0)
    assert (js["target_graded_share"], js["target_a_share"]) == (90.0, 30.0)
    yj = figures["140881", 2026]
    assert (yj["samplings"], yj["failed_samplings"], yj["failure_rate"], yj["recalls"]) == (1, 1, 100.0, 1)
    old = figures["140881", 2025]
    assert old["operators"] is None and old["samplings"] == 1 and old["target_sampling_pass_rate"] == 95.0


def test_same_data_same_bytes_and_never_written_in_place(tmp_path):
    data = write_tiny_registry(tmp_path / "data")
    first, second = tmp_path / "a" / "registry.db", tmp_path / "b" / "registry.db"
    build_database(Package.load(data), first)
    build_database(Package.load(data), second)
    assert first.read_bytes() == second.read_bytes()
    # The target may be a hard link to the previous build's file: that file must stay untouched.
    linked = tmp_path / "linked.db"
    os.link(first, linked)
    before = linked.read_bytes()
    with open(data / "penalties.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["x2", "w1", "2026-06-01", "稷市监罚〔2026〕2号", "未公示", "罚款500元", "500"])
    build_database(Package.load(data), first)
    assert linked.read_bytes() == before
    assert rows(sqlite3.connect(first), "select count(*) from penalties") == [(2,)]
    assert not list(first.parent.glob(".*tmp*"))


@pytest.fixture(scope="module")
def demo_db_path(tmp_path_factory, demo_dir):
    path = tmp_path_factory.mktemp("demo") / "registry.db"
    build_database(Package.load(demo_dir), path)
    return path


def test_no_private_value_of_the_demo_in_the_database(demo_db_path, demo_dir):
    with open(demo_dir / "operators.csv", encoding="utf-8-sig", newline="") as f:
        operators = list(csv.DictReader(f))
    raw = demo_db_path.read_bytes()
    values = {o[k] for o in operators for k in ("owner_name", "owner_phone", "owner_id_number")}
    # A one-character name would be kept whole by the mask (张 -> 张*); the demo has none.
    values = {v for v in values if len(v) >= 2}
    assert len(values) > 100
    leaked = [v for v in values if v.encode("utf-8") in raw]
    assert leaked == []


def test_demo_database_is_deterministic_and_complete(demo_db_path, demo_dir, tmp_path):
    again = tmp_path / "registry.db"
    build_database(Package.load(demo_dir), again)
    assert again.read_bytes() == demo_db_path.read_bytes()
    conn = sqlite3.connect(demo_db_path)
    assert rows(conn, "pragma foreign_key_check") == []
    for table, file, count in conn.execute("select table_name, file, rows from _build_files"):
        with open(demo_dir / file, encoding="utf-8-sig", newline="") as f:
            records = list(csv.DictReader(f))
        assert count == len(records)
        if table == "penalties":  # those whose publicity term ended by the release date are not published
            records = [r for r in records if not r["publicity_end"] or r["publicity_end"] >= "2026-11-01"]
            assert 0 < len(records) < count
        assert conn.execute(f"select count(*) from [{table}]").fetchone()[0] == len(records)


def test_generated_registry_keys_hold(small_registry, tmp_path):
    path = tmp_path / "registry.db"
    build_database(Package.load(small_registry), path)
    conn = sqlite3.connect(path)
    assert rows(conn, "pragma foreign_key_check") == []
    assert conn.execute("select count(*) from operators").fetchone()[0] == 40
    # one current grade per graded operator, never one that takes effect after the release date
    assert rows(conn, "select count(*) - count(distinct operator_id) from current_grades") == [(0,)]
    assert rows(conn, "select count(*) from current_grades where effective_on > (select release_date from _build)") == [(0,)]
    assert rows(conn, "select count(*) from ongoing_recalls o join recalls r using (id) where r.status != 'ongoing'") == [(0,)]


def test_rebuild_from_the_same_files_keeps_the_database(tmp_path):
    """Same registry files and code: the previous registry.db is kept (same inode); a changed
    file, or a database that is not the one recorded, is built again, equal to a fresh build."""
    data = write_tiny_registry(tmp_path / "data")
    db = tmp_path / "out" / "registry.db"
    build_database(Package.load(data), db)
    inode = db.stat().st_ino
    build_database(Package.load(data), db)
    assert db.stat().st_ino == inode

    products = (data / "products.csv").read_text(encoding="utf-8")
    header, first, *rest = products.splitlines(keepends=True)
    name = first.split(",")[2]
    (data / "products.csv").write_text(header + first.replace(name, "改名后的产品", 1) + "".join(rest),
                                       encoding="utf-8")
    assert build_database(Package.load(data), db) == "updated"
    assert db.stat().st_ino != inode
    fresh = tmp_path / "fresh" / "registry.db"
    build_database(Package.load(data), fresh)
    assert db.read_bytes() == fresh.read_bytes()
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from products where name = '改名后的产品'").fetchone() == (1,)

    os.unlink(db)
    db.write_bytes(fresh.read_bytes()[:-4096])  # not the database the record describes
    assert build_database(Package.load(data), db) == "built"
    assert db.read_bytes() == fresh.read_bytes()


def _rewrite(path, change):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows = change(rows[0], rows[1:])
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _set(column: str, row: int, value: str):
    """An edit: the `row`-th data row's `column` becomes `value`."""
    def change(header, rows):
        at = header.index(column)
        return [header, *[r[:at] + [value] + r[at + 1:] if i == row else r for i, r in enumerate(rows)]]
    return change


#: Edits of registry files -> how the database is updated: rows changed in place or appended
#: (tables keep their rows), rows removed or moved (the table is loaded again), searchable text
#: changed or not (search indexes made again from that table on, or kept).
EDITS = {
    "penalty removed from the middle": ("penalties.csv", lambda h, rows: [h, *rows[:1], *rows[2:]]),
    "penalty rows reversed": ("penalties.csv", lambda h, rows: [h, *reversed(rows)]),
    "business status changed": ("operators.csv", _set("status", 0, "suspended")),
    "business renamed": ("operators.csv", _set("name", 1, "改名的作坊（演示）")),
    "product appended": ("products.csv", lambda h, rows: [h, *rows, [
        ("pnew9" if n == "code" else "" if n == "gtin" else v) for n, v in zip(h, rows[0])]]),
    "brand story changed": ("brands.csv", _set("story", 0, "新的故事。")),
    # The table target_members and the facet counts of the views are worked out again only
    # from the tables they read (derived.py): a business moved to another county or a target set
    # for another county changes both, a checklist result the checklist views.
    "business moved to another county": ("operators.csv", _set("region_code", 0, "140824")),
    "target set for another county": ("programme_targets.csv", _set("region_code", 2, "140824")),
    "checklist result changed": ("inspection_items.csv", _set("result", 0, "不符合")),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_updated_database_is_a_fresh_build_byte_for_byte(edit, demo_dir, tmp_path):
    import shutil

    data = shutil.copytree(demo_dir, tmp_path / "data")
    db = tmp_path / "out" / "registry.db"
    assert build_database(Package.load(data), db) == "built"
    name, change = EDITS[edit]
    _rewrite(data / name, change)
    assert build_database(Package.load(data), db) == "updated"
    fresh = tmp_path / "fresh" / "registry.db"
    assert build_database(Package.load(data), fresh) == "built"
    assert db.read_bytes() == fresh.read_bytes()


def test_derived_tables_and_view_facets_follow_the_tables_they_read(tiny_db):
    """What a rebuild works out again is found from what each query reads (SQLite's authorizer):
    target_members from the targets, businesses and regions; a view through the views it reads."""
    from site_builder.database.derived import DERIVED, tables_read

    conn = tiny_db
    assert tables_read(conn, DERIVED["target_members"].sql) == {"programme_targets", "operators", "regions"}
    progress = tables_read(conn, "SELECT * FROM programme_progress")
    assert {"target_members", "samplings", "brands", "_build"} <= progress and "products" not in progress
    assert tables_read(conn, DERIVED["latest_checklist_items"].sql) == {
        "inspections", "inspection_items", "operators", "checklist_items", "checklists"}
    assert tables_read(conn, "SELECT * FROM checklist_shares") == {"latest_checklist_items", "regions"}


def test_a_fresh_build_counts_facets_with_the_planner_statistics(demo_dir, tmp_path, monkeypatch):
    """The facet counts read the programme views through several joins: without ANALYZE's
    statistics SQLite's planner walked them row by row (at 50,000 businesses 209 s of the
    database's 229 s, bench/bench_database_steps.py). The statistics the build ends with are
    still made after the search tables, where an update makes them."""
    from site_builder.database import about

    seen = []
    real = about.write_facet_counts

    def counting(db, changed=None):
        seen.append({row[0] for row in db.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
                    if db["sqlite_stat1"].exists() else set())
        return real(db, changed)

    monkeypatch.setattr(about, "write_facet_counts", counting)
    db = tmp_path / "registry.db"
    build_database(Package.load(demo_dir), db)
    assert len(seen) == 1 and {"target_members", "operators", "samplings", "grades"} <= seen[0]
    conn = sqlite3.connect(db)
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    shadows = [i for i, name in enumerate(tables) if name.endswith("_fts_config")]
    assert shadows and tables.index("sqlite_stat1") > max(shadows)
