"""registry.db in stock tools: the Datasette plugin `pip install zuofang` brings, plain sqlite3, and
Datasette without the plugin. A journalist downloads registry.db and opens it with what they have."""
from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette
from datasette.plugins import pm

from site_builder import vocabulary
from site_builder.database import about as database_about
from site_builder.database.build import build_database
from site_builder.datasette import plugin
from site_builder.registry.package import Package
from site_builder.database.fts import SEARCHABLE, search

REPO = Path(__file__).resolve().parent.parent
QUERIES = [("products", "麻花"), ("products", "饼"), ("operators", "麻花"), ("brands", "稷山麻花"), ("products", "牛肉饼")]
PK = {"operators": "id", "products": "code", "brands": "id"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_dir) -> Path:
    path = tmp_path_factory.mktemp("plain") / "registry.db"
    build_database(Package.load(demo_dir), path)
    return path


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def found_by_datasette(ds, table, query, database="registry", extra=""):
    rows = get(ds, f"/{database}/{table}.json?_search={query}{extra}&_shape=array&_size=max&_col={PK[table]}").json()
    return sorted(r[PK[table]] for r in rows)


@contextmanager
def without_the_plugin():
    """Datasette as it is without zuofang installed (the entry point's plugin unregistered)."""
    module = pm.get_plugin(plugin.NAME)
    assert module is not None, "the zuofang plugin should be registered through its entry point"
    pm.unregister(module)
    try:
        yield
    finally:
        pm.register(module, name=plugin.NAME)


def test_plugin_is_registered_through_the_entry_point():
    from importlib.metadata import entry_points

    [point] = [e for e in entry_points(group="datasette") if e.name == plugin.NAME]
    assert point.load() is plugin and pm.get_plugin(plugin.NAME) is plugin


def test_search_tables_are_external_content_tables_datasette_finds(demo_db):
    conn = sqlite3.connect(demo_db)
    ds = Datasette([str(demo_db)])
    for table in SEARCHABLE:
        sql = conn.execute("select sql from sqlite_master where name = ?", [f"{table}_fts"]).fetchone()[0]
        assert f"content=[{table}]" in sql
        assert asyncio.run(ds.get_database("registry").fts_table(table)) == f"{table}_fts"
    # The index holds no text of its own: a match reads the table's own text.
    names = [n for (n,) in conn.execute("select name from products_fts where products_fts match '\"麻 花\"'")]
    assert names and all("麻花" in n for n in names)
    html = get(ds, "/registry/products").text
    assert 'name="_search"' in html  # the search box


@pytest.mark.parametrize("table, query", QUERIES)
def test_plain_datasette_with_the_plugin_finds_what_search_finds(demo_db, table, query):
    ds = Datasette([str(demo_db)])  # no metadata, no templates: `datasette registry.db`
    expected = sorted(search(sqlite3.connect(demo_db), table, query))
    assert expected
    assert found_by_datasette(ds, table, query) == expected


@pytest.mark.parametrize("table, query", QUERIES)
def test_sqlite_alone_finds_what_search_finds_with_the_documented_match(demo_db, table, query):
    conn = sqlite3.connect(demo_db)
    sql = database_about.search_help(table, query)
    assert f"MATCH '\"{' '.join(query)}\"'" in sql
    rows = conn.execute(sql.replace("SELECT *", f"SELECT {PK[table]}", 1)).fetchall()
    assert sorted(r[0] for r in rows) == sorted(search(conn, table, query))
    assert conn.execute("select value from _about where key = 'search'").fetchone()[0].count(
        database_about.search_help()) == 1


def test_datasette_without_the_plugin_finds_with_the_raw_phrase(demo_db):
    """What the README tells a journalist who cannot install zuofang: ?_searchmode=raw with the
    characters spaced. A plain ?_search= finds nothing there (never every row)."""
    with without_the_plugin():
        ds = Datasette([str(demo_db)])
        assert found_by_datasette(ds, "products", "麻花") == []
        assert found_by_datasette(ds, "products", '"麻 花"', extra="&_searchmode=raw") == \
            sorted(search(sqlite3.connect(demo_db), "products", "麻花"))


def test_plugin_leaves_other_databases_alone(demo_db, tmp_path):
    other = sqlite_utils.Database(tmp_path / "notes.db")
    other["notes"].insert_all([{"id": 1, "text": "hello world"}, {"id": 2, "text": "麻花 recipe"}], pk="id")
    other["notes"].enable_fts(["text"], create_triggers=True)
    renamed = tmp_path / "yuncheng-2026.db"  # a registry under another name is still one
    shutil.copy(demo_db, renamed)
    ds = Datasette([str(renamed), str(tmp_path / "notes.db")])
    rows = get(ds, "/notes/notes.json?_search=hello&_shape=array").json()
    assert [r["id"] for r in rows] == [1]  # Datasette's own escaping: one word, one token
    assert found_by_datasette(ds, "products", "麻花", database="yuncheng-2026") == \
        sorted(search(sqlite3.connect(demo_db), "products", "麻花"))
    assert "\\u9ebb" in get(ds, "/notes/notes.json?_search=recipe").text  # JSON as Datasette writes it
    assert not get(ds, "/notes/notes.csv").content.startswith(b"\xef\xbb\xbf")
    assert get(ds, "/yuncheng-2026/products.csv?_size=1").content.startswith(b"\xef\xbb\xbf")


