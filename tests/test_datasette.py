"""Datasette on registry.db: metadata from the schemas, canned queries, JSON, Chinese search, site links."""
from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from site_builder.database.build import build_database
from site_builder.database.fts import search
from site_builder.datasette import metadata as datasette_meta
from site_builder.registry.package import TABLE_ORDER, Package
from site_builder.serve.live import datasette_app


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory, demo_dir):
    """registry.db (and its metadata) of the bundled demo, without the other build stages."""
    out = tmp_path_factory.mktemp("demo-db")
    build_database(Package.load(demo_dir), out / "registry.db")
    return out


@pytest.fixture(scope="module")
def ds(demo_out):
    return datasette_app(demo_out)


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_committed_metadata_is_current(repo_root, demo_dir):
    committed = (repo_root / "datasette_metadata.json").read_text(encoding="utf-8")
    assert committed == datasette_meta.render(Package.load(demo_dir)), (
        "datasette_metadata.json is stale: run  python -m site_builder.datasette.metadata > datasette_metadata.json")


def test_metadata_describes_every_table_and_column(demo_dir):
    package = Package.load(demo_dir)
    meta = datasette_meta.generate(package)
    assert "演示" in meta["description"] and meta["license_url"] and meta["source"]
    tables = meta["databases"]["registry"]["tables"]
    for table in TABLE_ORDER:
        assert tables[table]["title"] == package.resources[table]["title"]
        assert set(tables[table]["columns"]) == {f["name"] for f in package.public_fields(table)}
    assert "owner_phone" not in tables["operators"]["columns"]
    assert tables["operators"]["columns"]["name"].startswith("名称")
    assert {"region_code", "kind", "status"} <= set(tables["operators"]["facets"])
    assert tables["products"]["fts_table"] == "products_fts"
    assert len(meta["databases"]["registry"]["queries"]) >= 8


def test_every_canned_query_returns_rows_on_the_demo(demo_out):
    conn = sqlite3.connect(demo_out / "registry.db")
    some_operator = conn.execute("select id from operators order by id limit 1").fetchone()[0]
    for name, query in datasette_meta.QUERIES.items():
        assert "date('now')" not in query["sql"].lower()
        assert conn.execute(query["sql"], {"id": some_operator}).fetchall(), name


def test_canned_query_through_datasette(ds, demo_out):
    some_operator = sqlite3.connect(demo_out / "registry.db").execute("select id from operators limit 1").fetchone()[0]
    response = get(ds, f"/registry/business_record.json?id={some_operator}&_shape=array")
    assert response.status_code == 200
    [record] = response.json()
    assert record["id"] == some_operator and isinstance(json.loads(record["products"]), list)


def test_table_json_with_facets(ds):
    response = get(ds, "/registry/operators.json?_facet=kind&_size=5")
    assert response.status_code == 200
    data = response.json()
    assert len(data["rows"]) == 5 and "owner_phone" not in data["columns"]
    kinds = {f["value"] for f in data["facet_results"]["kind"]["results"]}
    assert kinds <= {"workshop", "eatery", "stall"} and kinds


def test_row_json(ds, demo_out):
    code, name = sqlite3.connect(demo_out / "registry.db").execute("select code, name from products limit 1").fetchone()
    data = get(ds, f"/registry/products/{code}.json?_shape=objects").json()
    assert data["rows"][0]["name"] == name


@pytest.mark.parametrize("table, query", [("operators", "麻花"), ("products", "麻花"), ("products", "牛肉饼"),
                                          ("brands", "稷山麻花"), ("operators", "饼")])
def test_search_through_datasette_finds_exactly_the_substring_matches(ds, demo_out, table, query):
    pk = {"operators": "id", "products": "code", "brands": "id"}[table]
    expected = search(sqlite3.connect(demo_out / "registry.db"), table, query)
    assert expected, "the demo should contain the query"
    rows = get(ds, f"/registry/{table}.json?_search={query}&_shape=array&_size=max&_col={pk}").json()
    assert sorted(r[pk] for r in rows) == sorted(expected)


