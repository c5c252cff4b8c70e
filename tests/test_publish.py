"""/data/ downloads: a valid Frictionless package with no private value, a deterministic zip."""
from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from frictionless import validate

from site_builder.publish import build as publish
from site_builder.build import state
from site_builder.build.files import Files
from site_builder.database.build import build_database
from site_builder.registry.package import TABLE_ORDER, Package


def _publish(registry: Path, root: Path) -> Path:
    build_database(Package.load(registry), root / "registry.db")
    publish.publish_package(Package.load(registry), root / "registry.db", root / "site")
    return root / "site" / "data"


@pytest.fixture(scope="module")
def published(small_registry, tmp_path_factory) -> Path:
    return _publish(small_registry, tmp_path_factory.mktemp("publish"))


def private_values(registry: Path) -> set[str]:
    with (registry / "operators.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    values = {row[name] for row in rows for name in ("owner_name", "owner_phone", "owner_id_number")}
    return {v for v in values if len(v) >= 2}


def test_published_package_is_valid_frictionless(published):
    report = validate(published / "datapackage.json")
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == list(TABLE_ORDER)
    assert all((published / r["path"]).is_file() for r in descriptor["resources"])


def test_private_fields_absent_or_masked(published, small_registry):
    text = (published / "datapackage.json").read_text(encoding="utf-8")
    assert "zuofang:private" not in text
    with (published / "operators.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "owner_phone" not in rows[0] and "owner_id_number" not in rows[0]
    assert all(r["owner_name"] == "" or (len(r["owner_name"]) == 2 and r["owner_name"].endswith("*")) for r in rows)
    assert private_values(small_registry), "the registry should hold private values to look for"


def test_no_private_value_anywhere_in_site_data(published, small_registry):
    secrets = [v.encode("utf-8") for v in private_values(small_registry)]
    blobs = {p.name: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    with zipfile.ZipFile(published / publish.ZIP_NAME) as zf:
        blobs.update({f"zip:{n}": zf.read(n) for n in zf.namelist()})
    leaks = [(name, s.decode()) for name, blob in blobs.items() for s in secrets if s in blob]
    assert not leaks


def test_csv_is_the_database(published):
    conn = sqlite3.connect(published / "registry.db")
    for table in TABLE_ORDER:
        with (published / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))[1:]
        assert len(rows) == conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0], table


def test_zip_holds_the_files_and_is_deterministic(published, small_registry, tmp_path):
    with zipfile.ZipFile(published / publish.ZIP_NAME) as zf:
        names = zf.namelist()
        assert names == ["README.md", "LICENSE.txt", "datapackage.json", "datasette_metadata.json"] + \
            [f"{t}.csv" for t in TABLE_ORDER]
        assert all(zf.read(n) == (published / n).read_bytes() for n in names)
        release = Package.load(small_registry).release_date
        assert {i.date_time[:3] for i in zf.infolist()} == {(release.year, release.month, release.day)}
        assert validate(_extract(zf, tmp_path / "unzipped") / "datapackage.json").valid
    again = _publish(small_registry, tmp_path / "again")
    assert (again / publish.ZIP_NAME).read_bytes() == (published / publish.ZIP_NAME).read_bytes()


def _extract(zf: zipfile.ZipFile, where: Path) -> Path:
    zf.extractall(where)
    return where


def test_republish_rewrites_nothing_and_never_writes_in_place(small_registry, tmp_path):
    data = _publish(small_registry, tmp_path / "first")
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    # A later build's stage folder starts as hard links to the earlier output.
    clone = tmp_path / "clone"
    (clone / "site" / "data").mkdir(parents=True)
    os.link(tmp_path / "first" / "registry.db", clone / "registry.db")
    os.link(tmp_path / "first" / state.NAME, clone / state.NAME)
    for p in data.iterdir():
        os.link(p, clone / "site" / "data" / p.name)
    files = Files()
    publish.publish_package(Package.load(small_registry), clone / "registry.db", clone / "site", files)
    assert files.changed_files() == set()

    registry = tmp_path / "changed"
    shutil.copytree(small_registry, registry)
    products = (registry / "products.csv").read_text(encoding="utf-8")
    first_name = products.splitlines()[1].split(",")[2]
    (registry / "products.csv").write_text(products.replace(first_name, "改名后的产品", 1), encoding="utf-8")
    build_database(Package.load(registry), clone / "registry.db")
    publish.publish_package(Package.load(registry), clone / "registry.db", clone / "site")
    assert "改名后的产品" in (clone / "site" / "data" / "products.csv").read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
    assert os.path.samefile(clone / "site" / "data" / "registry.db", clone / "registry.db")


def test_republish_after_one_change_exports_only_that_table(small_registry, tmp_path, monkeypatch):
    """Unchanged tables keep the previous build's CSV; the result equals a fresh publish."""
    registry = tmp_path / "changed"
    shutil.copytree(small_registry, registry)
    first = _publish(registry, tmp_path / "out")
    (first / "operators.csv").unlink()  # a file lost since: remade, not trusted
    inodes = {p.name: p.stat().st_ino for p in first.iterdir()}
    products = (registry / "products.csv").read_text(encoding="utf-8")
    first_name = products.splitlines()[1].split(",")[2]
    (registry / "products.csv").write_text(products.replace(first_name, "改名后的产品", 1), encoding="utf-8")
    exported, workbooks = [], []
    real_export, real_xlsx = publish.export_csv, publish.export_xlsx
    monkeypatch.setattr(publish, "export_csv", lambda conn, table, columns: exported.append(table)
                        or real_export(conn, table, columns))
    monkeypatch.setattr(publish, "export_xlsx", lambda conn, table, *args: workbooks.append(table)
                        or real_xlsx(conn, table, *args))
    _publish(registry, tmp_path / "out")
    assert sorted(exported) == ["operators", "products"]
    assert sorted(workbooks) == ["products"]
    for name in ("brands.csv", "samplings.csv", "regions.csv"):
        assert (first / name).stat().st_ino == inodes[name]
    assert (first / "products.csv").stat().st_ino != inodes["products.csv"]
    fresh = _publish(registry, tmp_path / "fresh")
    assert {p.name: p.read_bytes() for p in first.iterdir() if p.name != publish.DB_NAME} == \
        {p.name: p.read_bytes() for p in fresh.iterdir() if p.name != publish.DB_NAME}


def test_a_republished_zip_copies_only_the_unchanged_members(small_registry, tmp_path, monkeypatch):
    """After one table changed, the zip compresses that CSV (and the descriptor naming its size)
    again, copies the other members' deflate streams from the previous zip, and is byte for
    byte the zip a fresh publish makes."""
    registry = tmp_path / "changed"
    shutil.copytree(small_registry, registry)
    first = _publish(registry, tmp_path / "out")
    products = (registry / "products.csv").read_text(encoding="utf-8")
    first_name = products.splitlines()[1].split(",")[2]
    (registry / "products.csv").write_text(products.replace(first_name, "改名后的产品", 1), encoding="utf-8")
    compressed = []
    real_writestr = zipfile.ZipFile.writestr
    monkeypatch.setattr(zipfile.ZipFile, "writestr", lambda zf, info, data, **kw: compressed.append(
        getattr(info, "filename", info)) or real_writestr(zf, info, data, **kw))
    _publish(registry, tmp_path / "out")
    monkeypatch.undo()
    with zipfile.ZipFile(first / publish.ZIP_NAME) as zf:
        members = set(zf.namelist())
    assert sorted(set(compressed) & members) == ["datapackage.json", "products.csv"]  # workbooks write too
    fresh = _publish(registry, tmp_path / "fresh")
    assert (first / publish.ZIP_NAME).read_bytes() == (fresh / publish.ZIP_NAME).read_bytes()