def test_plain_datasette_describes_the_registry_from_its_own_tables(demo_db):
    ds = Datasette([str(demo_db)])
    assert ds.metadata("title", database="registry") == vocabulary.DATABASE_TITLE.zh
    assert ds.metadata("license", database="registry", table="products") == "Creative Commons Attribution 4.0"
    assert ds.metadata("columns", database="registry", table="operators")["name"].startswith("名称")
    rows = get(ds, "/registry/recalls_by_level.json?_shape=array").json()
    assert rows and {"level", "recalls"} <= set(rows[0])
    facets = get(ds, "/registry/operators.json?_size=0").json()["facet_results"]
    assert list(facets) == ["region_code", "kind", "status"]


def test_about_tables_read_with_sqlite_alone(demo_db, demo_dir):
    conn = sqlite3.connect(demo_db)
    about = dict(conn.execute("select key, value from _about"))
    assert about["license_url"].startswith("https://") and about["source"] and about["release_date"] == "2026-11-01"
    package = Package.load(demo_dir)
    columns = {(t, c): title for t, c, title in conn.execute("select table_name, column_name, title from _columns")}
    for table in ("operators", "products", "samplings"):
        for field in package.public_fields(table):
            assert columns[(table, field["name"])] == field.get("title", field["name"])
    assert ("operators", "owner_phone") not in columns
    assert ("region_figures", "a_share") in columns  # the views too
    [(zh,)] = conn.execute("select l.zh from operators o join _labels l on l.table_name = 'operators' "
                           "and l.column_name = 'kind' and l.code = o.kind where o.kind = 'workshop' limit 1")
    assert zh == vocabulary.KINDS["workshop"].zh
    name, sql = conn.execute("select name, sql from _queries where name = 'recalls_by_level'").fetchone()
    assert conn.execute(sql).fetchall()


def test_fresh_venv_with_only_pip_install_finds_mahua(demo_db, tmp_path):
    """`pip install zuofang` from the checkout into a new, empty venv (no access to this test's
    packages: not --system-site-packages, and the checkout copied elsewhere so that nothing is
    imported from it), dependencies resolved by pip from its configured index; then the venv's own
    `datasette registry.db` searches, in a folder away from the checkout.

    The wheel is built from a copy of the checkout's files (git's list), so the build leaves
    nothing in the checkout; --no-compile saves pip's byte-compiling, nothing else is skipped."""
    source = tmp_path / "checkout"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile", str(source)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert pip.returncode == 0, pip.stderr[-3000:]
    away = tmp_path / "journalist"
    away.mkdir()
    shutil.copy(demo_db, away / "registry.db")
    for table, query in QUERIES[:3]:
        out = subprocess.run([str(venv / "bin" / "datasette"), "registry.db", "--get",
                              f"/registry/{table}.json?_search={query}&_shape=array&_size=max&_col={PK[table]}"],
                             capture_output=True, text=True, cwd=away, check=True).stdout
        found = sorted(r[PK[table]] for r in json.loads(out))
        assert found == sorted(search(sqlite3.connect(demo_db), table, query)), (table, query)
    plugins = json.loads(subprocess.run([str(venv / "bin" / "datasette"), "registry.db", "--get", "/-/plugins.json"],
                                        capture_output=True, text=True, cwd=away, check=True).stdout)
    [ours] = [p for p in plugins if p["name"] == plugin.NAME]
    assert ours["templates"] is False  # the site's Datasette templates stay with `zuofang serve`
    site_packages = subprocess.run([str(venv / "bin" / "python"), "-c", "import site_builder; print(site_builder.__file__)"],
                                   capture_output=True, text=True, cwd=away, check=True).stdout
    assert str(venv) in site_packages and str(REPO) not in site_packages


def test_plain_datasette_links_rows_to_the_public_site_and_shows_codes_in_chinese(demo_db):
    conn = sqlite3.connect(demo_db)
    code = conn.execute("select code from products order by rowid limit 1").fetchone()[0]
    site = conn.execute("select value from _about where key = 'site_url'").fetchone()[0]
    ds = Datasette([str(demo_db)])
    html = get(ds, f"/registry/products/{code}").text
    assert f'href="{site}/p/{code}/"' in html  # not /p/…: this Datasette is not beside the site
    operators = get(ds, "/registry/operators?_size=5").text
    assert f'{vocabulary.OPERATOR_STATUS["active"].zh} <code class="code">active</code>' in operators
    rows = get(ds, "/registry/operators.json?_size=5&_shape=array").json()
    assert {r["status"] for r in rows} <= set(vocabulary.OPERATOR_STATUS)  # JSON keeps the codes