def test_html_in_chinese_with_demo_notice_and_site_links(ds, demo_out):
    code = sqlite3.connect(demo_out / "registry.db").execute("select code from products limit 1").fetchone()[0]
    for path in ("/", "/registry", "/registry/products", f"/registry/products/{code}", "/registry/recalls_by_level"):
        html = get(ds, path).text
        assert '<html lang="zh-CN">' in html, path
        assert "演示数据" in html, path
    assert f'href="/p/{code}/"' in get(ds, f"/registry/products/{code}").text
    assert f'href="/p/{code}/"' in get(ds, "/registry/products?_size=max").text
    for table, pk, page in (("operators", "id", "/w/{}/"), ("brands", "id", "/brands/{}/"),
                            ("recalls", "id", "/recalls/{}/"), ("regions", "code", "/regions/{}/")):
        key = sqlite3.connect(demo_out / "registry.db").execute(f"select {pk} from {table} limit 1").fetchone()[0]
        assert f'href="{page.format(key)}"' in get(ds, f"/registry/{table}/{key}").text, table


def test_responses_are_reused_only_while_the_database_is_immutable(tmp_path, demo_out):
    """The response cache must never hide a change: with a writable database it steps aside."""
    import shutil

    from datasette.app import Datasette

    from site_builder.serve.live import PLUGINS

    path = tmp_path / "registry.db"
    shutil.copy(demo_out / "registry.db", path)
    writable = Datasette([str(path)], plugins_dir=str(PLUGINS))
    url = "/registry/penalties.json?_nofacet=1&_shape=objects"
    before = get(writable, url).json()["filtered_table_rows_count"]
    with sqlite3.connect(path) as conn:
        conn.execute("insert into penalties (id, operator_id) select 'zz-new', id from operators limit 1")
    assert get(writable, url).json()["filtered_table_rows_count"] == before + 1


def test_every_facet_column_is_indexed(demo_out):
    conn = sqlite3.connect(demo_out / "registry.db")
    for table, settings in datasette_meta.TABLE_SETTINGS.items():
        indexed = {conn.execute(f"pragma index_info([{name}])").fetchone()[2]
                   for _seq, name, *_rest in conn.execute(f"pragma index_list([{table}])")}
        for column in settings.get("facets", []):
            assert column in indexed, (table, column)


def test_metadata_that_does_not_fit_the_database_is_reported(demo_out, demo_dir):
    conn = sqlite3.connect(demo_out / "registry.db")
    meta = datasette_meta.generate(Package.load(demo_dir))
    assert datasette_meta.problems(conn, meta) == []
    meta["databases"]["registry"]["tables"]["operators"]["facets"].append("owner_phone")
    meta["databases"]["registry"]["queries"]["broken"] = {"sql": "select nope from operators where id = :id"}
    found = datasette_meta.problems(conn, meta)
    assert any("operators.owner_phone" in p for p in found) and any("broken" in p for p in found)


def test_datasette_starts_in_a_process_whose_locale_is_c(demo_out):
    """Pelican switches the build process to the "C" locale; Datasette reads plugin files with
    the locale's encoding, so the plugins must load (and search work) all the same."""
    import locale

    saved = locale.setlocale(locale.LC_ALL)
    locale.setlocale(locale.LC_ALL, "C")
    try:
        app = datasette_app(demo_out)
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    rows = get(app, "/registry/products.json?_search=麻花&_shape=array&_col=code").json()
    assert rows


def facet_counts(ds, table, query=""):
    data = get(ds, f"/registry/{table}.json?_size=0{query}").json()
    return {name: [(r["value"], r["count"], r["label"]) for r in facet["results"]] + [facet["truncated"]]
            for name, facet in data["facet_results"].items()}


def test_whole_table_facets_from_the_build_equal_datasettes_own_counts(ds, demo_out, tmp_path):
    """The counts made at build time (_facet_counts) are what Datasette's SQL gives: the same
    database opened writable (so that nothing precounted can be trusted) is the reference."""
    import shutil

    from datasette.app import Datasette

    from site_builder.database.about import facet_columns
    from site_builder.serve.live import served_metadata

    copy = tmp_path / "registry.db"
    shutil.copy(demo_out / "registry.db", copy)
    # The reference must count everything: with the default 200 ms limit, Datasette gave up on
    # programme_progress on a loaded machine (236 ms with the view target_members) and said {}.
    counted_by_sql = Datasette([str(copy)], metadata=served_metadata(demo_out / "datasette_metadata.json"),
                               settings={"facet_time_limit_ms": 20_000, "sql_time_limit_ms": 20_000})
    for table, columns in facet_columns().items():
        counted = facet_counts(ds, table)
        assert list(counted) == columns, table
        assert counted == facet_counts(counted_by_sql, table), table
    # A filtered table is counted by Datasette's SQL, as before.
    assert facet_counts(ds, "operators", "&kind=workshop") == facet_counts(counted_by_sql, "operators", "&kind=workshop")
    assert facet_counts(ds, "operators", "&kind=workshop")["kind"][:1] == [("workshop", 200, "workshop")]


def test_facets_asked_for_again_are_shown_once(ds):
    data = get(ds, "/registry/operators.json?_size=0&_facet=region_code&_facet=kind&_facet=status&_facet=kind").json()
    assert list(data["facet_results"]) == ["region_code", "kind", "status"]
    html = get(ds, "/registry/operators?_facet=region_code&_facet=kind&_facet=status").text
    assert html.count('id="facet-kind"') == 1


def test_json_keeps_chinese_readable_and_csv_opens_in_excel(ds):
    response = get(ds, "/registry/products.json?_search=麻花&_size=2&_shape=array")
    assert "麻花".encode() in response.content and b"\\u" not in response.content
    assert response.json()[0]["name"]
    lines = get(ds, "/registry/products.json?_search=麻花&_size=2&_shape=array&_nl=on").text.splitlines()
    assert len(lines) == 2 and all("麻花" in line for line in lines)
    csv_export = get(ds, "/registry/products.csv?_size=3&_dl=1").content
    assert csv_export.startswith(b"\xef\xbb\xbfcode,") and "麻花".encode() in get(
        ds, "/registry/products.csv?_search=麻花").content


def test_column_descriptions_are_shown_though_kept_out_of_what_permission_checks_copy(ds, demo_dir):
    """Datasette 0.65 deep-copies its metadata for each permission check; the plugin keeps the
    column descriptions (most of it) aside and hands them over where Datasette reads them."""
    html = get(ds, "/registry/operators").text
    description = datasette_meta.column_description(
        next(f for f in Package.load(demo_dir).public_fields("operators") if f["name"] == "licence_no"))
    assert description in html
    assert ds.metadata("columns", database="registry", table="operators")["licence_no"] == description
    assert ds.table_metadata("registry", "operators")["columns"]["licence_no"] == description
    # What a permission check copies (the "tables" lookup) holds no registry metadata but its rules.
    copied = [source for source in ds._metadata_sources("tables", "registry", None) if source]
    assert "registry" not in (ds._metadata_local.get("databases") or {})
    assert not any("registry" in (source.get("databases") or {}) for source in copied)
    assert ds.metadata("title", database="registry")  # the titles and queries are still there
    assert ds.get_canned_queries and asyncio.run(ds.get_canned_queries("registry", None))


def test_a_deployers_allow_rule_still_guards_its_table(demo_out, tmp_path):
    """The plugin hands a permission check only the tables with rules: those rules still work."""
    metadata = json.loads((demo_out / "datasette_metadata.json").read_text(encoding="utf-8"))
    metadata["databases"]["registry"]["tables"]["penalties"]["allow"] = {"id": "editor"}
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    guarded = datasette_app(demo_out, metadata=path)
    assert get(guarded, "/registry/penalties.json").status_code == 403
    assert get(guarded, "/registry/operators.json").status_code == 200
